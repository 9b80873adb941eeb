/**
 * A minimal, allocation-free frame parser for the stack and the link partner: Ethernet II
 * with an optional 802.1Q tag, ARP (Ethernet/IPv4), IPv4 (no fragments), UDP, TCP and ICMP
 * echo. One parser object is reused; `parse` overwrites its fields.
 *
 * Private helper of the stack: driver-runtime/net has no parser yet; switch to it when it lands.
 */
import { readU16, readU32 } from '../net/bytes.ts';
import { verifyIcmp, verifyIpv4Header, verifyL4 } from '../net/checksum.ts';
import {
  ARP_IPV4_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
  ETH_HEADER_LEN,
  ICMP_HEADER_LEN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_HEADER_LEN,
  UDP_HEADER_LEN,
  VLAN_TAG_LEN,
} from '../net/constants.ts';
import { readMac } from '../net/mac.ts';

/** What `parse` recognised. */
export const FRAME_INVALID = 0;
export const FRAME_ARP = 1;
export const FRAME_IPV4_UDP = 2;
export const FRAME_IPV4_TCP = 3;
export const FRAME_IPV4_ICMP = 4;
/** Well-formed Ethernet, but a type or protocol the stack does not handle. */
export const FRAME_OTHER = 5;

export class FrameParser {
  kind = FRAME_INVALID;
  buf: Uint8Array = new Uint8Array(0);
  dstMac = 0;
  srcMac = 0;
  /** 802.1Q TCI, or -1 when untagged. */
  vlanTci = -1;
  etherType = 0;
  l3Offset = 0;
  ipProto = 0;
  srcIp = 0;
  dstIp = 0;
  ipId = 0;
  l4Offset = 0;
  l4Length = 0;
  srcPort = 0;
  dstPort = 0;
  tcpSeq = 0;
  icmpType = 0;
  icmpId = 0;
  icmpSeq = 0;
  arpOp = 0;
  arpSenderMac = 0;
  arpSenderIp = 0;
  arpTargetIp = 0;

  /** Parses `len` bytes (no FCS) at `off`; returns the kind (also in `this.kind`). */
  parse(buf: Uint8Array, off: number, len: number): number {
    this.buf = buf;
    this.kind = FRAME_INVALID;
    if (len < ETH_HEADER_LEN || off + len > buf.length) return FRAME_INVALID;
    this.dstMac = readMac(buf, off);
    this.srcMac = readMac(buf, off + 6);
    let type = readU16(buf, off + 12);
    let l3 = off + ETH_HEADER_LEN;
    this.vlanTci = -1;
    if (type === ETHERTYPE_VLAN) {
      if (len < ETH_HEADER_LEN + VLAN_TAG_LEN) return FRAME_INVALID;
      this.vlanTci = readU16(buf, off + 14);
      type = readU16(buf, off + 16);
      l3 += VLAN_TAG_LEN;
    }
    this.etherType = type;
    this.l3Offset = l3;
    const end = off + len;
    if (type === ETHERTYPE_ARP) {
      if (l3 + ARP_IPV4_LEN > end) return FRAME_INVALID;
      if (readU16(buf, l3) !== 1 || readU16(buf, l3 + 2) !== ETHERTYPE_IPV4 || buf[l3 + 4] !== 6 || buf[l3 + 5] !== 4) {
        return (this.kind = FRAME_OTHER);
      }
      this.arpOp = readU16(buf, l3 + 6);
      this.arpSenderMac = readMac(buf, l3 + 8);
      this.arpSenderIp = readU32(buf, l3 + 14);
      this.arpTargetIp = readU32(buf, l3 + 24);
      return (this.kind = FRAME_ARP);
    }
    if (type !== ETHERTYPE_IPV4) return (this.kind = FRAME_OTHER);
    if (l3 + 20 > end || buf[l3] >> 4 !== 4) return FRAME_INVALID;
    const ihl = (buf[l3] & 0x0f) * 4;
    const total = readU16(buf, l3 + 2);
    if (ihl < 20 || total < ihl || l3 + total > end) return FRAME_INVALID;
    if ((readU16(buf, l3 + 6) & 0x3fff) !== 0) return (this.kind = FRAME_OTHER); // fragments
    this.ipId = readU16(buf, l3 + 4);
    this.ipProto = buf[l3 + 9];
    this.srcIp = readU32(buf, l3 + 12);
    this.dstIp = readU32(buf, l3 + 16);
    const l4 = l3 + ihl;
    this.l4Offset = l4;
    this.l4Length = total - ihl;
    if (this.ipProto === IPPROTO_UDP) {
      if (this.l4Length < UDP_HEADER_LEN) return FRAME_INVALID;
      this.srcPort = readU16(buf, l4);
      this.dstPort = readU16(buf, l4 + 2);
      return (this.kind = FRAME_IPV4_UDP);
    }
    if (this.ipProto === IPPROTO_TCP) {
      if (this.l4Length < TCP_HEADER_LEN) return FRAME_INVALID;
      this.srcPort = readU16(buf, l4);
      this.dstPort = readU16(buf, l4 + 2);
      this.tcpSeq = readU32(buf, l4 + 4);
      return (this.kind = FRAME_IPV4_TCP);
    }
    if (this.ipProto === IPPROTO_ICMP) {
      if (this.l4Length < ICMP_HEADER_LEN) return FRAME_INVALID;
      this.icmpType = buf[l4];
      this.icmpId = readU16(buf, l4 + 4);
      this.icmpSeq = readU16(buf, l4 + 6);
      return (this.kind = FRAME_IPV4_ICMP);
    }
    return (this.kind = FRAME_OTHER);
  }

  /** For an IPv4 frame just parsed: IPv4 header and UDP/TCP/ICMP checksums all verify. */
  checksumsValid(): boolean {
    const k = this.kind;
    if (k !== FRAME_IPV4_UDP && k !== FRAME_IPV4_TCP && k !== FRAME_IPV4_ICMP) return false;
    if (!verifyIpv4Header(this.buf, this.l3Offset)) return false;
    if (k === FRAME_IPV4_ICMP) return verifyIcmp(this.buf, this.l4Offset, this.l4Length);
    return verifyL4(this.buf, this.l4Offset, this.l4Length, this.srcIp, this.dstIp, this.ipProto);
  }
}
