/**
 * ICMP echo requests every interval (identifier = pid, sequence counting from 0); the
 * round-trip time is measured when the reply comes back. Send times are kept in a ring
 * indexed by sequence, so a reply later than RING_SIZE requests is counted as unknown.
 */
import type { PingProfile } from '../traffic-profile.ts';
import { App } from './app.ts';

const RING_SIZE = 1024;

export class PingApp extends App {
  private seq = 0;
  private readonly sentAt = new Float64Array(RING_SIZE).fill(-1);
  private readonly sentSeq = new Int32Array(RING_SIZE).fill(-1);

  protected onActivate(): void {
    this.tick();
  }

  protected override tick(): void {
    const now = this.host.scheduler.now;
    const p = this.profile as PingProfile;
    this.host.transmit(this, 1);
    this.armOrStop(now + p.intervalNs);
  }

  override nextSequence(now: number): number {
    const s = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const slot = s & (RING_SIZE - 1);
    this.sentAt[slot] = now;
    this.sentSeq[slot] = s;
    this.counters.pingSent++;
    return s;
  }

  override echoReply(seq: number, now: number): void {
    const slot = seq & (RING_SIZE - 1);
    if (this.sentSeq[slot] !== seq) {
      this.counters.pingLateOrUnknown++;
      return;
    }
    this.sentSeq[slot] = -1;
    this.counters.pingReplies++;
    this.rtt.record(now - this.sentAt[slot]);
  }
}
