/** Web-like sender: bursts of N packets separated by exponential gaps (Poisson burst starts). */
import type { Prng } from '../../sim/prng.ts';
import type { AppIdentity } from '../../abi/app-identity.ts';
import type { AppConfig, BurstyProfile } from '../traffic-profile.ts';
import { App, type AppHost } from './app.ts';

export class BurstyApp extends App {
  constructor(
    host: AppHost,
    identity: AppIdentity,
    config: AppConfig,
    private readonly prng: Prng,
  ) {
    super(host, identity, config);
  }

  protected onActivate(): void {
    this.tick();
  }

  protected override tick(): void {
    const now = this.host.scheduler.now;
    const p = this.profile as BurstyProfile;
    this.host.transmit(this, p.burstPackets);
    this.armOrStop(now + this.prng.nextExponential(p.meanGapNs));
  }
}
