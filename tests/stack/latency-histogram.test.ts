import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyHistogram } from '../../driver-runtime/stack/latency-histogram.ts';

/** Nearest-rank percentile of a sorted array. */
function reference(sorted: number[], p: number): number {
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[sorted.length - 1];
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

const values = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 200 }),
    fc.integer({ min: 0, max: 50_000_000 }),
    fc.integer({ min: 0, max: 2 ** 45 }),
  ),
  { minLength: 1, maxLength: 400 },
);
const percentile = fc.oneof(
  fc.constantFrom(0, 1, 50, 90, 99, 99.9, 100),
  fc.double({ min: 0, max: 100, noNaN: true }),
);

describe('LatencyHistogram', () => {
  it('percentiles are within 1/64 of a sorted reference; count, min, max and mean are exact', () => {
    fc.assert(
      fc.property(values, percentile, (vs, p) => {
        const h = new LatencyHistogram();
        for (const v of vs) h.record(v);
        const sorted = [...vs].sort((a, b) => a - b);
        const ref = reference(sorted, p);
        expect(Math.abs(h.percentile(p) - ref)).toBeLessThanOrEqual(ref / 64 + 1);
        expect(h.count).toBe(vs.length);
        expect(h.min).toBe(sorted[0]);
        expect(h.max).toBe(sorted[sorted.length - 1]);
        expect(h.mean).toBeCloseTo(vs.reduce((a, b) => a + b, 0) / vs.length, 3);
      }),
      { numRuns: 300 },
    );
  });

  it('percentile is monotone in p', () => {
    fc.assert(
      fc.property(
        values,
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (vs, a, b) => {
          const h = new LatencyHistogram();
          for (const v of vs) h.record(v);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(h.percentile(lo)).toBeLessThanOrEqual(h.percentile(hi));
        },
      ),
    );
  });

  it('merge equals recording both sets; reset empties', () => {
    fc.assert(
      fc.property(values, values, (xs, ys) => {
        const a = new LatencyHistogram();
        const b = new LatencyHistogram();
        const both = new LatencyHistogram();
        for (const v of xs) {
          a.record(v);
          both.record(v);
        }
        for (const v of ys) {
          b.record(v);
          both.record(v);
        }
        a.merge(b);
        expect(a.count).toBe(both.count);
        expect(a.min).toBe(both.min);
        expect(a.max).toBe(both.max);
        expect(Array.from(a.counts)).toEqual(Array.from(both.counts));
        a.reset();
        expect(a.count).toBe(0);
        expect(a.percentile(50)).toBe(0);
        expect(a.min).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('clamps negatives to 0 and truncates fractions', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(7.9);
    expect(h.min).toBe(0);
    expect(h.max).toBe(7);
    expect(h.percentile(100)).toBe(7);
  });
});
