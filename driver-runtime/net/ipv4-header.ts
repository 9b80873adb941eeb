/** IPv4 header writer (RFC 791 §3.1): IHL 5, no options, checksum filled in. */
import { writeU16, writeU32 } from './bytes.ts';
import { IPV4_FLAG_DF, IPV4_HEADER_LEN } from './constants.ts';
import { writeIpv4HeaderChecksum } from './checksum.ts';

/**
 * Writes a 20-byte IPv4 header at `off` for `payloadLen` bytes of L4 data and stores its
 * checksum; returns 20. `dscp` is the 6-bit DSCP (RFC 2474), ECN left 0. DF is set by
 * default because NetLanes never fragments (RFC 791 "don't fragment").
 */
export function writeIpv4Header(
  buf: Uint8Array,
  off: number,
  srcIp: number,
  dstIp: number,
  proto: number,
  payloadLen: number,
  id: number,
  ttl = 64,
  dscp = 0,
  dontFragment = true,
): number {
  buf[off] = 0x45; // version 4, IHL 5
  buf[off + 1] = (dscp & 0x3f) << 2;
  writeU16(buf, off + 2, IPV4_HEADER_LEN + payloadLen);
  writeU16(buf, off + 4, id);
  writeU16(buf, off + 6, dontFragment ? IPV4_FLAG_DF : 0);
  buf[off + 8] = ttl;
  buf[off + 9] = proto;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  writeU32(buf, off + 12, srcIp);
  writeU32(buf, off + 16, dstIp);
  writeIpv4HeaderChecksum(buf, off);
  return IPV4_HEADER_LEN;
}
