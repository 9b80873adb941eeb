/**
 * What the driver offers its user clients, one method per ABI call: everything the app may
 * read or change, checked here before anything changes. The user client (user-client.ts)
 * decodes the call and encodes the reply; this file knows the driver's parts.
 */
import { explainPacket, explainSlot } from './tx-explain.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNoSpace,
  kIOReturnNotReady,
  kIOReturnSuccess,
  type IOReturn,
} from '../kit/io-return.ts';
import type { IOUserClientMemory } from '../kit/io-user-client.ts';
import type { OSAction } from '../kit/os-action.ts';
import {
  ALL_EVENTS,
  DRIVER_EVENT_CODES,
  EventKind,
  FLOW_ADD,
  FLOW_REMOVE,
  RULESET_FORMAT_JSON,
  encodeRuleSet,
  RULESET_HEADER_BYTES,
  RULESET_MAX_BYTES,
  SEVERITY_INFO,
  SEVERITY_WARNING,
  TX_MODES,
  INFO_DEVICE_REMOVED,
  INFO_ENABLED,
  INFO_LINK_UP,
  MemoryType,
  NETLANES_ABI_VERSION,
  type AppSettingRecord,
  type DriverInfo,
  type PacketDescription,
  type EventRecord,
  type FindingRecord,
  type FlowEntryRecord,
  type FlowStatRecord,
  type StatsSnapshot,
  type TxPolicyRecord,
} from '../abi/netlanes-abi.ts';
import type { DriverEvent, DriverEventLog } from './driver-events.ts';
import { finding } from './bring-up-check.ts';
import type { CaptureWriter } from './client-regions.ts';
import type { DriverStats } from './driver-stats.ts';
import type { TxPath } from './tx-path.ts';
import type { TxPolicy } from './tx-policy.ts';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** Flow-table use at which subscribers hear of pressure (OURS: 90 %). */
const PRESSURE_SHARE = 0.9;

/** A completion a client left with Subscribe: events it asked for go there until it closes. */
interface Subscription {
  owner: object;
  action: OSAction<[IOReturn, readonly number[]]>;
  mask: number;
  complete: (
    action: OSAction<[IOReturn, readonly number[]]>,
    status: IOReturn,
    data: readonly number[],
  ) => void;
}

/** What the driver face gives its control surface (state the parts do not hold). */
export interface DriverFacts {
  enabled(): boolean;
  linkUp(): boolean;
  removed(): boolean;
  resets(): number;
  hangs(): number;
  policy(): TxPolicy;
  setPolicy(policy: Partial<TxPolicy>): IOReturn;
  now(): number;
  /** Bring-up findings from the networking objects (queues, pool, link report). */
  findings(): FindingRecord[];
  /** What GetInfo reports that only the driver face knows. */
  identity(): Pick<
    DriverInfo,
    | 'mac'
    | 'linkBps'
    | 'linkStatus'
    | 'media'
    | 'mtu'
    | 'maxMtu'
    | 'pciVendorId'
    | 'pciDeviceId'
    | 'appSlots'
    | 'flowCapacity'
  >;
  setMtu(mtu: number): IOReturn;
  setInterfaceEnable(enable: boolean): IOReturn;
  /** Folds the device's read-to-clear counters in (netstat triggers igb's get_stats64). */
  refreshCounters(): void;
}

/** The memory a client may map, made in Start. */
export interface ClientRegions {
  stats: IOUserClientMemory;
  ringState: IOUserClientMemory;
  capture: IOUserClientMemory;
  command: IOUserClientMemory;
  captureWriter: CaptureWriter;
}

export const DRIVER_MODEL = 'SIM-I2xx Ethernet (I210-class)';
export const DRIVER_VERSION = '1.0.0';

export class DriverControl {
  private regions: ClientRegions | null = null;
  private ruleSet: Uint8Array = encodeRuleSet(0, new Uint8Array(0));
  private ruleSetGeneration = 0;
  private readonly subscriptions: Subscription[] = [];
  private pressureReported = false;

  constructor(
    private readonly tx: TxPath,
    private readonly stats: DriverStats,
    private readonly events: DriverEventLog,
    private readonly facts: DriverFacts,
  ) {}

  attachRegions(regions: ClientRegions | null): void {
    this.regions = regions;
  }

  info(): DriverInfo {
    const f = this.facts;
    return {
      ...f.identity(),
      abiVersion: NETLANES_ABI_VERSION,
      queueCount: 4,
      flags:
        (f.enabled() ? INFO_ENABLED : 0) |
        (f.linkUp() ? INFO_LINK_UP : 0) |
        (f.removed() ? INFO_DEVICE_REMOVED : 0),
      ruleSetGeneration: this.ruleSetGeneration,
      settingsGeneration: this.tx.settings.generation,
      model: DRIVER_MODEL,
      driverVersion: DRIVER_VERSION,
    };
  }

  setMtu(mtu: number): IOReturn {
    return this.facts.setMtu(mtu);
  }

  setInterfaceEnable(enable: boolean): IOReturn {
    return this.facts.setInterfaceEnable(enable);
  }

  eventsSince(sequence: number): readonly DriverEvent[] {
    return this.events.since(sequence);
  }

  /** The descriptor behind a memory type, the same one on every call; null before Start or for an unknown type. */
  memoryFor(type: number): { memory: IOUserClientMemory; readOnly: boolean } | null {
    const r = this.regions;
    if (r === null) return null;
    switch (type) {
      case MemoryType.Stats:
        return { memory: r.stats, readOnly: true };
      case MemoryType.RingState:
        return { memory: r.ringState, readOnly: true };
      case MemoryType.Capture:
        return { memory: r.capture, readOnly: true };
      case MemoryType.Command:
        return { memory: r.command, readOnly: false };
      default:
        return null;
    }
  }

  setCapture(enable: boolean, snap: number): IOReturn {
    if (this.regions === null) return kIOReturnNotReady;
    this.regions.captureWriter.configure(enable, snap);
    return kIOReturnSuccess;
  }

  explainSlot(slot: number): string[] {
    return explainSlot(this.tx, slot);
  }

  explainPacket(d: PacketDescription): string[] {
    return explainPacket(this.tx, d);
  }

  get settingsGeneration(): number {
    return this.tx.settings.generation;
  }

  get currentRuleSetGeneration(): number {
    return this.ruleSetGeneration;
  }

  // ---------------------------------------------------------------- policy

  policyRecord(): TxPolicyRecord {
    const p = this.facts.policy();
    return {
      mode: TX_MODES.indexOf(p.txScheduler),
      pcp: [...p.pcp],
      quanta: [...p.drrQuanta],
      floors: [...p.floors],
      maxBps: [...p.maxBps],
    };
  }

  setPolicy(r: TxPolicyRecord): IOReturn {
    const mode = TX_MODES[r.mode];
    if (mode === undefined) return kIOReturnBadArgument;
    const four = (a: number[]) => a as unknown as [number, number, number, number];
    return this.facts.setPolicy({
      txScheduler: mode,
      pcp: four(r.pcp),
      drrQuanta: four(r.quanta),
      floors: four(r.floors),
      maxBps: four(r.maxBps),
    });
  }

  // ---------------------------------------------------------------- flows and settings

  /** What is wrong with a flow batch, naming the entry, or null. */
  invalidFlows(entries: readonly FlowEntryRecord[]): string | null {
    const slots = this.tx.settings.slots;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.op !== FLOW_ADD && e.op !== FLOW_REMOVE)
        return `flow ${i}: op must be ${FLOW_ADD} (add) or ${FLOW_REMOVE} (remove)`;
      if (e.protocol !== IPPROTO_TCP && e.protocol !== IPPROTO_UDP && e.protocol !== IPPROTO_ICMP)
        return `flow ${i}: protocol must be 6 (TCP), 17 (UDP) or 1 (ICMP)`;
      if (e.op === FLOW_ADD && (e.slot < 1 || e.slot >= slots))
        return `flow ${i}: slot must be 1..${slots - 1}`;
    }
    return null;
  }

  applyFlows(entries: readonly FlowEntryRecord[]): void {
    const flows = this.tx.classifier.flows;
    const now = this.facts.now();
    const before = flows.count;
    for (const e of entries) {
      if (e.op === FLOW_ADD)
        flows.upsert(e.protocol, e.localIp, e.remoteIp, e.localPort, e.remotePort, e.slot, e.flowId, now);
      else flows.remove(e.protocol, e.localIp, e.remoteIp, e.localPort, e.remotePort);
    }
    // A flow's first packets may have come before its entry: give them to it now.
    if (flows.count > before || entries.some((e) => e.op === FLOW_ADD)) this.tx.adoptEarlyPackets();
    const pressed = flows.count >= PRESSURE_SHARE * flows.maxEntries;
    if (pressed && !this.pressureReported)
      this.publish(EventKind.FlowTablePressure, [flows.count, flows.maxEntries, flows.evictions]);
    this.pressureReported = pressed;
  }

  invalidSettings(records: readonly AppSettingRecord[]): string | null {
    return this.tx.settings.invalid(records);
  }

  applySettings(records: readonly AppSettingRecord[], generation: number): void {
    this.tx.applySettings(records, generation, this.facts.enabled());
    this.publish(EventKind.Generation, [generation, this.ruleSetGeneration]);
  }

  // ---------------------------------------------------------------- rule set (opaque to the driver)

  /** Stores a rule set's bytes (header + UTF-8 JSON) as the app sent it; the data path never reads it. */
  setRuleSet(bytes: Uint8Array): IOReturn {
    if (bytes.length < RULESET_HEADER_BYTES) return kIOReturnBadArgument;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const format = v.getUint32(0, true);
    const generation = v.getUint32(4, true);
    const length = v.getUint32(8, true);
    if (format !== RULESET_FORMAT_JSON || length !== bytes.length - RULESET_HEADER_BYTES)
      return kIOReturnBadArgument;
    if (length > RULESET_MAX_BYTES) return kIOReturnNoSpace;
    this.ruleSet = bytes.slice();
    this.ruleSetGeneration = generation;
    this.publish(EventKind.Generation, [this.tx.settings.generation, generation]);
    return kIOReturnSuccess;
  }

  ruleSetBytes(): Uint8Array {
    return this.ruleSet;
  }

  // ---------------------------------------------------------------- reading

  snapshot(): StatsSnapshot {
    this.facts.refreshCounters();
    const s = this.stats;
    const d = s.drops;
    const f = this.tx.classifier.flows;
    return {
      ipkts: s.total(s.rxPackets),
      ierrs: s.crcErrors + s.rxErrors + s.rxMissed,
      opkts: s.total(s.txPackets),
      oerrs: d.swQueueFull + d.aqm + d.capExceeded + d.completionFull + d.aborted,
      rxNoBuffer: s.rxNoBuffer,
      txBytes: s.total(s.txBytes),
      rxBytes: s.total(s.rxBytes),
      dropQueueFull: d.swQueueFull,
      dropAqm: d.aqm,
      dropCap: d.capExceeded,
      dropCompletionFull: d.completionFull,
      dropAborted: d.aborted,
      rxErrors: d.rxErrors,
      rxCompletionFull: d.rxCompletionFull,
      hangs: this.facts.hangs(),
      resets: this.facts.resets(),
      flowHits: f.hits,
      flowMisses: f.misses,
      flowEvictions: f.evictions,
      flowEntries: f.count,
      missWindows: f.missWindows,
      missWindowMeanNs: f.missWindows > 0 ? f.missWindowSumNs / f.missWindows : 0,
      missWindowMaxNs: f.missWindowMaxNs,
      queuePackets: Array.from(s.txPackets),
      queueBytes: Array.from(s.txBytes),
      queueDrops: Array.from(s.txQueueDrops),
      hwTxPackets: s.txGoodPackets,
      hwRxPackets: s.rxGoodPackets,
      rxMissed: s.rxMissed,
      xoffReceived: s.xoffReceived,
      heldPackets: this.tx.shaper.heldCount(),
      interrupts: s.interrupts,
    };
  }

  /** The flows of one slot, or of all when `slot` is 0xffffffff. */
  flows(slot: number): FlowStatRecord[] {
    const f = this.tx.classifier.flows;
    const out: FlowStatRecord[] = [];
    f.forEach((b) => {
      if (slot !== 0xffffffff && f.slot[b] !== slot) return;
      const t = f.tupleOf(b);
      const q = this.tx.classifier.settingOf(f.slot[b]);
      out.push({
        protocol: t.proto,
        queue: q,
        localIp: t.localIp,
        remoteIp: t.remoteIp,
        localPort: t.localPort,
        remotePort: t.remotePort,
        slot: f.slot[b],
        flowId: f.flowId[b],
        packets: f.packets[b],
        bytes: f.bytes[b],
        lastSeenNs: f.lastSeenNs[b],
      });
    });
    return out;
  }

  /** Why packets do not flow right now; one "ok" finding when nothing is wrong. */
  diagnose(): FindingRecord[] {
    const found = this.facts.findings();
    const flows = this.tx.classifier.flows;
    if (flows.count >= flows.maxEntries)
      found.push(
        finding(
          SEVERITY_WARNING,
          'flow-table-full',
          'FlowTable',
          `${flows.count} flows: new ones evict the least recently seen`,
        ),
      );
    if (found.length === 0)
      found.push(
        finding(SEVERITY_INFO, 'ok', 'NetLanesDriver', 'packets can flow: enabled, link up, queues armed'),
      );
    return found;
  }

  // ---------------------------------------------------------------- events

  subscribe(
    owner: object,
    action: OSAction<[IOReturn, readonly number[]]>,
    mask: number,
    complete: Subscription['complete'],
  ): IOReturn {
    // `&` sees only 32 bits: a mask above ALL_EVENTS is refused before any bit test.
    if (mask > ALL_EVENTS || (mask & ~ALL_EVENTS) !== 0 || mask === 0) return kIOReturnBadArgument;
    this.unsubscribe(owner);
    action.retain();
    this.subscriptions.push({ owner, action, mask, complete });
    return kIOReturnSuccess;
  }

  unsubscribe(owner: object): void {
    for (let i = this.subscriptions.length - 1; i >= 0; i--) {
      if (this.subscriptions[i].owner !== owner) continue;
      this.subscriptions[i].action.release();
      this.subscriptions.splice(i, 1);
    }
  }

  publish(kind: number, args: readonly number[]): void {
    for (const s of this.subscriptions)
      if ((s.mask & (1 << kind)) !== 0) s.complete(s.action, kIOReturnSuccess, [kind, ...args]);
  }

  /** The driver logged an event: subscribers to Driver events hear its code and sequence. */
  driverEvent(e: DriverEvent): void {
    this.publish(EventKind.Driver, [DRIVER_EVENT_CODES.indexOf(e.kind), e.sequence]);
  }

  eventRecords(events: readonly DriverEvent[]): EventRecord[] {
    return events.map((e) => ({
      timeNs: e.timeNs,
      code: DRIVER_EVENT_CODES.indexOf(e.kind),
      sequence: e.sequence,
      detail: e.detail,
    }));
  }
}
