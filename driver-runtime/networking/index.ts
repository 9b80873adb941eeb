export * from './constants.ts';
export * from './packet-buffer-pool.ts';
export * from './packet-queue.ts';
export * from './ethernet.ts';
