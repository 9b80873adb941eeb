/**
 * Link state shared by the Tx and Rx engines: up/down, speed, and flow-control pause
 * (nic-model §6.7: Tx does not drain while down or paused).
 */
import { LINK_BPS, type LinkSpeed } from '../sim/units.ts';

export class LinkState {
  up = true;
  speed: LinkSpeed;
  /** Line rate in bits per virtual ns (1, 2.5 or 10). */
  bitsPerNs: number;
  /** Received XOFF in effect (STATUS.TXOFF). */
  paused = false;

  constructor(speed: LinkSpeed) {
    this.speed = speed;
    this.bitsPerNs = LINK_BPS[speed] / 1e9;
  }

  setSpeed(speed: LinkSpeed): void {
    this.speed = speed;
    this.bitsPerNs = LINK_BPS[speed] / 1e9;
  }

  get bps(): number {
    return LINK_BPS[this.speed];
  }
}
