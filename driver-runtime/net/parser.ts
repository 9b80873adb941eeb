/**
 * In-place frame parser: Ethernet II, one 802.1Q tag, IPv4 (RFC 791), UDP (RFC 768),
 * TCP (RFC 9293), ICMP echo (RFC 792), ARP (RFC 826). Fills a reused ParsedFrame; never
 * allocates and never throws: every read is preceded by a length check against the frame
 * end, and problems are reported as PARSE_* bits. Checksums are reported, not verified
 * (frameChecksumsValid / checksum.ts verify) because a NIC with Rx checksum offload would
 * skip that work.
 * Not handled (reported as an unknown EtherType / protocol): IPv6, QinQ 0x88a8, 802.3 LLC.
 */
import { readU16, readU32 } from './bytes.ts';
import { verifyIcmp, verifyIpv4Header, verifyL4 } from './checksum.ts';
import {
  ARP_IPV4_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
  ETH_HEADER_LEN,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_FLAG_DF,
  IPV4_FLAG_MF,
  IPV4_FRAG_OFFSET_MASK,
  TCP_HEADER_LEN,
  UDP_HEADER_LEN,
  VLAN_TAG_LEN,
} from './constants.ts';
import {
  PARSE_BAD_ARP,
  PARSE_BAD_IHL,
  PARSE_BAD_IP_LENGTH,
  PARSE_BAD_IP_VERSION,
  PARSE_BAD_L4_LENGTH,
  PARSE_SHORT,
  type ParsedFrame,
} from './parsed-frame.ts';

/**
 * Parses `len` bytes at `off` into `out` (reset first). Returns true when no PARSE_* error
 * was found. Out-of-range `off`/`len` are clamped to the buffer rather than trusted.
 */
export function parseFrame(buf: Uint8Array, off: number, len: number, out: ParsedFrame): boolean {
  out.reset();
  // `x >= 0` is false for NaN, so NaN/negative inputs clamp to 0 (no `| 0`: it wraps at 2^31).
  const start = off >= 0 ? Math.min(Math.floor(off), buf.length) : 0;
  const end = Math.min(start + (len >= 0 ? Math.floor(len) : 0), buf.length);
  out.frameLength = end - start;
  if (end - start < ETH_HEADER_LEN) {
    out.errors |= PARSE_SHORT;
    return false;
  }
  readEthernetMacs(buf, start, out);
  let type = readU16(buf, start + 12);
  let l3 = start + ETH_HEADER_LEN;
  if (type === ETHERTYPE_VLAN) {
    if (end - l3 < VLAN_TAG_LEN) {
      out.errors |= PARSE_SHORT;
      return false;
    }
    const tci = readU16(buf, l3);
    out.hasVlan = true;
    out.vlanPcp = tci >>> 13;
    out.vlanDei = (tci & 0x1000) !== 0;
    out.vlanVid = tci & 0x0fff;
    type = readU16(buf, l3 + 2);
    l3 += VLAN_TAG_LEN;
  }
  out.etherType = type;
  out.l3Offset = l3;
  if (type === ETHERTYPE_IPV4) parseIpv4(buf, l3, end, out);
  else if (type === ETHERTYPE_ARP) parseArp(buf, l3, end, out);
  else {
    out.payloadOffset = l3;
    out.payloadLength = end - l3;
  }
  return out.errors === 0;
}

/**
 * For a frame `parseFrame` has just read from `buf` into `f`: true when it is IPv4 carrying a
 * UDP, TCP or ICMP header and both the IPv4 header checksum and the L4 checksum (over the
 * L4 bytes the IP total length announces; UDP and TCP with the pseudo-header, a UDP checksum
 * of 0 accepted as "not computed") verify. False for anything else. Allocates nothing.
 */
export function frameChecksumsValid(buf: Uint8Array, f: ParsedFrame): boolean {
  if (!f.ipValid || f.l4Offset < 0) return false;
  const proto = f.proto;
  if (proto !== IPPROTO_UDP && proto !== IPPROTO_TCP && proto !== IPPROTO_ICMP) return false;
  if (!verifyIpv4Header(buf, f.l3Offset)) return false;
  if (proto === IPPROTO_ICMP) return verifyIcmp(buf, f.l4Offset, f.l4Length);
  return verifyL4(buf, f.l4Offset, f.l4Length, f.srcIp, f.dstIp, proto);
}

function parseIpv4(buf: Uint8Array, l3: number, end: number, out: ParsedFrame): void {
  if (end - l3 < 1) {
    out.errors |= PARSE_SHORT;
    return;
  }
  const vihl = buf[l3]!;
  if (vihl >>> 4 !== 4) {
    out.errors |= PARSE_BAD_IP_VERSION;
    return;
  }
  const hl = (vihl & 0x0f) * 4;
  if (hl < 20 || end - l3 < hl) {
    out.errors |= PARSE_BAD_IHL;
    return;
  }
  const total = readU16(buf, l3 + 2);
  const frag = readU16(buf, l3 + 6);
  out.ipHeaderLength = hl;
  out.ipTotalLength = total;
  out.ipDscp = buf[l3 + 1]! >>> 2;
  out.ipId = readU16(buf, l3 + 4);
  out.ipDontFragment = (frag & IPV4_FLAG_DF) !== 0;
  out.ipFragment = (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
  out.ipTtl = buf[l3 + 8]!;
  out.proto = buf[l3 + 9]!;
  out.ipChecksum = readU16(buf, l3 + 10);
  out.srcIp = readU32(buf, l3 + 12);
  out.dstIp = readU32(buf, l3 + 16);
  // Bytes past total length are Ethernet padding (IEEE 802.3 §3.2.8), not IP data.
  if (total < hl || total > end - l3) {
    out.errors |= PARSE_BAD_IP_LENGTH;
    return;
  }
  out.ipValid = true;
  const l4 = l3 + hl;
  const l4Len = total - hl;
  out.payloadOffset = l4;
  out.payloadLength = l4Len;
  if ((frag & IPV4_FRAG_OFFSET_MASK) !== 0) return; // later fragment: no L4 header here
  out.l4Offset = l4;
  out.l4Length = l4Len;
  if (out.proto === IPPROTO_UDP) parseUdp(buf, l4, l4Len, out);
  else if (out.proto === IPPROTO_TCP) parseTcp(buf, l4, l4Len, out);
  else if (out.proto === IPPROTO_ICMP) parseIcmp(buf, l4, l4Len, out);
}

function parseUdp(buf: Uint8Array, l4: number, l4Len: number, out: ParsedFrame): void {
  if (l4Len < UDP_HEADER_LEN) {
    out.errors |= PARSE_SHORT;
    return;
  }
  out.srcPort = readU16(buf, l4);
  out.dstPort = readU16(buf, l4 + 2);
  out.l4Checksum = readU16(buf, l4 + 6);
  const udpLen = readU16(buf, l4 + 4);
  // A first fragment carries only part of the datagram, so its UDP length may exceed l4Len.
  if (udpLen < UDP_HEADER_LEN || (udpLen > l4Len && !out.ipFragment)) {
    out.errors |= PARSE_BAD_L4_LENGTH;
    return;
  }
  out.payloadOffset = l4 + UDP_HEADER_LEN;
  out.payloadLength = Math.min(udpLen, l4Len) - UDP_HEADER_LEN;
}

function parseTcp(buf: Uint8Array, l4: number, l4Len: number, out: ParsedFrame): void {
  if (l4Len < TCP_HEADER_LEN) {
    out.errors |= PARSE_SHORT;
    return;
  }
  out.srcPort = readU16(buf, l4);
  out.dstPort = readU16(buf, l4 + 2);
  out.tcpSeq = readU32(buf, l4 + 4);
  out.tcpAck = readU32(buf, l4 + 8);
  out.tcpFlags = buf[l4 + 13]!;
  out.tcpWindow = readU16(buf, l4 + 14);
  out.l4Checksum = readU16(buf, l4 + 16);
  const thl = (buf[l4 + 12]! >>> 4) * 4;
  out.tcpHeaderLength = thl;
  if (thl < TCP_HEADER_LEN || thl > l4Len) {
    out.errors |= PARSE_BAD_L4_LENGTH;
    return;
  }
  out.payloadOffset = l4 + thl;
  out.payloadLength = l4Len - thl;
}

function parseIcmp(buf: Uint8Array, l4: number, l4Len: number, out: ParsedFrame): void {
  if (l4Len < ICMP_HEADER_LEN) {
    out.errors |= PARSE_SHORT;
    return;
  }
  out.icmpType = buf[l4]!;
  out.icmpCode = buf[l4 + 1]!;
  out.l4Checksum = readU16(buf, l4 + 2);
  if (out.icmpType === ICMP_ECHO_REQUEST || out.icmpType === ICMP_ECHO_REPLY) {
    out.icmpId = readU16(buf, l4 + 4);
    out.icmpSeq = readU16(buf, l4 + 6);
  }
  out.payloadOffset = l4 + ICMP_HEADER_LEN;
  out.payloadLength = l4Len - ICMP_HEADER_LEN;
}

function parseArp(buf: Uint8Array, l3: number, end: number, out: ParsedFrame): void {
  if (end - l3 < ARP_IPV4_LEN) {
    out.errors |= PARSE_SHORT;
    return;
  }
  if (
    readU16(buf, l3) !== 1 ||
    readU16(buf, l3 + 2) !== ETHERTYPE_IPV4 ||
    buf[l3 + 4] !== 6 ||
    buf[l3 + 5] !== 4
  ) {
    out.errors |= PARSE_BAD_ARP;
    return;
  }
  out.arpOp = readU16(buf, l3 + 6);
  readArpMacs(buf, l3, out);
  out.arpSenderIp = readU32(buf, l3 + 14);
  out.arpTargetIp = readU32(buf, l3 + 24);
  // ARP has no payload; the bytes after it are Ethernet padding.
  out.payloadOffset = l3 + ARP_IPV4_LEN;
  out.payloadLength = 0;
}

/*
 * MACs are 48-bit numbers, i.e. float64s. They are stored straight into `out` here, never
 * returned: a float64 returned from a call V8 does not inline is boxed into a new HeapNumber,
 * and this runs for every parsed frame.
 */
function readEthernetMacs(buf: Uint8Array, o: number, out: ParsedFrame): void {
  out.dstMac =
    ((buf[o] << 8) | buf[o + 1]) * 0x1_0000_0000 +
    (((buf[o + 2] << 24) | (buf[o + 3] << 16) | (buf[o + 4] << 8) | buf[o + 5]) >>> 0);
  out.srcMac =
    ((buf[o + 6] << 8) | buf[o + 7]) * 0x1_0000_0000 +
    (((buf[o + 8] << 24) | (buf[o + 9] << 16) | (buf[o + 10] << 8) | buf[o + 11]) >>> 0);
}

function readArpMacs(buf: Uint8Array, l3: number, out: ParsedFrame): void {
  const s = l3 + 8;
  const t = l3 + 18;
  out.arpSenderMac =
    ((buf[s] << 8) | buf[s + 1]) * 0x1_0000_0000 +
    (((buf[s + 2] << 24) | (buf[s + 3] << 16) | (buf[s + 4] << 8) | buf[s + 5]) >>> 0);
  out.arpTargetMac =
    ((buf[t] << 8) | buf[t + 1]) * 0x1_0000_0000 +
    (((buf[t + 2] << 24) | (buf[t + 3] << 16) | (buf[t + 4] << 8) | buf[t + 5]) >>> 0);
}
