import { FCS_BYTES } from '../sim/units.ts';

const HOLD_CAPACITY = 1024;

/**
 * Per-application Tx caps as token buckets (NetLimiter-style limits, enforced in the
 * driver). A packet that does not conform waits in its app's own hold ring — never in the
 * shared class queue, where it would block other apps — and is released when its tokens
 * have accrued. Tokens are Ethernet frame bytes including FCS, the unit GOTC counts.
 *
 * Hold rings exist only for capped apps and are made when a cap is set (control plane),
 * so the data path allocates nothing.
 */
export class AppShaper {
  private capBytesPerNs = new Float64Array(0);
  private burstBytes = new Float64Array(0);
  private tokens = new Float64Array(0);
  private lastRefillNs = new Float64Array(0);
  private holds: (Int32Array | null)[] = [];
  private holdHead = new Uint32Array(0);
  private holdTail = new Uint32Array(0);
  private readonly heldLengths: (Uint32Array | null)[] = [];
  /** Apps with held packets, for release scans. */
  private readonly active = new Set<number>();
  shapedPackets = new Float64Array(0);
  dropped = new Float64Array(0);

  /** Sets caps for all apps (bits/s, 0 = none); keeps tokens of apps whose cap is unchanged. */
  configure(capBps: Float64Array, burstBytes: Float64Array, nowNs: number): void {
    const n = capBps.length;
    if (n > this.capBytesPerNs.length) this.grow(n);
    for (let app = 0; app < this.capBytesPerNs.length; app++) {
      const rate = app < n ? capBps[app] / 8e9 : 0;
      if (rate === this.capBytesPerNs[app]) {
        // Same rate, new depth: keep what accrued, within the new depth.
        const burst = app < n && rate > 0 ? burstBytes[app] : this.burstBytes[app];
        if (burst !== this.burstBytes[app]) {
          this.refill(app, nowNs);
          this.burstBytes[app] = burst;
          if (this.tokens[app] > burst) this.tokens[app] = burst;
        }
        continue;
      }
      this.capBytesPerNs[app] = rate;
      this.burstBytes[app] = app < n ? burstBytes[app] : 0;
      this.tokens[app] = this.burstBytes[app];
      this.lastRefillNs[app] = nowNs;
      if (rate > 0 && this.holds[app] === null) {
        this.holds[app] = new Int32Array(HOLD_CAPACITY);
        this.heldLengths[app] = new Uint32Array(HOLD_CAPACITY);
      }
    }
  }

  isCapped(app: number): boolean {
    return app < this.capBytesPerNs.length && this.capBytesPerNs[app] > 0;
  }

  /**
   * Offers a packet of a capped app: true = it may go now (tokens taken); false = it was
   * held; -1 never. Returns 'dropped' as false with the drop counted when the hold is full.
   */
  offer(app: number, handle: number, frameLength: number, nowNs: number): 'send' | 'held' | 'dropped' {
    this.refill(app, nowNs);
    const cost = frameLength + FCS_BYTES;
    if (this.holdTail[app] === this.holdHead[app] && this.tokens[app] >= cost) {
      this.tokens[app] -= cost;
      return 'send';
    }
    if (this.holdTail[app] - this.holdHead[app] >= HOLD_CAPACITY) {
      this.dropped[app]++;
      return 'dropped';
    }
    const i = this.holdTail[app]++ % HOLD_CAPACITY;
    this.holds[app]![i] = handle;
    this.heldLengths[app]![i] = frameLength;
    this.shapedPackets[app]++;
    this.active.add(app);
    return 'held';
  }

  /** Releases conforming held packets in order through `send(handle, app)`. */
  release(nowNs: number, send: (handle: number, app: number) => void): void {
    for (const app of this.active) {
      const ring = this.holds[app]!;
      const lengths = this.heldLengths[app]!;
      // A cap that was removed releases everything it held, in order.
      const uncapped = this.capBytesPerNs[app] === 0;
      while (this.holdTail[app] !== this.holdHead[app]) {
        const i = this.holdHead[app] % HOLD_CAPACITY;
        const cost = lengths[i] + FCS_BYTES;
        // Due by the state before this refill: released at the time nextReleaseNs announced,
        // whatever rounding the refill sees, and a frame deeper than the bucket goes once the
        // bucket has waited it out.
        const due = this.dueNs(app, cost);
        this.refill(app, nowNs);
        if (!uncapped && this.tokens[app] < cost && due > nowNs) break;
        if (!uncapped) this.tokens[app] = this.tokens[app] > cost ? this.tokens[app] - cost : 0;
        this.holdHead[app]++;
        send(ring[i], app);
      }
      if (this.holdTail[app] === this.holdHead[app]) this.active.delete(app);
    }
  }

  /** Earliest time a held packet conforms (Infinity if none held). */
  nextReleaseNs(nowNs: number): number {
    let best = Infinity;
    for (const app of this.active) {
      const i = this.holdHead[app] % HOLD_CAPACITY;
      const due = this.dueNs(app, this.heldLengths[app]![i] + FCS_BYTES);
      const at = due < nowNs ? nowNs : due;
      if (at < best) best = at;
    }
    return best;
  }

  /**
   * When a packet costing `cost` conforms, from the tokens at the last refill (-Infinity: now).
   * Computed before any refill at that time, so `release` at the returned time sees it due.
   */
  private dueNs(app: number, cost: number): number {
    const need = cost - this.tokens[app];
    const rate = this.capBytesPerNs[app];
    return need <= 0 || rate === 0 ? -Infinity : this.lastRefillNs[app] + need / rate;
  }

  /** Takes every held packet back (disable/reset/cap removal): they are aborted by the caller. */
  drain(take: (handle: number) => void): void {
    for (const app of this.active) {
      const ring = this.holds[app]!;
      while (this.holdTail[app] !== this.holdHead[app]) take(ring[this.holdHead[app]++ % HOLD_CAPACITY]);
    }
    this.active.clear();
  }

  heldCount(): number {
    let n = 0;
    for (const app of this.active) n += this.holdTail[app] - this.holdHead[app];
    return n;
  }

  private refill(app: number, nowNs: number): void {
    const elapsed = nowNs - this.lastRefillNs[app];
    if (elapsed <= 0) return;
    this.lastRefillNs[app] = nowNs;
    const t = this.tokens[app] + elapsed * this.capBytesPerNs[app];
    this.tokens[app] = t > this.burstBytes[app] ? this.burstBytes[app] : t;
  }

  private grow(n: number): void {
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.capBytesPerNs = f64(this.capBytesPerNs);
    this.burstBytes = f64(this.burstBytes);
    this.tokens = f64(this.tokens);
    this.lastRefillNs = f64(this.lastRefillNs);
    this.shapedPackets = f64(this.shapedPackets);
    this.dropped = f64(this.dropped);
    this.holdHead = u32(this.holdHead);
    this.holdTail = u32(this.holdTail);
    while (this.holds.length < n) {
      this.holds.push(null);
      this.heldLengths.push(null);
    }
  }
}
