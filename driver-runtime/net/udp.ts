/** UDP header writer (RFC 768). The checksum needs the data, so it is a separate step. */
import { writeU16 } from './bytes.ts';
import { UDP_HEADER_LEN } from './constants.ts';

/**
 * Writes the 8-byte header for `payloadLen` data bytes with checksum 0; returns 8.
 * Fill the checksum afterwards with writeL4Checksum (or leave 0 = "not computed", RFC 768).
 */
export function writeUdpHeader(
  buf: Uint8Array,
  off: number,
  srcPort: number,
  dstPort: number,
  payloadLen: number,
): number {
  writeU16(buf, off, srcPort);
  writeU16(buf, off + 2, dstPort);
  writeU16(buf, off + 4, UDP_HEADER_LEN + payloadLen);
  buf[off + 6] = 0;
  buf[off + 7] = 0;
  return UDP_HEADER_LEN;
}
