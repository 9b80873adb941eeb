/**
 * What the lab's what-if run answers (driver-runtime/host/what-if-worker.ts), checked at the
 * border: per app, each side's rate, p50 and p99 wait and grade; per side, link use. A side
 * may also carry the app's latency histogram as [bucket, count] pairs (`buckets`, the
 * statistics region's log-linear buckets); when both sides do, the Lab draws full CDFs.
 */
import { z } from 'zod';
import { bucketUpperBound } from '../../../driver-runtime/abi/latency-buckets.ts';

const grade = z.enum(['A+', 'A', 'B', 'C', 'D', 'F']);

const side = z.object({
  txBps: z.number(),
  p50: z.number(),
  p99: z.number(),
  grade,
  buckets: z.array(z.tuple([z.number().int().min(0), z.number().min(0)])).optional(),
});
export type SideFigures = z.infer<typeof side>;

export const whatIfResultSchema = z.object({
  apps: z.array(z.object({ name: z.string(), a: side, b: side })),
  a: z.object({ linkUtilisation: z.number() }).passthrough(),
  b: z.object({ linkUtilisation: z.number() }).passthrough(),
});
export type WhatIfResult = z.infer<typeof whatIfResultSchema>;

/** The CDF a histogram gives: [upper bound of the bucket (ns), fraction of packets ≤ it]. */
export function cdfFromBuckets(buckets: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...buckets].filter(([, n]) => n > 0).sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  let seen = 0;
  return sorted.map(([b, n]) => {
    seen += n;
    return [Math.max(1, bucketUpperBound(b)), seen / total];
  });
}

/** The CDF at x, from its known points (the fraction of packets known to wait ≤ x). */
export function cdfAt(points: readonly [number, number][], x: number): number {
  let f = 0;
  for (const [px, pf] of points) if (px <= x) f = Math.max(f, pf);
  return f;
}
