// Starts a TypeScript worker from source (tests, `npm run start:web` under tsx): registers
// tsx's loader in this thread, then imports the file named in workerData.__entry. Built
// apps start the bundled JavaScript worker directly and never load this.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__entry);
