/**
 * Per-Tx-queue token buckets programmed 82576-style (nic-model §1.6): RTTDQSEL selects the
 * queue, RTTBCNRC = RS_ENA | rate factor, rate factor = link rate / queue rate in 14.14 fixed
 * point. TXQBURST(n) (OURS) is the bucket depth.
 *
 * Units (SIM-I2xx decision): tokens are WIRE bytes = frame + FCS + preamble/SFD (8) + IFG (12),
 * so a queue limited to rate R occupies exactly R/link of the line in the long run whatever its
 * frame sizes. A frame may start when tokens >= 0; its whole wire size is then deducted (the
 * bucket can go negative), like the I210 credit rule "send when credit >= 0". Refill is
 * continuous and capped at the depth. Tokens are recomputed lazily from virtual time.
 */
const EPSILON_BYTES = 1e-6;

export class RateLimiter {
  /** Raw RTTBCNRC value per queue (banked behind RTTDQSEL). */
  readonly config = new Uint32Array(4);
  private readonly bytesPerNs = new Float64Array(4);
  private readonly tokens = new Float64Array(4);
  private readonly depth = new Float64Array(4);
  private readonly updatedAt = new Float64Array(4);

  /** Programs queue `q` from an RTTBCNRC value; `linkBps` gives the rate the factor divides. */
  configure(q: number, rttbcnrc: number, linkBps: number, now: number): void {
    this.config[q] = rttbcnrc >>> 0;
    const factor = (rttbcnrc & 0x0fffffff) / (1 << 14);
    const enabled = (rttbcnrc & 0x80000000) !== 0 && factor > 0;
    this.bytesPerNs[q] = enabled ? linkBps / factor / 8e9 : 0;
    this.tokens[q] = this.depth[q];
    this.updatedAt[q] = now;
  }

  /** Re-derives rates after a link-speed change. */
  relink(linkBps: number, now: number): void {
    for (let q = 0; q < 4; q++) if (this.bytesPerNs[q] > 0) this.configure(q, this.config[q], linkBps, now);
  }

  setDepth(q: number, bytes: number, now: number): void {
    this.refill(q, now);
    this.depth[q] = bytes;
    if (this.tokens[q] > bytes) this.tokens[q] = bytes;
  }

  /** Whether any queue has a rate limit. */
  anyLimited(): boolean {
    const r = this.bytesPerNs;
    return r[0] > 0 || r[1] > 0 || r[2] > 0 || r[3] > 0;
  }

  limited(q: number): boolean {
    return this.bytesPerNs[q] > 0;
  }

  /** Bytes per ns the queue is limited to (0 = unlimited). */
  rate(q: number): number {
    return this.bytesPerNs[q];
  }

  allows(q: number, now: number): boolean {
    if (this.bytesPerNs[q] === 0) return true;
    this.refill(q, now);
    return this.tokens[q] >= -EPSILON_BYTES;
  }

  /** Time at which `allows(q)` becomes true. */
  readyAt(q: number, now: number): number {
    if (this.bytesPerNs[q] === 0) return now;
    this.refill(q, now);
    const missing = -this.tokens[q];
    return missing <= EPSILON_BYTES ? now : now + missing / this.bytesPerNs[q];
  }

  consume(q: number, wireBytes: number, now: number): void {
    if (this.bytesPerNs[q] === 0) return;
    this.refill(q, now);
    this.tokens[q] -= wireBytes;
  }

  reset(depths: ArrayLike<number>): void {
    this.config.fill(0);
    this.bytesPerNs.fill(0);
    this.updatedAt.fill(0);
    for (let q = 0; q < 4; q++) {
      this.depth[q] = depths[q];
      this.tokens[q] = depths[q];
    }
  }

  private refill(q: number, now: number): void {
    const t = this.tokens[q] + (now - this.updatedAt[q]) * this.bytesPerNs[q];
    this.tokens[q] = t > this.depth[q] ? this.depth[q] : t;
    this.updatedAt[q] = now;
  }
}
