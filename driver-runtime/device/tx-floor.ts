/**
 * Starvation guard (OURS): per-Tx-queue minimum shares ("floors"), programmed by TXQMIN(n)
 * like the rate limiter's factor (b31 enable, b27:0 = link rate / floor rate in 14.14 fixed
 * point). In the spirit of CAKE's tins (Bulk keeps >= 1/16 of the link) and mqprio min_rate.
 *
 * Each queue with a floor has a credit bucket in WIRE bytes (frame + FCS + preamble/SFD + IFG,
 * the rate limiter's unit):
 * - it fills at the floor rate only while the queue is backlogged (a complete fetched packet,
 *   queue enabled, not hung; a rate-limited or paused queue still counts as backlogged);
 * - it is capped at TXQMIN_CREDIT_CAP (two maximum wire frames, independent of TXQBURST);
 * - every transmission of the queue (whoever chose it) debits the frame's wire bytes, and the
 *   credit never goes below 0: service above the floor is not held against the queue later.
 * A queue is "under its floor" when its credit >= its head frame's wire bytes; the arbiter
 * serves such queues before the configured mode (lowest TXARB slot first).
 *
 * Credit is recomputed lazily from virtual time: `sync` must run (at the same virtual time)
 * after anything that may change a queue's backlog; the engine does that on doorbells,
 * enable/disable, hang changes and at every arbitration decision.
 */
import { TXQMIN_CREDIT_CAP, TXQMIN_ENABLE, TXQMIN_RF_MASK, TXQMIN_RF_ONE } from './registers.ts';

/** Float tolerance when comparing credit to a frame size (same as the rate limiter's). */
const EPSILON_BYTES = 1e-6;
/**
 * Lowest credit, wire bytes. 0 = service above the floor is forgiven (CAKE-like: the guard
 * engages within one head frame of floor time after a hog appears, whatever the queue got
 * before; a queue the mode also serves may end slightly above max(floor, mode share)). A
 * negative bound would remember that much excess service instead.
 */
const CREDIT_MIN = 0;

export class FloorGuard {
  /** Bit q set: queue q has an enabled floor. Zero = the guard costs one branch per decision. */
  active = 0;
  /** Raw TXQMIN value per queue. */
  readonly config = new Uint32Array(4);
  /** Floor credit, wire bytes, in [0, TXQMIN_CREDIT_CAP]. */
  readonly credit = new Float64Array(4);
  private readonly bytesPerNs = new Float64Array(4);
  private readonly updatedAt = new Float64Array(4);
  /** Bit q set: queue q was backlogged at its last sync (so its credit fills since then). */
  private filling = 0;

  /**
   * Programs queue `q` from a TXQMIN value (credits already settled to `now` by the caller).
   * A queue that keeps a floor keeps its credit (so rewriting the same policy is harmless);
   * a newly enabled floor starts empty; disabling clears it.
   */
  configure(q: number, txqmin: number, linkBps: number, now: number, backlogged: boolean): void {
    const bit = 1 << q;
    this.config[q] = txqmin >>> 0;
    const factor = (txqmin & TXQMIN_RF_MASK) / TXQMIN_RF_ONE;
    const enabled = (txqmin & TXQMIN_ENABLE) !== 0 && factor > 0;
    if (!enabled || (this.active & bit) === 0) this.credit[q] = 0;
    this.bytesPerNs[q] = enabled ? linkBps / factor / 8e9 : 0;
    this.updatedAt[q] = now;
    this.active = enabled ? this.active | bit : this.active & ~bit;
    this.filling = backlogged && enabled ? this.filling | bit : this.filling & ~bit;
  }

  /** Link speed change: settle at the old rate, then re-derive rates (credit is kept). */
  relink(linkBps: number, now: number): void {
    for (let q = 0; q < 4; q++) {
      if (((this.active >> q) & 1) === 0) continue;
      this.accrue(q, now);
      const factor = (this.config[q] & TXQMIN_RF_MASK) / TXQMIN_RF_ONE;
      this.bytesPerNs[q] = linkBps / factor / 8e9;
    }
  }

  /**
   * Settles every active queue's credit up to `now` and records its backlog state from now on
   * (bit q of `backlogged`).
   */
  sync(now: number, backlogged: number): void {
    for (let q = 0; q < 4; q++) {
      if (((this.active >> q) & 1) === 0) continue;
      this.accrue(q, now);
    }
    this.filling = backlogged & this.active;
  }

  /**
   * `sync`, then the mask of backlogged queues whose credit covers their head frame
   * (`headBytes` = frame bytes incl. FCS; `overhead` = preamble + IFG).
   */
  under(now: number, backlogged: number, headBytes: Int32Array, overhead: number): number {
    this.sync(now, backlogged);
    let mask = 0;
    const m = this.filling;
    for (let q = 0; q < 4; q++) {
      if ((m >> q) & 1 && this.credit[q] >= headBytes[q] + overhead - EPSILON_BYTES) mask |= 1 << q;
    }
    return mask;
  }

  /**
   * Earliest time a queue in `mask` (filling, not yet under its floor) will be, or Infinity.
   * Only needed when the mode serves nothing although queues are eligible (pure DRR with
   * quantum 0 queues), so the guard still delivers their floor.
   */
  readyAt(mask: number, headBytes: Int32Array, overhead: number, now: number): number {
    let best = Infinity;
    const m = mask & this.filling;
    for (let q = 0; q < 4; q++) {
      if (((m >> q) & 1) === 0) continue;
      const missing = headBytes[q] + overhead - this.credit[q];
      let t = now + missing / this.bytesPerNs[q];
      if (!(t > now)) t = now + 1e-3;
      if (t < best) best = t;
    }
    return best;
  }

  /** Queue `q` started a frame of `wireBytes` (credit settled by the decision just made). */
  consume(q: number, wireBytes: number): void {
    if (((this.active >> q) & 1) === 0) return;
    const c = this.credit[q] - wireBytes;
    this.credit[q] = c > CREDIT_MIN ? c : CREDIT_MIN;
  }

  reset(): void {
    this.active = 0;
    this.filling = 0;
    this.config.fill(0);
    this.credit.fill(0);
    this.bytesPerNs.fill(0);
    this.updatedAt.fill(0);
  }

  private accrue(q: number, now: number): void {
    if ((this.filling >> q) & 1) {
      const c = this.credit[q] + (now - this.updatedAt[q]) * this.bytesPerNs[q];
      this.credit[q] = c > TXQMIN_CREDIT_CAP ? TXQMIN_CREDIT_CAP : c;
    }
    this.updatedAt[q] = now;
  }
}
