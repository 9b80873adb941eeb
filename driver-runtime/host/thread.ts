/**
 * Starts a thread from one of our entry files. Under tsx (tests, `npm run start:web`) a worker
 * does not inherit the loader, so a `.ts` entry starts through a small JavaScript boot that
 * registers it first; a built app's entries are JavaScript and start directly.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const TS_BOOT = fileURLToPath(new URL('./ts-worker-boot.mjs', import.meta.url));

export function startThread(entry: URL, workerData: object): Worker {
  if (entry.pathname.endsWith('.ts'))
    return new Worker(TS_BOOT, { workerData: { ...workerData, __entry: entry.href } });
  return new Worker(entry, { workerData });
}

/**
 * The entry file of one of the host's threads (`dext-worker`, `what-if-worker`): next to this
 * file in the source tree, and next to the bundle in a built app, where each is its own chunk.
 */
export function threadEntry(name: 'dext-worker' | 'what-if-worker'): URL {
  const here = import.meta.url;
  return new URL(`./${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}
