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
  it('every value lies within its bucket bounds; buckets tile the integers with ≤ 6.25 % relative width (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 2 ** 31, max: 2 ** 39 })),
        (v) => {
          const b = latencyBucket(v);
          // A valid index into the counts array: an integer in [0, LATENCY_BUCKETS). The range
          // check is half of what the name promises; the bounds below are the other half.
          expect(Number.isInteger(b)).toBe(true);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThan(LATENCY_BUCKETS);
          expect(bucketLowerBound(b)).toBeLessThanOrEqual(v);
          expect(bucketUpperBound(b)).toBeGreaterThanOrEqual(v);
          // Width = number of integer values in the bucket: 1 below 16 ns, else <= lower / 16.
          expect(bucketUpperBound(b) - bucketLowerBound(b) + 1).toBeLessThanOrEqual(
            Math.max(1, bucketLowerBound(b) / 16),
          );
          // Buckets tile the integers: this one ends right where the next one starts.
          if (b + 1 < LATENCY_BUCKETS) expect(bucketUpperBound(b) + 1).toBe(bucketLowerBound(b + 1));
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
