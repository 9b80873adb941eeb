/**
 * The lab's typed client: the NetLanesLab service opened like the driver, its calls made with
 * the lab ABI. Faults, link speed, workload switches and what-if runs (progress as the run
 * goes, the comparison when it ends).
 */
import {
  LAB_SERVICE_NAME,
  LAB_STATUS,
  LAB_USER_CLIENT_TYPE,
  LabSelector,
  WhatIfPhase,
  type LabStatus,
} from '../driver-runtime/abi/lab-abi.ts';
import { CallError } from '../driver-runtime/abi/netlanes-calls.ts';
import { kIOReturnNotFound } from '../driver-runtime/abi/io-return.ts';
import type { Unsubscribe } from './carrier.ts';
import type { IOKitClient } from './iokit-client.ts';

const utf8 = new TextEncoder();
/** Room for a what-if comparison's JSON (OURS: 1 MiB, far above a handful of apps). */
const WHAT_IF_RESULT_ROOM = 1 << 20;

export class LabClient {
  private nextReference = 1;
  private readonly waiters = new Map<number, (status: number, args: number[]) => void>();
  private readonly off: Unsubscribe;

  private constructor(
    readonly iokit: IOKitClient,
    readonly connection: number,
  ) {
    this.off = iokit.onAsyncCompletion((n) => {
      if (n.connection === connection) this.waiters.get(n.reference[1])?.(n.status, n.args);
    });
  }

  static async open(iokit: IOKitClient): Promise<LabClient> {
    const service = await iokit.IOServiceGetMatchingService({ name: LAB_SERVICE_NAME });
    if (service === 0) throw new CallError('IOServiceGetMatchingService', kIOReturnNotFound);
    const { ret, connection } = await iokit.IOServiceOpen(service, LAB_USER_CLIENT_TYPE);
    if (ret !== 0) throw new CallError('IOServiceOpen', ret);
    return new LabClient(iokit, connection);
  }

  async status(): Promise<LabStatus> {
    const r = await this.iokit.IOConnectCallMethod(
      this.connection,
      LabSelector.GetStatus,
      [],
      null,
      0,
      LAB_STATUS.size,
    );
    if (r.ret !== 0 || r.structOutput === null) throw new CallError('GetStatus', r.ret);
    return LAB_STATUS.decode(r.structOutput);
  }

  /** Injects a fault (`link-flap@0ms+200ms` …); answers when it begins, in virtual ns. */
  async injectFault(spec: string): Promise<number> {
    const r = await this.iokit.IOConnectCallMethod(
      this.connection,
      LabSelector.InjectFault,
      [],
      utf8.encode(spec),
      1,
      0,
    );
    if (r.ret !== 0) throw new CallError(`InjectFault(${spec})`, r.ret);
    return r.scalarOutput[0];
  }

  async setLinkSpeed(mbps: number): Promise<void> {
    const r = await this.iokit.IOConnectCallMethod(
      this.connection,
      LabSelector.SetLinkSpeed,
      [mbps],
      null,
      0,
      0,
    );
    if (r.ret !== 0) throw new CallError(`SetLinkSpeed(${mbps})`, r.ret);
  }

  /** Reboots the simulated machine with another workload: every connection (this one too) ends. */
  async switchScenario(name: string): Promise<void> {
    const r = await this.iokit.IOConnectCallMethod(
      this.connection,
      LabSelector.SwitchScenario,
      [],
      utf8.encode(name),
      0,
      0,
    );
    if (r.ret !== 0) throw new CallError(`SwitchScenario(${name})`, r.ret);
  }

  /**
   * Replays a workload under two rule sets (async struct method); `progress` hears 0..1 as it
   * runs. Resolves with the comparison, rejects with the run's error.
   */
  async whatIf(args: unknown, progress?: (fraction: number) => void): Promise<unknown> {
    const id = this.nextReference++;
    const finished = new Promise<number>((resolve) =>
      this.waiters.set(id, (_status, a) => {
        if (a[0] === WhatIfPhase.Progress) progress?.(a[1] / 1000);
        else resolve(a[2]);
      }),
    );
    try {
      const r = await this.iokit.IOConnectCallAsyncMethod(
        this.connection,
        LabSelector.RunWhatIf,
        [0, id],
        [],
        utf8.encode(JSON.stringify(args)),
        1,
        0,
      );
      if (r.ret !== 0) throw new CallError('RunWhatIf', r.ret);
      const job = await finished;
      const out = await this.iokit.IOConnectCallMethod(
        this.connection,
        LabSelector.GetWhatIfResult,
        [job],
        null,
        0,
        WHAT_IF_RESULT_ROOM,
      );
      if (out.ret !== 0 || out.structOutput === null) throw new CallError('GetWhatIfResult', out.ret);
      const outcome = JSON.parse(new TextDecoder().decode(out.structOutput)) as
        { ok: true; result: unknown } | { ok: false; error: string };
      if (!outcome.ok) throw new Error(`what-if: ${outcome.error}`);
      return outcome.result;
    } finally {
      this.waiters.delete(id);
    }
  }

  async close(): Promise<number> {
    this.off();
    this.waiters.clear();
    return this.iokit.IOServiceClose(this.connection);
  }
}
