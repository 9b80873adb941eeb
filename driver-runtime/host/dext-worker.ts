/**
 * The dext's process: a worker thread running the simulated machine in real time and serving
 * the kernel's half of IOKit to the main thread, as a DEXT runs in its own process. Requests
 * come as `{ id, op, args }` and are answered `{ id, value }`; notifications go out as
 * `{ event }`. Mapped memory travels as the descriptors' own SharedArrayBuffers: real shared
 * memory with the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalKernel, type LocalKernelOptions } from './kernel-port.ts';

export interface WorkerRequest {
  id: number;
  op: 'match' | 'open' | 'close' | 'call' | 'map' | 'unmap' | 'registry' | 'crash';
  args: unknown[];
}

const port = parentPort;
if (port === null) throw new Error('dext-worker.ts runs only as a worker thread');
const kernel = new LocalKernel({ ...(workerData as LocalKernelOptions), realTime: true });
kernel.onNotification((event) => port.postMessage({ event }));

async function answer(r: WorkerRequest): Promise<unknown> {
  const a = r.args as never[];
  switch (r.op) {
    case 'match':
      return kernel.match(a[0]);
    case 'open':
      return kernel.open(a[0], a[1], a[2]);
    case 'close':
      return kernel.close(a[0]);
    case 'call':
      return kernel.call(a[0]);
    case 'map':
      return kernel.map(a[0], a[1]);
    case 'unmap':
      return kernel.unmap(a[0], a[1]);
    case 'registry':
      return kernel.registry();
    case 'crash':
      // For the restart tests: an uncaught error, as a dext bug would raise.
      setTimeout(() => {
        throw new Error('dext crashed on request');
      }, 0);
      return null;
  }
}

port.on('message', (r: WorkerRequest) => {
  answer(r).then(
    (value) => port.postMessage({ id: r.id, value }),
    (e: unknown) => port.postMessage({ id: r.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
port.postMessage({ ready: true });
