/**
 * The kernel port of a dext running in a worker thread. If the worker dies — an uncaught
 * error, or someone terminates it — the app stays up: calls in flight and later calls answer
 * kIOReturnNotAttached, every open connection is reported terminated, and a fresh worker is
 * started within a second; when it is ready, `restarted` is announced so clients open again
 * and the app pushes its rules and flows again.
 */
import type { Worker } from 'node:worker_threads';
import type { CallRequest, CallResult, MapResult } from '../../driver-runtime/host/dext-kernel.ts';
import type { Matching, RegistryNode } from '../../driver-runtime/host/io-registry.ts';
import type {
  KernelPort,
  LocalKernelOptions,
  PortNotification,
} from '../../driver-runtime/host/kernel-port.ts';
import type { WorkerRequest } from '../../driver-runtime/host/dext-worker.ts';
import { kIOReturnNotAttached } from '../../driver-runtime/abi/io-return.ts';
import { startThread, threadEntry } from '../../driver-runtime/host/thread.ts';

/** A dead dext is back within a second (OURS: restarted at once; the first try is ~100 ms). */
const RESTART_DELAY_MS = 50;

/** Handles one worker may give out (OURS: 256 boots of 2^16 each; 256 restarts below 2^32). */
const WORKER_CONNECTION_SPAN = 1 << 24;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; dead: unknown };

export class WorkerKernel implements KernelPort {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(n: PortNotification) => void>();
  /** Connections opened on the current worker: they die with it. */
  private readonly openConnections = new Set<number>();
  private disposed = false;
  private ready: Promise<void> = Promise.resolve();
  /** Times the worker died and was started again. */
  restarts = 0;

  constructor(private readonly options: Omit<LocalKernelOptions, 'realTime'>) {
    this.start();
  }

  private start(): void {
    // A restarted dext gives out handles past the dead one's, so no stale handle names a new connection.
    const worker = startThread(threadEntry('dext-worker'), {
      ...this.options,
      firstConnection: WORKER_CONNECTION_SPAN * this.restarts + 1,
    });
    this.worker = worker;
    this.ready = new Promise((resolve) => {
      const onReady = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        worker.off('message', onReady);
        resolve();
      };
      worker.on('message', onReady);
    });
    worker.on('message', (m: { id?: number; value?: unknown; error?: string; event?: PortNotification }) => {
      if (m.event) {
        if (m.event.kind === 'terminated') this.openConnections.delete(m.event.connection);
        for (const l of this.listeners) l(m.event);
        return;
      }
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`dext: ${m.error}`));
      else p.resolve(m.value);
    });
    worker.on('error', () => this.died(worker));
    worker.on('exit', () => this.died(worker));
  }

  private died(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const p of this.pending.values()) p.resolve(p.dead);
    this.pending.clear();
    for (const connection of this.openConnections)
      for (const l of this.listeners) l({ kind: 'terminated', connection });
    this.openConnections.clear();
    if (this.disposed) return;
    this.restarts++;
    setTimeout(() => {
      if (this.disposed) return;
      this.start();
      void this.ready.then(() => {
        for (const l of this.listeners) l({ kind: 'restarted' });
      });
    }, RESTART_DELAY_MS);
  }

  private async request<T>(op: WorkerRequest['op'], args: unknown[], dead: T): Promise<T> {
    await this.ready;
    const worker = this.worker;
    if (worker === null || this.disposed) return dead;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, dead });
      worker.postMessage({ id, op, args } satisfies WorkerRequest);
    });
  }

  onNotification(listener: (n: PortNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  match(m: Matching): Promise<number> {
    return this.request('match', [m], 0);
  }

  async open(service: number, type: number, entitlements: Readonly<Record<string, unknown>>) {
    const r = await this.request('open', [service, type, entitlements], {
      ret: kIOReturnNotAttached,
      connection: 0,
    });
    if (r.ret === 0) this.openConnections.add(r.connection);
    return r;
  }

  async close(connection: number): Promise<number> {
    this.openConnections.delete(connection);
    return this.request('close', [connection], kIOReturnNotAttached);
  }

  call(req: CallRequest): Promise<CallResult> {
    return this.request('call', [req], { ret: kIOReturnNotAttached, scalarOutput: [], structOutput: null });
  }

  map(connection: number, memoryType: number): Promise<MapResult> {
    return this.request('map', [connection, memoryType], {
      ret: kIOReturnNotAttached,
      buffer: null,
      offset: 0,
      length: 0,
      readOnly: true,
    });
  }

  unmap(connection: number, memoryType: number): Promise<number> {
    return this.request('unmap', [connection, memoryType], kIOReturnNotAttached);
  }

  registry(): Promise<RegistryNode[]> {
    return this.request('registry', [], []);
  }

  /** Makes the dext throw an uncaught error (for tests of the restart). */
  crash(): Promise<null> {
    return this.request('crash', [], null);
  }

  /** Ends the worker the way a crash would (for tests): the port restarts it. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.resolve(p.dead);
    this.pending.clear();
    this.listeners.clear();
    await worker?.terminate();
  }
}
