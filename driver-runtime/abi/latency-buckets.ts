/**
 * Log-linear latency buckets shared by the driver (which counts) and any client that maps
 * the stats region (which reads percentiles): 16 sub-buckets per power of two, so a
 * bucket's width is at most 1/16 of its lower bound (6.25 % relative precision). Values
 * are nanoseconds; bucket 0..15 are exact for 0..15 ns.
 */
export const SUB_BUCKET_BITS = 4;
const SUB = 1 << SUB_BUCKET_BITS;
/** Covers up to 2^40 ns (~18 minutes). */
export const MAX_EXPONENT = 40;
export const LATENCY_BUCKETS = (MAX_EXPONENT - SUB_BUCKET_BITS + 2) * SUB;

export function latencyBucket(ns: number): number {
  if (ns < SUB) return ns <= 0 ? 0 : Math.floor(ns);
  if (ns < 0x80000000) {
    // Integer fast path (all latencies under ~2.1 s): shifts instead of powers.
    const v = ns | 0;
    const shift = 31 - Math.clz32(v) - SUB_BUCKET_BITS;
    return (shift + 1) * SUB + ((v >>> shift) - SUB);
  }
  const v = Math.floor(ns);
  const exponent = Math.min(MAX_EXPONENT, highestBit(v));
  const shift = exponent - SUB_BUCKET_BITS;
  const sub = Math.floor(v / 2 ** shift) - SUB;
  return Math.min(LATENCY_BUCKETS - 1, (shift + 1) * SUB + Math.min(SUB - 1, sub));
}

function highestBit(v: number): number {
  if (v <= 0xffffffff) return 31 - Math.clz32(v);
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e--;
  else if (2 ** (e + 1) <= v) e++;
  return e;
}

/** Lowest value that falls in `bucket`. */
export function bucketLowerBound(bucket: number): number {
  if (bucket < SUB) return bucket;
  const shift = Math.floor(bucket / SUB) - 1;
  return (SUB + (bucket % SUB)) * 2 ** shift;
}

/** Highest value that falls in `bucket` (percentiles report this: never optimistic). */
export function bucketUpperBound(bucket: number): number {
  if (bucket < SUB) return bucket;
  const shift = Math.floor(bucket / SUB) - 1;
  return bucketLowerBound(bucket) + 2 ** shift - 1;
}

/** Percentile (0..100) from counts[offset .. offset + LATENCY_BUCKETS); 0 when empty. */
export function percentileFromBuckets(counts: ArrayLike<number>, offset: number, p: number): number {
  let total = 0;
  for (let i = 0; i < LATENCY_BUCKETS; i++) total += counts[offset + i];
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < LATENCY_BUCKETS; i++) {
    seen += counts[offset + i];
    if (seen >= rank) return bucketUpperBound(i);
  }
  return bucketUpperBound(LATENCY_BUCKETS - 1);
}
