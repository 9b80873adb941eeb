/**
 * Greedy upload with backpressure, like a socket send buffer: keeps at most `sndbufBytes`
 * of its packets outstanding (allocated and not yet returned on Tx completion). It refills
 * whenever the stack reaps completions or the submission queue reports space again
 * (data-serviced); a packet the full queue refused is held and retried first, never dropped.
 * While the interface is down it polls every millisecond instead of dropping.
 */
import type { BulkProfile } from '../traffic-profile.ts';
import { NO_EVENT } from '../../sim/scheduler.ts';
import { App, type AppHost } from './app.ts';
import type { AppIdentity } from '../../abi/app-identity.ts';
import type { AppConfig } from '../traffic-profile.ts';

export const BULK_BURST = 32;
const DOWN_POLL_NS = 1_000_000;
/**
 * After a loss the sender pauses this long before sending again, as TCP backs off instead of
 * refilling at once — without it, drops (which free send-buffer space instantly) would let a
 * greedy app spin against a full queue in zero virtual time.
 */
export const LOSS_BACKOFF_NS = 1_000_000;

export class BulkApp extends App {
  override readonly holdsOnFull = true;
  private pumping = false;
  private backoffUntil = 0;
  /**
   * Congestion window (bytes): starts at the send buffer, halves on a loss, grows by one
   * packet per window of completions — TCP Reno's AIMD, so a queue that drops (CoDel, tail)
   * actually slows the sender instead of just refilling.
   */
  private cwnd = 0;
  private completedSeen = 0;

  constructor(host: AppHost, identity: AppIdentity, config: AppConfig) {
    super(host, identity, config, BULK_BURST);
  }

  protected onActivate(now: number): void {
    this.pump(now);
  }

  /** The interface-down poll. */
  protected override tick(): void {
    this.pump(this.host.scheduler.now);
  }

  override wake(now: number): void {
    if (this.active) this.pump(now);
  }

  override lossReported(now: number): void {
    const size = this.template?.length ?? (this.profile as BulkProfile).packetBytes;
    if (this.cwnd === 0) this.cwnd = (this.profile as BulkProfile).sndbufBytes;
    this.cwnd = Math.max(2 * size, this.cwnd / 2);
    this.backoffUntil = now + LOSS_BACKOFF_NS;
  }

  /** Current congestion window in bytes (the send buffer until the first loss). */
  get congestionWindow(): number {
    return this.cwnd === 0 ? (this.profile as BulkProfile).sndbufBytes : this.cwnd;
  }

  private pump(now: number): void {
    if (this.pumping) return; // transmit → synchronous completion → wake: no re-entry
    if (now < this.backoffUntil) {
      if (this.timer === NO_EVENT && this.backoffUntil < this.stopAt) this.arm(this.backoffUntil);
      return;
    }
    this.pumping = true;
    const p = this.profile as BulkProfile;
    const size = this.template?.length ?? p.packetBytes;
    const c = this.counters;
    try {
      while (this.active) {
        if (!this.host.interfaceUp()) {
          c.txStalls++;
          if (this.timer === NO_EVENT && now + DOWN_POLL_NS < this.stopAt) this.arm(now + DOWN_POLL_NS);
          return;
        }
        if (this.cwnd !== 0) {
          // Additive increase: one packet per congestion window of completions.
          const done = c.txCompleted - this.completedSeen;
          this.completedSeen = c.txCompleted;
          this.cwnd = Math.min(p.sndbufBytes, this.cwnd + (done * size * size) / this.cwnd);
        } else {
          this.completedSeen = c.txCompleted;
        }
        const window = this.cwnd === 0 ? p.sndbufBytes : this.cwnd;
        const room = Math.floor((window - c.outstandingBytes) / size);
        const n = room <= 0 ? 0 : room < BULK_BURST ? room : BULK_BURST;
        if (n === 0 && this.heldCount === 0) return; // send buffer full: completions wake us
        const before = c.outstandingPackets;
        this.host.transmit(this, n);
        if (this.heldCount > 0 || c.outstandingPackets - before < n) {
          c.txStalls++;
          return; // queue full (held) or pool empty: data-serviced or a completion wakes us
        }
        if (n === 0) return;
      }
    } finally {
      this.pumping = false;
    }
  }
}
