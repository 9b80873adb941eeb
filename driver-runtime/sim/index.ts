export * from './scheduler.ts';
export * from './prng.ts';
export * from './pacer.ts';
export * from './units.ts';
