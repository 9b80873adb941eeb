/**
 * The ICMP echo reply both ends of the wire send back (ARP and echo requests come from
 * net/frame-builder.ts). Control path (a handful per run), so clarity over speed: full
 * checksums, no templates.
 */
import { writeU16, writeU32 } from './bytes.ts';
import { icmpChecksum, writeIpv4HeaderChecksum } from './checksum.ts';
import { ICMP_ECHO_REPLY } from './constants.ts';
import { writeMac } from './mac.ts';
import type { ParsedFrame } from './parsed-frame.ts';

/**
 * Writes at `dst` the reply to the ICMP echo request that `p` has just parsed from
 * `src[srcOff .. srcOff+len)` (RFC 792): the same frame (VLAN tag, id, sequence and data
 * kept) with MACs and IPs swapped, TTL 64, type 0, IPv4 and ICMP checksums recomputed.
 * `src` may be `buf` itself (host memory). Returns the length.
 */
export function writeEchoReply(
  buf: Uint8Array,
  dst: number,
  src: Uint8Array,
  srcOff: number,
  len: number,
  p: ParsedFrame,
  myMac: number,
  myIp: number,
): number {
  if (src === buf) buf.copyWithin(dst, srcOff, srcOff + len);
  else buf.set(src.subarray(srcOff, srcOff + len), dst);
  writeMac(buf, dst, p.srcMac);
  writeMac(buf, dst + 6, myMac);
  const l3 = dst + (p.l3Offset - srcOff);
  const l4 = dst + (p.l4Offset - srcOff);
  buf[l3 + 8] = 64;
  writeU32(buf, l3 + 12, myIp);
  writeU32(buf, l3 + 16, p.srcIp);
  writeIpv4HeaderChecksum(buf, l3);
  buf[l4] = ICMP_ECHO_REPLY;
  writeU16(buf, l4 + 2, icmpChecksum(buf, l4, p.l4Length));
  return len;
}
