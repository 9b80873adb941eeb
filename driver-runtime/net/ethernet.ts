/**
 * Ethernet II header writers (IEEE 802.3 §3.2; DIX framing) with an optional 802.1Q tag.
 * MACs are 48-bit numbers (mac.ts). No FCS: NetLanes buffers hold frames without FCS, as
 * NICs hand them to drivers and as LINKTYPE_ETHERNET pcaps store them (crc32.ts adds one).
 */
import { writeU16 } from './bytes.ts';
import { ETHERTYPE_VLAN, ETH_HEADER_LEN, MIN_FRAME_LEN, VLAN_TAG_LEN } from './constants.ts';
import { writeMac } from './mac.ts';

/** 802.1Q TCI: PCP bits 15:13, DEI bit 12, VID bits 11:0 (IEEE 802.1Q-2022 §9.6). */
export function makeVlanTci(pcp: number, dei: boolean, vid: number): number {
  return ((pcp & 0x7) << 13) | (dei ? 0x1000 : 0) | (vid & 0x0fff);
}

/** Writes DA, SA, EtherType at `off`; returns 14. */
export function writeEthernetHeader(
  buf: Uint8Array,
  off: number,
  dstMac: number,
  srcMac: number,
  etherType: number,
): number {
  writeMac(buf, off, dstMac);
  writeMac(buf, off + 6, srcMac);
  writeU16(buf, off + 12, etherType);
  return ETH_HEADER_LEN;
}

/**
 * Writes DA, SA, the 802.1Q tag (TPID 0x8100 + TCI, inserted after SA) and the inner
 * EtherType; returns 18.
 */
export function writeVlanEthernetHeader(
  buf: Uint8Array,
  off: number,
  dstMac: number,
  srcMac: number,
  tci: number,
  etherType: number,
): number {
  writeMac(buf, off, dstMac);
  writeMac(buf, off + 6, srcMac);
  writeU16(buf, off + 12, ETHERTYPE_VLAN);
  writeU16(buf, off + 14, tci);
  writeU16(buf, off + 16, etherType);
  return ETH_HEADER_LEN + VLAN_TAG_LEN;
}

/**
 * Zero-pads a frame of `len` bytes at `off` up to the 60-byte minimum (64 B with FCS,
 * IEEE 802.3 §3.2.8); returns the padded length. Zeroing matters: stale buffer bytes would
 * leak into the pad (and break byte-identity between a stamped and a rebuilt frame).
 */
export function padFrame(buf: Uint8Array, off: number, len: number): number {
  if (len >= MIN_FRAME_LEN) return len;
  buf.fill(0, off + len, off + MIN_FRAME_LEN);
  return MIN_FRAME_LEN;
}
