export * from '../sim/host-memory.ts';
export * from './buffer-memory-descriptor.ts';
