/**
 * Changing the link partner's speed, as swapping the switch port does: the link drops, both
 * ends renegotiate, and it comes back at the new speed. The driver learns it as it would on
 * real hardware — a link-status-change interrupt and STATUS.SPEED — and nothing else.
 */
import { LINK_BPS, type LinkSpeed } from '../sim/units.ts';
import type { Machine } from './machine.ts';

/** Down time while the ends renegotiate (OURS: 1000BASE-T autonegotiation takes 2–3 s on real ports; 300 ms keeps the lab quick). */
export const RENEGOTIATION_NS = 300e6;

const SPEED_BY_MBPS = new Map<number, LinkSpeed>([
  [1000, '1g'],
  [2500, '2.5g'],
  [10000, '10g'],
]);

/** The link speed named by Mb/s, or null for a speed the NIC cannot run at. */
export function linkSpeedOfMbps(mbps: number): LinkSpeed | null {
  return SPEED_BY_MBPS.get(mbps) ?? null;
}

export function linkMbps(speed: LinkSpeed): number {
  return LINK_BPS[speed] / 1e6;
}

/** Drops the link now and brings it up at `speed` after renegotiation. */
export function changeLinkSpeed(machine: Machine, speed: LinkSpeed): void {
  machine.within(() => machine.nic.setLink(false));
  machine.scheduler.after(
    RENEGOTIATION_NS,
    {
      onEvent: () =>
        machine.within(() => {
          machine.partner.relink(LINK_BPS[speed]);
          machine.nic.setLink(true, speed);
        }),
    },
    0,
  );
}
