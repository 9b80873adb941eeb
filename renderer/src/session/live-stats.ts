/**
 * Turns the mapped statistics region into what the screens show: rates from counter
 * differences over the driver's own clock, 60 seconds of history, and each app's latency over
 * the last few seconds (histogram differences), so a lane change shows in its p99 within a
 * second or two instead of drowning in everything it waited before.
 */
import { H_UPDATED_AT_NS, STATS_QUEUES, type StatsView } from '../../../driver-runtime/abi/stats-layout.ts';
import { LATENCY_BUCKETS, percentileFromBuckets } from '../../../driver-runtime/abi/latency-buckets.ts';

/** How often the page samples the replica (UI.md: live numbers a few times a second). */
export const SAMPLE_MS = 500;
/** Samples kept for sparklines: 60 seconds. */
export const HISTORY = 120;
/** Samples the latency window spans: 5 seconds. */
const LATENCY_WINDOW = 10;

export interface LaneLive {
  queue: number;
  txBps: number;
  /** Waiting in the driver's class queue plus in flight on the ring. */
  queuedBytes: number;
  drops: number;
  history: number[];
}

export interface SlotLive {
  txBps: number;
  rxBps: number;
  txHistory: number[];
  rxHistory: number[];
  /** The hardware queue the driver last put its packets on, or -1 before its first packet. */
  queue: number;
  /** Whether it sent anything in the last sample. */
  sending: boolean;
  drops: number;
  /** Enqueue-to-wire latency over the last 5 s (ns), null when it sent nothing. */
  p50: number | null;
  p99: number | null;
  meanNs: number | null;
  packetsInWindow: number;
}

interface SlotState {
  tx: number;
  rx: number;
  txHistory: number[];
  rxHistory: number[];
  /** Snapshots of the latency histogram and sum, oldest first. */
  latency: { counts: Uint32Array; sum: number }[];
}

const zeros = (): number[] => [];
const push = (history: number[], v: number) => [...history.slice(-(HISTORY - 1)), v];

export class LiveSampler {
  private atNs = -1;
  private laneBytes = [0, 0, 0, 0];
  private laneHistory = [zeros(), zeros(), zeros(), zeros()];
  private laneRates = [0, 0, 0, 0];
  private readonly slots = new Map<number, SlotState>();
  private readonly last = new Map<number, SlotLive>();

  /** One sample; slots are the app slots to follow. */
  sample(view: StatsView, slots: readonly number[]): { lanes: LaneLive[]; apps: Map<number, SlotLive> } {
    const at = view.header.getFloat64(H_UPDATED_AT_NS, true);
    const dt = this.atNs < 0 ? 0 : (at - this.atNs) / 1e9;
    const fresh = dt > 0;
    const q = view.queue;
    for (let i = 0; i < STATS_QUEUES; i++) {
      if (fresh) {
        this.laneRates[i] = Math.max(0, ((q.txBytes[i] - this.laneBytes[i]) * 8) / dt);
        this.laneHistory[i] = push(this.laneHistory[i], this.laneRates[i]);
      }
      this.laneBytes[i] = q.txBytes[i];
    }
    const lanes = [0, 1, 2, 3].map((i) => ({
      queue: i,
      txBps: this.laneRates[i],
      queuedBytes: q.swQueueBytes[i] + q.ringInflightBytes[i],
      drops: q.drops[i],
      history: this.laneHistory[i],
    }));
    const apps = new Map<number, SlotLive>();
    for (const slot of slots) {
      const live = fresh || !this.last.has(slot) ? this.sampleSlot(view, slot, dt) : this.last.get(slot)!;
      this.last.set(slot, live);
      apps.set(slot, live);
    }
    if (fresh || this.atNs < 0) this.atNs = at;
    return { lanes, apps };
  }

  private sampleSlot(view: StatsView, slot: number, dt: number): SlotLive {
    const a = view.app;
    const tx = a.txBytes[slot];
    const rx = a.rxBytes[slot];
    let s = this.slots.get(slot);
    if (s === undefined) {
      s = { tx, rx, txHistory: zeros(), rxHistory: zeros(), latency: [] };
      this.slots.set(slot, s);
    }
    const txBps = dt > 0 ? Math.max(0, ((tx - s.tx) * 8) / dt) : 0;
    const rxBps = dt > 0 ? Math.max(0, ((rx - s.rx) * 8) / dt) : 0;
    if (dt > 0) {
      s.txHistory = push(s.txHistory, txBps);
      s.rxHistory = push(s.rxHistory, rxBps);
    }
    s.tx = tx;
    s.rx = rx;
    const base = slot * LATENCY_BUCKETS;
    const counts = view.latency.slice(base, base + LATENCY_BUCKETS);
    s.latency = [...s.latency.slice(-LATENCY_WINDOW), { counts, sum: a.latencySum[slot] }];
    const oldest = s.latency[0];
    const window = new Uint32Array(LATENCY_BUCKETS);
    let n = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      // The oldest snapshot is subtracted only once it is older than this one.
      const d = s.latency.length > 1 ? counts[i] - oldest.counts[i] : counts[i];
      window[i] = d > 0 ? d : 0;
      n += window[i];
    }
    const sum = s.latency.length > 1 ? a.latencySum[slot] - oldest.sum : a.latencySum[slot];
    const drops =
      a.dropQueueFull[slot] +
      a.dropAqm[slot] +
      a.dropCap[slot] +
      a.dropCompletionFull[slot] +
      a.dropAborted[slot];
    return {
      txBps,
      rxBps,
      txHistory: s.txHistory,
      rxHistory: s.rxHistory,
      queue: a.txPackets[slot] > 0 ? a.currentQueue[slot] : -1,
      sending: txBps > 0,
      drops,
      p50: n > 0 ? Math.min(percentileFromBuckets(window, 0, 50), a.latencyMax[slot]) : null,
      p99: n > 0 ? Math.min(percentileFromBuckets(window, 0, 99), a.latencyMax[slot]) : null,
      meanNs: n > 0 ? sum / n : null,
      packetsInWindow: n,
    };
  }
}
