import {
  kIOUserNetworkMediaEthernet1000BaseT,
  kIOUserNetworkMediaEthernet10GBaseT,
  kIOUserNetworkMediaEthernet2500BaseT,
} from '../networking/constants.ts';
import * as R from './hw-regs.ts';
import type { Mmio } from './mmio.ts';

/** Largest Ethernet frame with a VLAN tag and FCS. */
const MAX_FRAME_BYTES = 1522;

/** The link speed STATUS reports (1 Gb/s when the device cannot be read). */
export function linkBitsPerSecond(mmio: Mmio | null): number {
  if (!mmio || mmio.removed) return 1e9;
  const status = mmio.rd32(R.STATUS);
  if (status & R.STATUS_10G) return 10e9;
  if (status & R.STATUS_2G5) return 2.5e9;
  const speed = (status & R.STATUS_SPEED_MASK) >>> R.STATUS_SPEED_SHIFT;
  // SPEED field: 00 = 10, 01 = 100, 10/11 = 1000 Mb/s.
  return speed >= 2 ? 1e9 : speed === 1 ? 1e8 : 1e7;
}

/** The NetworkingDriverKit media word for a link speed. */
export function mediaFor(bitsPerSecond: number): number {
  if (bitsPerSecond >= 10e9) return kIOUserNetworkMediaEthernet10GBaseT;
  if (bitsPerSecond >= 2.5e9) return kIOUserNetworkMediaEthernet2500BaseT;
  return kIOUserNetworkMediaEthernet1000BaseT;
}

/**
 * BQL-style byte limit per hardware ring: enough for two interrupt intervals at line
 * rate (so completions reaped once per interrupt never starve the wire) plus one max
 * frame, and never less than two max frames.
 */
export function ringByteLimit(bitsPerSecond: number, itrUs: number): number {
  const perInterval = (bitsPerSecond / 8) * itrUs * 1e-6;
  return Math.max(2 * MAX_FRAME_BYTES, Math.ceil(2 * perInterval) + MAX_FRAME_BYTES);
}
