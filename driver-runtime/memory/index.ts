export * from './host-memory.ts';
export * from './buffer-memory-descriptor.ts';
