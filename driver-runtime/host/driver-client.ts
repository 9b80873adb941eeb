/**
 * A NetLanes client in the same thread as the machine (the CLI's runs, the what-if engine,
 * tests): the calls of abi/netlanes-calls.ts made straight into the kernel, so a deterministic
 * run stays synchronous. It reaches the driver only as any client does — IOServiceOpen, struct
 * and async struct methods, IOConnectMapMemory64.
 */
import { LAB_BUNDLE_ID } from '../abi/lab-abi.ts';
import { kIOReturnSuccess, type IOReturn } from '../kit/io-return.ts';
import {
  ALL_EVENTS,
  MemoryType,
  NETLANES_DEXT_BUNDLE_ID,
  NETLANES_SERVICE_NAME,
  NETLANES_USER_CLIENT_TYPE,
  TX_MODES,
  USERCLIENT_ACCESS_ENTITLEMENT,
  type AppSettingRecord,
  type DriverInfo,
  type EventRecord,
  type FindingRecord,
  type FlowEntryRecord,
  type FlowStatRecord,
  type PacketDescription,
  type StatsSnapshot,
  type TxPolicyRecord,
} from '../abi/netlanes-abi.ts';
import { Calls, CallError, ALL_SLOTS, type RawCall, type RawResult } from '../abi/netlanes-calls.ts';
import { StatsView } from '../abi/stats-layout.ts';
import type { DextKernel, KernelNotification } from './dext-kernel.ts';

/** The entitlements the app's own processes carry: they may open the NetLanes dext. */
export const APP_ENTITLEMENTS: Readonly<Record<string, unknown>> = {
  [USERCLIENT_ACCESS_ENTITLEMENT]: [NETLANES_DEXT_BUNDLE_ID, LAB_BUNDLE_ID],
};

/** A Tx policy in names (the driver's TxPolicy has this shape). */
export interface TxPolicyValue {
  txScheduler: (typeof TX_MODES)[number];
  drrQuanta: [number, number, number, number];
  floors: [number, number, number, number];
  maxBps: [number, number, number, number];
  pcp: [number, number, number, number];
}

type Four = [number, number, number, number];
const four = (a: number[]) => a as Four;

export function policyFromRecord(r: TxPolicyRecord): TxPolicyValue {
  return {
    txScheduler: TX_MODES[r.mode] ?? 'sp',
    drrQuanta: four(r.quanta),
    floors: four(r.floors),
    maxBps: four(r.maxBps),
    pcp: four(r.pcp),
  };
}

export function recordFromPolicy(p: TxPolicyValue): TxPolicyRecord {
  return {
    mode: TX_MODES.indexOf(p.txScheduler),
    quanta: p.drrQuanta,
    floors: p.floors,
    maxBps: p.maxBps,
    pcp: p.pcp,
  };
}

/** An async completion: [status, values]. */
export type CompletionHandler = (status: IOReturn, args: readonly number[]) => void;

export class DriverClient {
  private nextReference = 1;
  private readonly handlers = new Map<number, CompletionHandler>();
  /** Async calls whose sync part succeeded and whose completion has not arrived. */
  private pendingAsync = 0;
  /** The last async call that completed with an error status, for the caller to check. */
  lastAsyncFailure: CallError | null = null;
  private statsView: StatsView | null = null;
  terminated = false;

  private constructor(
    private readonly kernel: DextKernel,
    readonly connection: number,
  ) {}

  /** IOServiceGetMatchingService + IOServiceOpen; throws CallError when the open fails. */
  static open(kernel: DextKernel, entitlements = APP_ENTITLEMENTS): DriverClient {
    const service = kernel.match({ name: NETLANES_SERVICE_NAME });
    if (service === 0)
      throw new Error(`IOServiceGetMatchingService: no service named ${NETLANES_SERVICE_NAME}`);
    const { ret, connection } = kernel.open(service, NETLANES_USER_CLIENT_TYPE, entitlements);
    if (ret !== kIOReturnSuccess) throw new CallError('IOServiceOpen', ret);
    return new DriverClient(kernel, connection);
  }

  /** The machine routes the kernel's notifications for this connection here. */
  notified(n: KernelNotification): void {
    if (n.kind === 'terminated') {
      this.terminated = true;
      return;
    }
    const handler = this.handlers.get(n.reference[1]);
    handler?.(n.status, n.args);
  }

  /** Async calls whose completion has not arrived yet. */
  get inFlight(): number {
    return this.pendingAsync;
  }

  raw(call: RawCall, onCompletion?: CompletionHandler): RawResult {
    let reference: number[] | undefined;
    if (call.async) {
      const id = this.nextReference++;
      reference = [0, id];
      const once = onCompletion === undefined;
      this.pendingAsync += once ? 1 : 0;
      this.handlers.set(id, (status, args) => {
        if (once) {
          this.handlers.delete(id);
          this.pendingAsync--;
          if (status !== kIOReturnSuccess)
            this.lastAsyncFailure = new CallError(`completion of selector ${call.selector}`, status);
        } else onCompletion(status, args);
      });
    }
    const r = this.kernel.call({
      connection: this.connection,
      selector: call.selector,
      scalarInput: call.scalarInput,
      structInput: call.structInput,
      scalarOutputCount: call.scalarOutputCount,
      structOutputSize: call.structOutputSize,
      ...(reference ? { asyncReference: reference } : {}),
    });
    if (r.ret !== kIOReturnSuccess && reference) {
      if (onCompletion === undefined) this.pendingAsync--;
      this.handlers.delete(reference[1]);
    }
    return r;
  }

  private must(name: string, call: RawCall): RawResult {
    const r = this.raw(call);
    if (r.ret !== kIOReturnSuccess) throw new CallError(name, r.ret);
    return r;
  }

  info(): DriverInfo {
    return Calls.decodeInfo(this.raw(Calls.getInfo()));
  }

  txPolicy(): TxPolicyValue {
    return policyFromRecord(Calls.decodeTxPolicy(this.raw(Calls.getTxPolicy())));
  }

  /** Changes the policy (merged with the one in force); returns the driver's answer. */
  setTxPolicy(change: Partial<TxPolicyValue>): IOReturn {
    return this.raw(Calls.setTxPolicy(recordFromPolicy({ ...this.txPolicy(), ...change }))).ret;
  }

  setMtu(mtu: number): IOReturn {
    return this.raw(Calls.setMtu(mtu)).ret;
  }

  setInterfaceEnable(enable: boolean): IOReturn {
    return this.raw(Calls.setInterfaceEnable(enable)).ret;
  }

  setAppSettings(generation: number, settings: readonly AppSettingRecord[]): void {
    this.must('SetAppSettings', Calls.setAppSettings(generation, settings));
  }

  setFlows(generation: number, entries: readonly FlowEntryRecord[]): void {
    this.must('SetFlows', Calls.setFlows(generation, entries));
  }

  setRuleSet(generation: number, json: string): void {
    this.must('SetRuleSet', Calls.setRuleSet(generation, json));
  }

  ruleSet(): { generation: number; json: string } {
    return Calls.decodeRuleSet(this.raw(Calls.getRuleSet()));
  }

  explainApp(slot: number): string[] {
    return Calls.decodeText(this.raw(Calls.explainApp(slot)));
  }

  explainPacket(d: PacketDescription): string[] {
    return Calls.decodeText(this.raw(Calls.explainPacket(d)));
  }

  stats(): StatsSnapshot {
    return Calls.decodeStats(this.raw(Calls.getStats()));
  }

  flows(slot = ALL_SLOTS): FlowStatRecord[] {
    return Calls.decodeFlows(this.raw(Calls.getFlows(slot)));
  }

  diagnose(): FindingRecord[] {
    return Calls.decodeFindings(this.raw(Calls.diagnose()));
  }

  events(sinceSequence = 0): EventRecord[] {
    return Calls.decodeEvents(this.raw(Calls.getEvents(sinceSequence)));
  }

  /** Subscribes to driver events (Link, Driver, Generation, FlowTablePressure); each arrives as [kind, ...]. */
  subscribe(onEvent: CompletionHandler, mask = ALL_EVENTS): IOReturn {
    return this.raw(Calls.subscribe(mask), onEvent).ret;
  }

  /** IOConnectMapMemory64 of the statistics region, as typed views over the shared bytes. */
  mapStats(appSlots: number): StatsView {
    if (this.statsView !== null) return this.statsView;
    const m = this.kernel.map(this.connection, MemoryType.Stats);
    if (m.ret !== kIOReturnSuccess || m.buffer === null)
      throw new CallError('IOConnectMapMemory64(Stats)', m.ret);
    this.statsView = new StatsView(m.buffer, m.offset, appSlots);
    return this.statsView;
  }

  /** IOConnectMapMemory64 of any memory type: the shared bytes (read-only ones must not be written). */
  map(type: number): { bytes: Uint8Array; readOnly: boolean } {
    const m = this.kernel.map(this.connection, type);
    if (m.ret !== kIOReturnSuccess || m.buffer === null)
      throw new CallError(`IOConnectMapMemory64(${type})`, m.ret);
    return { bytes: new Uint8Array(m.buffer, m.offset, m.length), readOnly: m.readOnly };
  }

  unmap(type: number): IOReturn {
    if (type === MemoryType.Stats) this.statsView = null;
    return this.kernel.unmap(this.connection, type);
  }

  close(): IOReturn {
    this.handlers.clear();
    this.statsView = null;
    return this.kernel.close(this.connection);
  }
}
