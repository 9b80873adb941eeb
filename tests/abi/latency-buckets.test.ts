import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bucketLowerBound,
  bucketUpperBound,
  LATENCY_BUCKETS,
  latencyBucket,
  percentileFromBuckets,
} from '../../driver-runtime/abi/latency-buckets.ts';

describe('latency buckets', () => {
  it('every value lies within its bucket bounds, with ≤ 6.25 % relative width (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 2 ** 31, max: 2 ** 39 })),
        (v) => {
          const b = latencyBucket(v);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThan(LATENCY_BUCKETS);
          expect(bucketLowerBound(b)).toBeLessThanOrEqual(v);
          expect(bucketUpperBound(b)).toBeGreaterThanOrEqual(v);
          expect(bucketUpperBound(b) - bucketLowerBound(b)).toBeLessThanOrEqual(
            Math.max(0, bucketLowerBound(b) / 16),
          );
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('buckets are monotonic across the 2^31 fast-path boundary', () => {
    for (const v of [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1]) {
      expect(latencyBucket(v + 1)).toBeGreaterThanOrEqual(latencyBucket(v));
    }
    expect(latencyBucket(15)).toBe(15);
    expect(latencyBucket(16)).toBe(16);
    expect(latencyBucket(31)).toBe(31);
    expect(latencyBucket(32)).toBe(32);
  });

  it('percentiles never understate: p-th value of a sorted sample ≤ reported ≤ +6.25 %', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(50, 90, 99, 99.9),
        (values, p) => {
          const counts = new Uint32Array(LATENCY_BUCKETS);
          for (const v of values) counts[latencyBucket(v)]++;
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
          const got = percentileFromBuckets(counts, 0, p);
          expect(got).toBeGreaterThanOrEqual(exact);
          expect(got).toBeLessThanOrEqual(exact * 1.0625 + 1);
        },
      ),
    );
  });
});
