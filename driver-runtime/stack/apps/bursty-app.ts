/** Web-like sender: bursts of N packets separated by exponential gaps (Poisson burst starts). */
import type { Prng } from '../../sim/prng.ts';
import type { AppIdentity } from '../app-identity.ts';
import type { AppConfig, BurstyProfile } from '../traffic-profile.ts';
import { App, type AppHost } from './app.ts';

export class BurstyApp extends App {
  private tcpSeq = 1;

  constructor(
    host: AppHost,
    identity: AppIdentity,
    config: AppConfig,
    private readonly prng: Prng,
  ) {
    super(host, identity, config);
  }

  protected onActivate(now: number): void {
    this.tick(now);
  }

  protected override tick(now: number): void {
    const p = this.profile as BurstyProfile;
    this.host.transmit(this, p.burstPackets);
    const next = now + this.prng.nextExponential(p.meanGapNs);
    if (next < this.stopAt) this.arm(next);
    else this.deactivate(now);
  }

  override nextSequence(): number {
    const seq = this.tcpSeq;
    this.tcpSeq = (this.tcpSeq + (this.template?.payloadLength ?? 0)) >>> 0;
    return seq;
  }
}
