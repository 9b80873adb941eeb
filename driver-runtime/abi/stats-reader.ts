import { LATENCY_BUCKETS, bucketLowerBound, percentileFromBuckets } from './latency-buckets.ts';
import type { StatsView } from './stats-layout.ts';

/** One app's enqueue-to-wire latency as the driver recorded it, in ns. */
export interface LatencyFigures {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Reads an app slot's latency from the statistics region: the driver records each packet
 * once, as a log-linear histogram plus a sum and a maximum. Percentiles are bucket upper
 * bounds (never optimistic, at most 6.25 % high); the mean and maximum are exact; the minimum
 * is the lower bound of the lowest bucket used. Copy the region first (seqlock) when the
 * driver may be writing it.
 */
export function appLatency(view: StatsView, slot: number): LatencyFigures {
  const counts = view.latency;
  const base = slot * LATENCY_BUCKETS;
  let count = 0;
  let lowest = -1;
  for (let i = 0; i < LATENCY_BUCKETS; i++) {
    const n = counts[base + i];
    if (n === 0) continue;
    if (lowest < 0) lowest = i;
    count += n;
  }
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const max = view.app.latencyMax[slot];
  // A bucket's upper bound can pass the largest value recorded: never report above it.
  const pct = (p: number) => Math.min(max, percentileFromBuckets(counts, base, p));
  return {
    count,
    min: bucketLowerBound(lowest),
    mean: view.app.latencySum[slot] / count,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    p999: pct(99.9),
    max,
  };
}
