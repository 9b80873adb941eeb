/**
 * Log-linear latency histogram over non-negative integer nanoseconds (HdrHistogram-like).
 *
 * Values below 128 ns get one bucket each; above, every power of two [2^e, 2^(e+1)) is cut
 * into 64 equal sub-buckets, so a bucket is at most 1/64 (1.6 %) of its values wide and the
 * value reported for it (its midpoint, clamped to [min, max]) is within 0.8 % of any value
 * recorded in it. Counts live in one Uint32Array; `record` allocates nothing.
 * Values are clamped to [0, 2^47) ns (about 39 hours).
 */
const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS; // 64 sub-buckets per octave
const LINEAR_LIMIT = SUB_COUNT * 2; // values < 128 are exact
const MAX_EXPONENT = 46;
const MAX_VALUE = 2 ** (MAX_EXPONENT + 1) - 1;
/** Index of the last bucket (exponent 46, sub-bucket 127) plus one. */
export const HISTOGRAM_BUCKETS = (MAX_EXPONENT - SUB_BITS) * SUB_COUNT + LINEAR_LIMIT;

/** Bucket index of an integer value in [0, MAX_VALUE]. */
function bucketOf(v: number): number {
  if (v < LINEAR_LIMIT) return v;
  let e: number;
  if (v < 0x1_0000_0000) e = 31 - Math.clz32(v);
  else {
    e = 32 + (31 - Math.clz32(Math.floor(v / 0x1_0000_0000)));
  }
  const shift = e - SUB_BITS;
  const sub = shift < 32 && v < 0x1_0000_0000 ? v >>> shift : Math.floor(v / 2 ** shift);
  return shift * SUB_COUNT + sub;
}

/** Lowest value of bucket `i`. */
function bucketLow(i: number): number {
  if (i < LINEAR_LIMIT) return i;
  const shift = Math.floor(i / SUB_COUNT) - 1;
  return (i - shift * SUB_COUNT) * 2 ** shift;
}

/** Width of bucket `i`. */
function bucketWidth(i: number): number {
  return i < LINEAR_LIMIT ? 1 : 2 ** (Math.floor(i / SUB_COUNT) - 1);
}

export class LatencyHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BUCKETS);
  private total = 0;
  private minValue = Infinity;
  private maxValue = -Infinity;
  private sum = 0;

  /** Records one value (ns). Negative values count as 0; fractions are truncated. */
  record(ns: number): void {
    let v = ns > 0 ? Math.floor(ns) : 0;
    if (v > MAX_VALUE) v = MAX_VALUE;
    this.counts[bucketOf(v)]++;
    this.total++;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  get count(): number {
    return this.total;
  }

  /** Smallest value recorded (0 when empty). */
  get min(): number {
    return this.total === 0 ? 0 : this.minValue;
  }

  /** Largest value recorded (0 when empty). */
  get max(): number {
    return this.total === 0 ? 0 : this.maxValue;
  }

  /** Exact mean of the (truncated) values recorded (0 when empty). */
  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /**
   * Nearest-rank percentile, p in [0, 100]: the value of the ceil(p/100 · count)-th smallest
   * sample, to the bucket's precision. p = 0 gives min, p = 100 gives max; 0 when empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    if (p <= 0) return this.minValue;
    if (p >= 100) return this.maxValue;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        const mid = bucketLow(i) + Math.floor((bucketWidth(i) - 1) / 2);
        return mid < this.minValue ? this.minValue : mid > this.maxValue ? this.maxValue : mid;
      }
    }
    return this.maxValue;
  }

  /** Adds another histogram's samples into this one. */
  merge(other: LatencyHistogram): void {
    if (other.total === 0) return;
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) a[i] += b[i];
    this.total += other.total;
    this.sum += other.sum;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Infinity;
    this.maxValue = -Infinity;
  }

  /** A plain summary for stats snapshots (control path; allocates). */
  summary(): LatencySummary {
    return {
      count: this.total,
      min: this.min,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.max,
    };
  }
}

/** Snapshot of a histogram, in ns. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}
