import { LATENCY_BUCKETS } from '../abi/latency-buckets.ts';
import { FCS_BYTES, IFG_BYTES, LINK_BPS, PREAMBLE_BYTES, type LinkSpeed } from '../sim/units.ts';
import { appLatency, type LatencyFigures } from '../abi/stats-reader.ts';
import type { DriverInfo, StatsSnapshot } from '../abi/netlanes-abi.ts';
import type { DriverDrops, NetstatRow } from '../driver/driver-stats.ts';
import type { Machine } from './machine.ts';
import { bufferbloatGrade, type Grade } from './bufferbloat-grade.ts';
import { decide } from '../rules/rule-matching.ts';

export type { LatencyFigures };

export interface AppReport {
  appId: number;
  name: string;
  bundleId: string;
  serviceClass: string;
  /** Hardware queue its packets used last (0 lowest … 3 highest). */
  queue: number;
  txPackets: number;
  txBytes: number;
  txBps: number;
  rxPackets: number;
  rxBps: number;
  /** Packets the app sent that never reached the wire, by any cause. */
  drops: number;
  /** From the driver taking it off the Tx submission queue to its SFD on the wire, ns (the driver's record). */
  latency: LatencyFigures;
  /** The driver's latency histogram of the app, as [bucket, count] pairs with count > 0 (abi/latency-buckets.ts). */
  latencyBuckets: [number, number][];
  grade: Grade;
  /** Ping round trips, ns (ping apps). */
  rtt: LatencyFigures | null;
}

export interface QueueReport {
  queue: number;
  packets: number;
  bytes: number;
  bps: number;
  /** Share of the bytes sent on all queues. */
  share: number;
  drops: number;
}

export interface ScenarioReport {
  scenario: string;
  seed: number;
  link: LinkSpeed;
  durationNs: number;
  rulesGeneration: number;
  apps: AppReport[];
  queues: QueueReport[];
  /** Wire time used by transmitted frames (incl. preamble, FCS, IFG) / elapsed time. */
  linkUtilisation: number;
  netstat: NetstatRow;
  /** What the driver dropped or aborted, by cause. */
  driverDrops: DriverDrops;
  /**
   * The driver's flow table: lookups that hit and missed, and the windows in which a new flow's
   * first packets ran before its entry arrived (classified by service class meanwhile).
   */
  flowTable: {
    entries: number;
    hits: number;
    misses: number;
    evictions: number;
    missWindows: number;
    missWindowMeanNs: number;
    missWindowMaxNs: number;
  };
  capturedFrames: number;
}

const NO_LATENCY: LatencyFigures = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

/**
 * The queue an app's packets use: what the driver last put them on (its statistics region),
 * else — for an app that has sent nothing — what the rules or the service-class default decide.
 */
function queueOf(machine: Machine, slot: number, appId: number): number {
  if (slot > 0 && machine.stats.app.txPackets[slot] > 0) return machine.stats.app.currentQueue[slot];
  if (machine.singleQueue) return 0;
  const app = machine.apps[appId - 1];
  return app ? decide(machine.currentRules, app, machine.minuteOfWeek).queue : -1;
}

/** One `netstat -I` row from what the driver reports through its user client. */
export function netstatRow(info: DriverInfo, s: StatsSnapshot): NetstatRow {
  return {
    name: 'en0',
    mtu: info.mtu,
    address: Array.from(info.mac, (b) => b.toString(16).padStart(2, '0')).join(':'),
    Ipkts: s.ipkts,
    Ierrs: s.ierrs,
    Opkts: s.opkts,
    Oerrs: s.oerrs,
    Coll: 0,
    Drop: s.rxNoBuffer,
  };
}

/** An app slot's latency histogram from the statistics region, sparse. */
function histogramOf(view: Machine['stats'], slot: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < LATENCY_BUCKETS; b++) {
    const n = view.latency[slot * LATENCY_BUCKETS + b];
    if (n > 0) out.push([b, n]);
  }
  return out;
}

/** Builds the report of a machine that ran for `durationNs` of traffic (control path). */
export function buildReport(machine: Machine, durationNs: number): ScenarioReport {
  const seconds = durationNs / 1e9;
  const snapshot = machine.client.stats();
  const info = machine.client.info();
  const view = machine.stats;
  const apps: AppReport[] = machine.stack.allAppStats().map((a) => {
    const drops = a.txDropQueueFull + a.txDropPoolEmpty + a.txDropInterfaceDown + a.txErrors;
    const slot = machine.agent.slotOf(machine.apps[a.appId - 1]);
    const latency = slot > 0 ? appLatency(view, slot) : NO_LATENCY;
    return {
      appId: a.appId,
      name: a.name,
      bundleId: a.bundleId,
      serviceClass: a.serviceClassName,
      queue: queueOf(machine, slot, a.appId),
      txPackets: a.txCompleted,
      txBytes: a.txCompletedBytes,
      txBps: (a.txCompletedBytes * 8) / seconds,
      rxPackets: a.rxPackets,
      rxBps: (a.rxBytes * 8) / seconds,
      drops,
      latency,
      latencyBuckets: slot > 0 ? histogramOf(view, slot) : [],
      grade: bufferbloatGrade(latency.mean),
      rtt: a.rtt.count > 0 ? a.rtt : null,
    };
  });
  const s = snapshot;
  const totalBytes = s.queueBytes.reduce((a, b) => a + b, 0);
  const queues: QueueReport[] = s.queueBytes.map((bytes, q) => ({
    queue: q,
    packets: s.queuePackets[q],
    bytes,
    bps: (bytes * 8) / seconds,
    share: totalBytes > 0 ? bytes / totalBytes : 0,
    drops: s.queueDrops[q],
  }));
  // The driver's counts survive resets and removal; each frame also took FCS, preamble+SFD and IFG.
  const wireBits = (totalBytes + (FCS_BYTES + PREAMBLE_BYTES + IFG_BYTES) * s.opkts) * 8;
  return {
    scenario: machine.scenario.name,
    seed: machine.seed,
    link: machine.link,
    durationNs,
    rulesGeneration: info.ruleSetGeneration,
    apps,
    queues,
    linkUtilisation: wireBits / (LINK_BPS[machine.link] * seconds),
    netstat: netstatRow(info, s),
    driverDrops: {
      swQueueFull: s.dropQueueFull,
      aqm: s.dropAqm,
      capExceeded: s.dropCap,
      completionFull: s.dropCompletionFull,
      aborted: s.dropAborted,
      rxErrors: s.rxErrors,
      rxCompletionFull: s.rxCompletionFull,
    },
    flowTable: {
      entries: s.flowEntries,
      hits: s.flowHits,
      misses: s.flowMisses,
      evictions: s.flowEvictions,
      missWindows: s.missWindows,
      missWindowMeanNs: s.missWindowMeanNs,
      missWindowMaxNs: s.missWindowMaxNs,
    },
    capturedFrames: machine.tap ? machine.tap.txFrames + machine.tap.rxFrames : 0,
  };
}
