/**
 * Per-flow frame templates: the whole frame (Ethernet II [+ 802.1Q] / IPv4 / UDP, TCP or
 * ICMP echo / payload) is built once with full checksums; each packet is then one copy of
 * the template plus patches of the IPv4 ID and the TCP sequence or ICMP sequence number,
 * with RFC 1624 incremental checksum updates — no per-packet checksum pass.
 *
 * Private helper of the stack: driver-runtime/net has the header writers and checksums but
 * no "stamp from template" yet; switch to it when it lands.
 */
import { writeU16, writeU32 } from '../net/bytes.ts';
import { checksumAdjust, checksumAdjust32, writeL4Checksum } from '../net/checksum.ts';
import {
  ETHERTYPE_IPV4,
  ETH_HEADER_LEN,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LEN,
  MIN_FRAME_LEN,
  TCP_ACK,
  TCP_HEADER_LEN,
  TCP_PSH,
  UDP_HEADER_LEN,
  VLAN_TAG_LEN,
} from '../net/constants.ts';
import { makeVlanTci, writeEthernetHeader, writeVlanEthernetHeader } from '../net/ethernet.ts';
import { writeIcmpEcho } from '../net/icmp.ts';
import { writeIpv4Header } from '../net/ipv4-header.ts';
import { fillPayload } from '../net/payload.ts';
import { writeTcpHeader } from '../net/tcp.ts';
import { writeUdpHeader } from '../net/udp.ts';

export type FlowProtocol = 'udp' | 'tcp' | 'icmp';

export interface FrameTemplateOptions {
  srcMac: number;
  dstMac: number;
  /** 802.1Q PCP 0..7 for a priority tag (VID 0); omit or -1 for an untagged frame. */
  vlanPcp?: number;
  srcIp: number;
  dstIp: number;
  protocol: FlowProtocol;
  srcPort?: number;
  dstPort?: number;
  /** ICMP echo identifier. */
  icmpId?: number;
  /** Ethernet frame length without FCS, including any VLAN tag; padded up to 60. */
  frameLength: number;
  dscp?: number;
  ttl?: number;
  /** Initial TCP sequence number. */
  tcpIsn?: number;
  /** Payload fill byte seed (payload is `(i + seed) & 0xff`). */
  payloadSeed?: number;
}

/** Smallest frame length that holds the headers of a protocol (before padding to 60). */
export function headerBytes(protocol: FlowProtocol, tagged: boolean): number {
  const l4 = protocol === 'udp' ? UDP_HEADER_LEN : protocol === 'tcp' ? TCP_HEADER_LEN : ICMP_HEADER_LEN;
  return ETH_HEADER_LEN + (tagged ? VLAN_TAG_LEN : 0) + IPV4_HEADER_LEN + l4;
}

export class FrameTemplate {
  readonly bytes: Uint8Array;
  /** Frame length without FCS (>= 60). */
  readonly length: number;
  readonly l3Offset: number;
  readonly l4Offset: number;
  readonly protocol: FlowProtocol;
  /** L4 payload bytes per frame (TCP sequence advance per segment). */
  readonly payloadLength: number;
  private readonly ipId0: number;
  private readonly ipCsum0: number;
  private readonly l4Csum0: number;
  private readonly seq0: number;

  constructor(o: FrameTemplateOptions) {
    const tagged = o.vlanPcp !== undefined && o.vlanPcp >= 0;
    const minLen = headerBytes(o.protocol, tagged);
    const frameLen = Math.max(o.frameLength, minLen);
    this.length = Math.max(frameLen, MIN_FRAME_LEN);
    this.protocol = o.protocol;
    const b = new Uint8Array(this.length);
    this.bytes = b;
    let off = tagged
      ? writeVlanEthernetHeader(b, 0, o.dstMac, o.srcMac, makeVlanTci(o.vlanPcp ?? 0, false, 0), ETHERTYPE_IPV4)
      : writeEthernetHeader(b, 0, o.dstMac, o.srcMac, ETHERTYPE_IPV4);
    this.l3Offset = off;
    off += IPV4_HEADER_LEN;
    this.l4Offset = off;
    const payloadLen = frameLen - minLen;
    this.payloadLength = payloadLen;
    const l4Header = minLen - off;
    fillPayload(b, off + l4Header, payloadLen);
    if (o.payloadSeed) for (let i = 0; i < payloadLen; i++) b[off + l4Header + i] = (i + o.payloadSeed) & 0xff;
    const proto = o.protocol === 'udp' ? IPPROTO_UDP : o.protocol === 'tcp' ? IPPROTO_TCP : IPPROTO_ICMP;
    this.ipId0 = 0;
    writeIpv4Header(b, this.l3Offset, o.srcIp, o.dstIp, proto, l4Header + payloadLen, 0, o.ttl ?? 64, o.dscp ?? 0);
    this.ipCsum0 = (b[this.l3Offset + 10] << 8) | b[this.l3Offset + 11];
    if (o.protocol === 'udp') {
      writeUdpHeader(b, off, o.srcPort ?? 0, o.dstPort ?? 0, payloadLen);
      this.l4Csum0 = writeL4Checksum(b, off, l4Header + payloadLen, o.srcIp, o.dstIp, IPPROTO_UDP);
      this.seq0 = 0;
    } else if (o.protocol === 'tcp') {
      this.seq0 = (o.tcpIsn ?? 0) >>> 0;
      writeTcpHeader(b, off, o.srcPort ?? 0, o.dstPort ?? 0, this.seq0, 1, TCP_ACK | TCP_PSH, 0xffff);
      this.l4Csum0 = writeL4Checksum(b, off, l4Header + payloadLen, o.srcIp, o.dstIp, IPPROTO_TCP);
    } else {
      this.seq0 = 0;
      writeIcmpEcho(b, off, ICMP_ECHO_REQUEST, o.icmpId ?? 0, 0, payloadLen);
      this.l4Csum0 = (b[off + 2] << 8) | b[off + 3];
    }
  }

  /**
   * Copies the template to `dst[off..]` and patches the IPv4 ID and the per-packet sequence
   * (TCP sequence number, or ICMP echo sequence; ignored for UDP). Returns the frame length.
   */
  stamp(dst: Uint8Array, off: number, ipId: number, seq: number): number {
    dst.set(this.bytes, off);
    const ip = off + this.l3Offset;
    const id = ipId & 0xffff;
    writeU16(dst, ip + 4, id);
    writeU16(dst, ip + 10, checksumAdjust(this.ipCsum0, this.ipId0, id));
    const l4 = off + this.l4Offset;
    if (this.protocol === 'tcp') {
      const s = seq >>> 0;
      writeU32(dst, l4 + 4, s);
      writeU16(dst, l4 + 16, checksumAdjust32(this.l4Csum0, this.seq0, s));
    } else if (this.protocol === 'icmp') {
      const s = seq & 0xffff;
      writeU16(dst, l4 + 6, s);
      writeU16(dst, l4 + 2, checksumAdjust(this.l4Csum0, this.seq0, s));
    }
    return this.length;
  }
}
