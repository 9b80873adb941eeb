/** TCP header writer (RFC 9293 §3.1): 20 bytes, data offset 5, no options. */
import { writeU16, writeU32 } from './bytes.ts';
import { TCP_HEADER_LEN } from './constants.ts';

/**
 * Writes the header with checksum 0 and urgent pointer 0; returns 20. `flags` is the
 * TCP_* bit set (constants.ts). Fill the checksum afterwards with writeL4Checksum.
 */
export function writeTcpHeader(
  buf: Uint8Array,
  off: number,
  srcPort: number,
  dstPort: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
): number {
  writeU16(buf, off, srcPort);
  writeU16(buf, off + 2, dstPort);
  writeU32(buf, off + 4, seq);
  writeU32(buf, off + 8, ack);
  buf[off + 12] = (TCP_HEADER_LEN / 4) << 4; // data offset in 32-bit words, reserved 0
  buf[off + 13] = flags;
  writeU16(buf, off + 14, window);
  writeU16(buf, off + 16, 0);
  writeU16(buf, off + 18, 0);
  return TCP_HEADER_LEN;
}
