import { FCS_BYTES, IFG_BYTES, LINK_BPS, PREAMBLE_BYTES, type LinkSpeed } from '../sim/units.ts';
import { appLatency, type LatencyFigures } from '../abi/stats-reader.ts';
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
  capturedFrames: number;
}

const NO_LATENCY: LatencyFigures = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

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
  const driver = machine.driver;
  const netstat = driver.netstat();
  const view = driver.statsView;
  const apps: AppReport[] = machine.stack.allAppStats().map((a) => {
    const drops = a.txDropQueueFull + a.txDropPoolEmpty + a.txDropInterfaceDown + a.txErrors;
    const latency = view ? appLatency(view, a.appId) : NO_LATENCY;
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
      latency,
      grade: bufferbloatGrade(latency.mean),
      rtt: a.rtt.count > 0 ? a.rtt : null,
    };
  });
  const s = driver.stats;
  const totalBytes = s.total(s.txBytes);
  const queues: QueueReport[] = Array.from(s.txBytes, (bytes, q) => ({
    queue: q,
    packets: s.txPackets[q],
    bytes,
    bps: (bytes * 8) / seconds,
    share: totalBytes > 0 ? bytes / totalBytes : 0,
    drops: s.txQueueDrops[q],
  }));
  // The driver's counts survive resets and removal; each frame also took FCS, preamble+SFD and IFG.
  const wireBits = (totalBytes + (FCS_BYTES + PREAMBLE_BYTES + IFG_BYTES) * s.total(s.txPackets)) * 8;
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
    driverDrops: { ...s.drops },
    capturedFrames: machine.tap ? machine.tap.txFrames + machine.tap.rxFrames : 0,
  };
}
