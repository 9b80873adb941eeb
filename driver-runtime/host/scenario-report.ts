import { IFG_BYTES, LINK_BPS, PREAMBLE_BYTES, type LinkSpeed } from '../sim/units.ts';
import type { NetstatRow } from '../driver/driver-stats.ts';
import type { Machine } from './machine.ts';
import { bufferbloatGrade, type Grade } from './bufferbloat-grade.ts';
import { decide } from '../rules/rule-matching.ts';

export interface LatencyFigures {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

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
  /** Enqueue (Tx submission) to wire (SFD), ns. */
  latency: LatencyFigures;
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
  capturedFrames: number;
}

function figures(s: {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}): LatencyFigures {
  return { count: s.count, min: s.min, mean: s.mean, p50: s.p50, p99: s.p99, p999: s.p999, max: s.max };
}

/**
 * The queue an app's packets use: the forced queue of the single-FIFO baseline, else what the
 * rules (or the service-class default) decide — known even for apps that have sent nothing.
 */
function queueOf(machine: Machine, appId: number): number {
  const forced = machine.driver.classifier.forcedQueue;
  if (forced >= 0) return forced;
  const app = machine.apps[appId - 1];
  return app ? decide(machine.currentRules, app, machine.minuteOfWeek).queue : -1;
}

/** Builds the report of a machine that ran for `durationNs` of traffic (control path). */
export function buildReport(machine: Machine, durationNs: number): ScenarioReport {
  const seconds = durationNs / 1e9;
  const netstat = machine.driver.netstat();
  const apps: AppReport[] = machine.stack.allAppStats().map((a) => {
    const drops = a.txDropQueueFull + a.txDropPoolEmpty + a.txDropInterfaceDown + a.txErrors;
    return {
      appId: a.appId,
      name: a.name,
      bundleId: a.bundleId,
      serviceClass: a.serviceClassName,
      queue: queueOf(machine, a.appId),
      txPackets: a.txCompleted,
      txBytes: a.txCompletedBytes,
      txBps: (a.txCompletedBytes * 8) / seconds,
      rxPackets: a.rxPackets,
      rxBps: (a.rxBytes * 8) / seconds,
      drops,
      latency: figures(a.latency),
      grade: bufferbloatGrade(a.latency.mean),
      rtt: a.rtt.count > 0 ? figures(a.rtt) : null,
    };
  });
  const rings = machine.driver.txRings;
  const totalBytes = rings.reduce((s, r) => s + r.bytes, 0);
  const queues: QueueReport[] = rings.map((r, q) => ({
    queue: q,
    packets: r.packets,
    bytes: r.bytes,
    bps: (r.bytes * 8) / seconds,
    share: totalBytes > 0 ? r.bytes / totalBytes : 0,
    drops: machine.driver.stats.txQueueDrops[q],
  }));
  const s = machine.driver.stats;
  // GOTC octets already include the FCS; add preamble+SFD and the inter-frame gap per frame.
  const wireBits = (s.txGoodOctets + (PREAMBLE_BYTES + IFG_BYTES) * s.txGoodPackets) * 8;
  return {
    scenario: machine.scenario.name,
    seed: machine.seed,
    link: machine.link,
    durationNs,
    rulesGeneration: machine.driver.classifier.generation,
    apps,
    queues,
    linkUtilisation: wireBits / (LINK_BPS[machine.link] * seconds),
    netstat,
    capturedFrames: machine.tap ? machine.tap.txFrames + machine.tap.rxFrames : 0,
  };
}
