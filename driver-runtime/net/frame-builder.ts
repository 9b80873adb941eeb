/**
 * Whole-frame builders: Ethernet (+802.1Q) / IPv4 / UDP|TCP|ICMP echo, and ARP. Each writes
 * into `buf` at `off`, fills every checksum, zero-pads to 60 bytes and returns the frame
 * length (no FCS). They are the reference ("full rebuild") that flow templates must match.
 */
import {
  ARP_IPV4_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ICMP_HEADER_LEN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LEN,
  MIN_FRAME_LEN,
  TCP_HEADER_LEN,
  UDP_HEADER_LEN,
} from './constants.ts';
import { writeL4Checksum } from './checksum.ts';
import { makeVlanTci, padFrame, writeEthernetHeader, writeVlanEthernetHeader } from './ethernet.ts';
import { writeIpv4Header } from './ipv4-header.ts';
import { writeUdpHeader } from './udp.ts';
import { writeTcpHeader } from './tcp.ts';
import { writeIcmpEcho } from './icmp.ts';
import { writeArp } from './arp.ts';
import { fillPayload } from './payload.ts';
import type {
  ArpFrameSpec,
  IcmpEchoFrameSpec,
  Ipv4Spec,
  L2Spec,
  TcpFrameSpec,
  UdpFrameSpec,
} from './frame-spec.ts';

/** Largest IPv4 datagram (16-bit total length, RFC 791). */
const MAX_IPV4_TOTAL = 0xffff;

/** Writes the L2 header for `etherType`, tagged if `spec.vlan`; returns 14 or 18. */
export function writeL2(buf: Uint8Array, off: number, spec: L2Spec, etherType: number): number {
  const v = spec.vlan;
  return v
    ? writeVlanEthernetHeader(buf, off, spec.dstMac, spec.srcMac, makeVlanTci(v.pcp, v.dei, v.vid), etherType)
    : writeEthernetHeader(buf, off, spec.dstMac, spec.srcMac, etherType);
}

/** Length of the L2 header a spec produces. */
export function l2HeaderLength(spec: L2Spec): number {
  return spec.vlan ? 18 : 14;
}

/**
 * Throws RangeError before writing when the frame cannot fit (a caller bug, not traffic):
 * typed arrays silently drop out-of-range writes, which would yield a corrupt frame.
 */
function ensureFits(buf: Uint8Array, off: number, l2: number, l3Total: number): void {
  if (l3Total > MAX_IPV4_TOTAL) throw new RangeError(`IPv4 total length ${l3Total} exceeds 65535`);
  const need = Math.max(l2 + l3Total, MIN_FRAME_LEN);
  if (!(off >= 0 && off + need <= buf.length)) {
    throw new RangeError(`frame of ${need} B does not fit at offset ${off} in a ${buf.length}-byte buffer`);
  }
}

function writeIp(buf: Uint8Array, off: number, spec: Ipv4Spec, proto: number, l4Len: number): number {
  return writeIpv4Header(
    buf,
    off,
    spec.srcIp,
    spec.dstIp,
    proto,
    l4Len,
    spec.ipId ?? 0,
    spec.ttl ?? 64,
    spec.dscp ?? 0,
    spec.dontFragment ?? true,
  );
}

/**
 * Checks the fit, then writes the L2 header and the IPv4 header for `l4Len` bytes of
 * protocol `proto`; returns the offset of the L4 header.
 */
function writeIpv4Headers(
  buf: Uint8Array,
  off: number,
  spec: Ipv4Spec,
  proto: number,
  l4Len: number,
): number {
  const l2 = l2HeaderLength(spec);
  ensureFits(buf, off, l2, IPV4_HEADER_LEN + l4Len);
  writeL2(buf, off, spec, ETHERTYPE_IPV4);
  writeIp(buf, off + l2, spec, proto, l4Len);
  return off + l2 + IPV4_HEADER_LEN;
}

/** Ethernet/IPv4/UDP with payload and both checksums; returns the (padded) frame length. */
export function buildUdpFrame(buf: Uint8Array, off: number, spec: UdpFrameSpec): number {
  const l4Len = UDP_HEADER_LEN + spec.payloadLength;
  const l4 = writeIpv4Headers(buf, off, spec, IPPROTO_UDP, l4Len);
  writeUdpHeader(buf, l4, spec.srcPort, spec.dstPort, spec.payloadLength);
  fillPayload(buf, l4 + UDP_HEADER_LEN, spec.payloadLength, spec.payload);
  writeL4Checksum(buf, l4, l4Len, spec.srcIp, spec.dstIp, IPPROTO_UDP);
  return padFrame(buf, off, l4 - off + l4Len);
}

/** Ethernet/IPv4/TCP (20-byte header) with payload and both checksums. */
export function buildTcpFrame(buf: Uint8Array, off: number, spec: TcpFrameSpec): number {
  const l4Len = TCP_HEADER_LEN + spec.payloadLength;
  const l4 = writeIpv4Headers(buf, off, spec, IPPROTO_TCP, l4Len);
  writeTcpHeader(buf, l4, spec.srcPort, spec.dstPort, spec.seq, spec.ack, spec.flags, spec.window);
  fillPayload(buf, l4 + TCP_HEADER_LEN, spec.payloadLength, spec.payload);
  writeL4Checksum(buf, l4, l4Len, spec.srcIp, spec.dstIp, IPPROTO_TCP);
  return padFrame(buf, off, l4 - off + l4Len);
}

/** Ethernet/IPv4/ICMP echo request or reply with data and both checksums. */
export function buildIcmpEchoFrame(buf: Uint8Array, off: number, spec: IcmpEchoFrameSpec): number {
  const l4Len = ICMP_HEADER_LEN + spec.payloadLength;
  const l4 = writeIpv4Headers(buf, off, spec, IPPROTO_ICMP, l4Len);
  fillPayload(buf, l4 + ICMP_HEADER_LEN, spec.payloadLength, spec.payload);
  writeIcmpEcho(buf, l4, spec.type, spec.id, spec.seq, spec.payloadLength);
  return padFrame(buf, off, l4 - off + l4Len);
}

/** Ethernet/ARP (28 B body), padded to 60 bytes. The caller picks DA (broadcast for requests). */
export function buildArpFrame(buf: Uint8Array, off: number, spec: ArpFrameSpec): number {
  const l2 = l2HeaderLength(spec);
  if (!(off >= 0 && off + MIN_FRAME_LEN <= buf.length)) {
    throw new RangeError(`ARP frame does not fit at offset ${off} in a ${buf.length}-byte buffer`);
  }
  writeL2(buf, off, spec, ETHERTYPE_ARP);
  writeArp(buf, off + l2, spec.op, spec.senderMac, spec.senderIp, spec.targetMac, spec.targetIp);
  return padFrame(buf, off, l2 + ARP_IPV4_LEN);
}
