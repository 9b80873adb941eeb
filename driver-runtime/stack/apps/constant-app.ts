/** Interactive constant-rate sender (voice/video call, game): one packet per interval, paced. */
import type { ConstantProfile } from '../traffic-profile.ts';
import { App } from './app.ts';

export class ConstantApp extends App {
  private t0 = 0;
  private k = 0;
  private intervalNs = 0;

  protected onActivate(now: number): void {
    const p = this.profile as ConstantProfile;
    // Frame bytes · 8 / rate. Ticks at t0 + k·interval (absolute, so no drift accumulates).
    this.intervalNs = (p.packetBytes * 8 * 1e9) / p.rateBps;
    this.t0 = now;
    this.k = 0;
    this.tick();
  }

  protected override tick(): void {
    this.host.transmit(this, 1);
    this.k++;
    this.armOrStop(this.t0 + this.k * this.intervalNs);
  }
}
