/**
 * Moves WAL checkpoints off the main thread: the writer's connection turns automatic
 * checkpoints off, and a worker with its own connection runs passive ones on a timer.
 */
import type { Worker } from 'node:worker_threads';
import { startThread } from '../../driver-runtime/host/thread.ts';

/** OURS: a checkpoint every 2 s keeps the WAL to a few seconds of writes. */
export const CHECKPOINT_EVERY_MS = 2000;

export class Checkpointer {
  private readonly worker: Worker;
  /** The last checkpoint's result (frames in the WAL, frames copied), or its error. */
  last: { log: number; checkpointed: number } | { error: string } | null = null;

  constructor(file: string, nativeBinding?: string, everyMs = CHECKPOINT_EVERY_MS) {
    const here = import.meta.url;
    const entry = new URL(`./checkpoint-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
    this.worker = startThread(entry, { file, everyMs, ...(nativeBinding ? { nativeBinding } : {}) });
    this.worker.on('message', (m: Checkpointer['last']) => (this.last = m));
    this.worker.on('error', (e) => (this.last = { error: e.message }));
    this.worker.unref();
  }

  /** A checkpoint now; resolves with its result. */
  now(): Promise<Checkpointer['last']> {
    // Held while waiting: an unref'd worker alone would let the process exit under the caller.
    this.worker.ref();
    return new Promise<Checkpointer['last']>((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage('checkpoint');
    }).finally(() => this.worker.unref());
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.postMessage('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
