/** ICMP echo request/reply writer (RFC 792, "Echo or Echo Reply Message"). */
import { writeU16 } from './bytes.ts';
import { ICMP_HEADER_LEN } from './constants.ts';
import { icmpChecksum } from './checksum.ts';

/**
 * Writes the 8-byte echo header (type 8 request / 0 reply, code 0, id, seq) in front of
 * `dataLen` bytes that must already be in place after it, then the checksum over the whole
 * message; returns 8 + dataLen. A reply echoes the request's id, seq and data unchanged.
 */
export function writeIcmpEcho(
  buf: Uint8Array,
  off: number,
  type: number,
  id: number,
  seq: number,
  dataLen: number,
): number {
  buf[off] = type;
  buf[off + 1] = 0;
  writeU16(buf, off + 2, 0);
  writeU16(buf, off + 4, id);
  writeU16(buf, off + 6, seq);
  const len = ICMP_HEADER_LEN + dataLen;
  writeU16(buf, off + 2, icmpChecksum(buf, off, len));
  return len;
}
