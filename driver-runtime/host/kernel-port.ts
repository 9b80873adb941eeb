/**
 * The kernel side of IOKit as the broker reaches it — in this thread, or in the dext's worker
 * thread across postMessage. Every answer is a promise; notifications (async completions,
 * terminations, the OS's flow reports) arrive through `onNotification`.
 *
 * `LocalKernel` runs a machine in the caller's thread, in real time (a pacer ties virtual to
 * wall time) or stepped by hand (tests). The worker runs the same class on its side.
 */
import type { IOReturn } from '../kit/io-return.ts';
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnSuccess } from '../kit/io-return.ts';
import { withRuntime } from '../kit/runtime.ts';
import { Pacer } from '../sim/pacer.ts';
import type { Scenario } from '../stack/scenario.ts';
import type { FlowReport } from '../stack/flow-observer.ts';
import type { CallRequest, CallResult, KernelNotification, MapResult } from './dext-kernel.ts';
import type { Matching, RegistryNode } from './io-registry.ts';
import { Machine, type MachineOptions } from './machine.ts';
import { LabService, type LabHost } from './lab-service.ts';
import { WhatIfLauncher } from './what-if-launcher.ts';

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
  /** The workloads the lab can switch to and replay, by name (the running one included). */
  scenarios?: Readonly<Record<string, Scenario>>;
  /** The running workload's name in `scenarios` (default: its own name). */
  scenarioName?: string;
}

/** Handles one boot may give out before the next boot's range (OURS). */
const CONNECTIONS_PER_BOOT = 1 << 16;

/**
 * A machine in this thread, served as a kernel port, with the lab service beside the driver.
 * Switching the scenario replaces the machine as a reboot would: every connection is told it
 * terminated, the new machine boots, and `restarted` asks clients to open again.
 */
export class LocalKernel implements KernelPort, LabHost {
  machine: Machine;
  scenarioName: string;
  readonly whatIf: WhatIfLauncher;
  private pacer: Pacer | null = null;
  private lab: LabService | null = null;
  private readonly listeners = new Set<(n: PortNotification) => void>();
  private readonly scenarios: ReadonlyMap<string, Scenario>;
  private disposed = false;
  private boots = 0;

  constructor(private readonly options: LocalKernelOptions) {
    this.scenarioName = options.scenarioName ?? options.scenario.name;
    this.scenarios = new Map([
      ...Object.entries(options.scenarios ?? {}),
      [this.scenarioName, options.scenario],
    ]);
    this.whatIf = new WhatIfLauncher(this.scenarios);
    this.machine = this.boot(options.scenario);
  }

  private boot(scenario: Scenario): Machine {
    const machine = Machine.boot({
      ...this.options,
      scenario,
      // Each boot's handles start past the last one's (see MachineOptions.firstConnection).
      firstConnection: (this.options.firstConnection ?? 1) + CONNECTIONS_PER_BOOT * this.boots++,
      sharedMemory: true,
      observer: {
        flowOpened: (report, nowNs) => this.emit({ kind: 'flow-opened', report, nowNs }),
        flowClosed: (flowId, nowNs) => this.emit({ kind: 'flow-closed', flowId, nowNs }),
      },
    });
    machine.onKernelNotification = (n) => this.emit(n);
    this.lab = withRuntime(machine.runtime, () => {
      const lab = new LabService(this);
      lab.registry = machine.registry;
      lab.Start(null);
      lab.RegisterService();
      return lab;
    });
    this.pacer = this.options.realTime
      ? new Pacer(
          {
            get now() {
              return machine.scheduler.now;
            },
            runUntil: (t) => machine.runTo(t),
          },
          undefined,
          this.options.tickMs ?? 10,
        )
      : null;
    this.pacer?.start();
    return machine;
  }

  /** Clients are told their connections ended; the lab service goes; the machine shuts down. */
  private halt(): void {
    this.pacer?.stop();
    const m = this.machine;
    m.kernel.terminateAll();
    const lab = this.lab;
    this.lab = null;
    if (lab)
      withRuntime(m.runtime, () => {
        lab.Stop(null);
        m.registry.remove(lab);
        lab.release();
      });
    m.shutdown();
  }

  completionQueued(): void {
    // Paced, the next tick delivers it; stepped by hand, nothing would.
    if (this.pacer === null) this.machine.settle();
  }

  switchScenario(name: string): IOReturn {
    const scenario = this.scenarios.get(name);
    if (scenario === undefined || this.disposed) return kIOReturnBadArgument;
    // After the call returns: the caller's connection is one of those about to end.
    setTimeout(() => {
      if (this.disposed) return;
      this.halt();
      this.scenarioName = name;
      this.machine = this.boot(scenario);
      this.emit({ kind: 'restarted' });
    }, 0);
    return kIOReturnSuccess;
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
    // Deliver what the call queued for now (its completion) before answering — paced, the next
    // tick would, up to a tick later.
    this.machine.settle();
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

  /** Stops pacing and what-if runs; the machine shuts down (clients are told by terminations). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.whatIf.dispose();
    this.halt();
    this.listeners.clear();
  }

  /** How far virtual time lags the wall clock, and the share of it spent running. */
  pacerStats() {
    return this.pacer?.stats() ?? null;
  }
}
