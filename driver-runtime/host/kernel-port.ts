/**
 * The kernel side of IOKit as the broker reaches it — in this thread, or in the dext's worker
 * thread across postMessage. Every answer is a promise; notifications (async completions,
 * terminations, the OS's flow reports) arrive through `onNotification`.
 *
 * `LocalKernel` runs a machine in the caller's thread, in real time (a pacer ties virtual to
 * wall time) or stepped by hand (tests). The worker runs the same class on its side.
 */
import type { IOReturn } from '../kit/io-return.ts';
import { kIOReturnNotAttached } from '../kit/io-return.ts';
import { Pacer } from '../sim/pacer.ts';
import type { FlowReport } from '../stack/flow-observer.ts';
import type { CallRequest, CallResult, KernelNotification, MapResult } from './dext-kernel.ts';
import type { Matching, RegistryNode } from './io-registry.ts';
import { Machine, type MachineOptions } from './machine.ts';

export type PortNotification =
  | KernelNotification
  | { kind: 'flow-opened'; report: FlowReport; nowNs: number }
  | { kind: 'flow-closed'; flowId: number; nowNs: number }
  | { kind: 'restarted' };

export interface KernelPort {
  match(m: Matching): Promise<number>;
  open(
    service: number,
    type: number,
    entitlements: Readonly<Record<string, unknown>>,
  ): Promise<{ ret: IOReturn; connection: number }>;
  close(connection: number): Promise<IOReturn>;
  call(req: CallRequest): Promise<CallResult>;
  /** The buffer is the descriptor's own (shared with the dext's thread when it runs in a worker). */
  map(connection: number, memoryType: number): Promise<MapResult>;
  unmap(connection: number, memoryType: number): Promise<IOReturn>;
  registry(): Promise<RegistryNode[]>;
  onNotification(listener: (n: PortNotification) => void): () => void;
  dispose(): Promise<void>;
}

export interface LocalKernelOptions extends Omit<MachineOptions, 'observer' | 'sharedMemory'> {
  /** Pace virtual time to the wall clock (the app); false leaves stepping to the caller. */
  realTime?: boolean;
  /** Real-time tick, ms (default 10). */
  tickMs?: number;
}

/** A machine in this thread, served as a kernel port. */
export class LocalKernel implements KernelPort {
  readonly machine: Machine;
  private readonly pacer: Pacer | null;
  private readonly listeners = new Set<(n: PortNotification) => void>();
  private disposed = false;

  constructor(options: LocalKernelOptions) {
    this.machine = Machine.boot({
      ...options,
      sharedMemory: true,
      observer: {
        flowOpened: (report, nowNs) => this.emit({ kind: 'flow-opened', report, nowNs }),
        flowClosed: (flowId, nowNs) => this.emit({ kind: 'flow-closed', flowId, nowNs }),
      },
    });
    this.machine.onKernelNotification = (n) => this.emit(n);
    const m = this.machine;
    this.pacer = options.realTime
      ? new Pacer(
          {
            get now() {
              return m.scheduler.now;
            },
            runUntil: (t) => m.runTo(t),
          },
          undefined,
          options.tickMs ?? 10,
        )
      : null;
    this.pacer?.start();
  }

  private emit(n: PortNotification): void {
    for (const l of this.listeners) l(n);
  }

  onNotification(listener: (n: PortNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private get kernel() {
    return this.machine.kernel;
  }

  async match(m: Matching): Promise<number> {
    return this.disposed ? 0 : this.kernel.match(m);
  }

  async open(service: number, type: number, entitlements: Readonly<Record<string, unknown>>) {
    if (this.disposed) return { ret: kIOReturnNotAttached, connection: 0 };
    return this.kernel.open(service, type, entitlements);
  }

  async close(connection: number): Promise<IOReturn> {
    return this.disposed ? kIOReturnNotAttached : this.kernel.close(connection);
  }

  async call(req: CallRequest): Promise<CallResult> {
    if (this.disposed) return { ret: kIOReturnNotAttached, scalarOutput: [], structOutput: null };
    const result = this.kernel.call(req);
    // Stepped by hand: deliver what the call queued for now (its completion) before answering.
    if (this.pacer === null) this.machine.settle();
    return result;
  }

  async map(connection: number, memoryType: number): Promise<MapResult> {
    if (this.disposed)
      return { ret: kIOReturnNotAttached, buffer: null, offset: 0, length: 0, readOnly: true };
    return this.kernel.map(connection, memoryType);
  }

  async unmap(connection: number, memoryType: number): Promise<IOReturn> {
    return this.disposed ? kIOReturnNotAttached : this.kernel.unmap(connection, memoryType);
  }

  async registry(): Promise<RegistryNode[]> {
    return this.disposed ? [] : this.machine.registry.tree();
  }

  /** Stops pacing; the machine shuts down (clients were told by terminations). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.pacer?.stop();
    this.machine.shutdown();
    this.listeners.clear();
  }

  /** How far virtual time lags the wall clock, and the share of it spent running. */
  pacerStats() {
    return this.pacer?.stats() ?? null;
  }
}
