/** ARP packet writer for Ethernet/IPv4 (RFC 826): HTYPE 1, PTYPE 0x0800, HLEN 6, PLEN 4. */
import { writeU16, writeU32 } from './bytes.ts';
import { ARP_IPV4_LEN, ETHERTYPE_IPV4 } from './constants.ts';
import { writeMac } from './mac.ts';

/**
 * Writes the 28-byte ARP body; returns 28. For a request `targetMac` is 0 (unknown) and the
 * Ethernet DA is broadcast; for a reply, sender = the answering host (RFC 826 "Packet
 * Reception").
 */
export function writeArp(
  buf: Uint8Array,
  off: number,
  op: number,
  senderMac: number,
  senderIp: number,
  targetMac: number,
  targetIp: number,
): number {
  writeU16(buf, off, 1); // HTYPE Ethernet
  writeU16(buf, off + 2, ETHERTYPE_IPV4);
  buf[off + 4] = 6;
  buf[off + 5] = 4;
  writeU16(buf, off + 6, op);
  writeMac(buf, off + 8, senderMac);
  writeU32(buf, off + 14, senderIp);
  writeMac(buf, off + 18, targetMac);
  writeU32(buf, off + 24, targetIp);
  return ARP_IPV4_LEN;
}
