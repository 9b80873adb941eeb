/**
 * The stack's flows described the way its apps and the link partner think of them (a
 * protocol and a frame length), turned into driver-runtime/net flow templates. Per packet the
 * senders call net's `stampPacket` (one copy + IP ID / sequence patches, no allocation).
 *
 * Frames: Ethernet II [+ 802.1Q priority tag, VID 0] / IPv4 (DF, TTL 64) / UDP, TCP
 * (ACK|PSH, ack 1, window 65535) or ICMP echo request / payload bytes `i & 0xff`.
 */
import {
  ETH_HEADER_LEN,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  IPV4_HEADER_LEN,
  TCP_ACK,
  TCP_HEADER_LEN,
  TCP_PSH,
  UDP_HEADER_LEN,
  VLAN_TAG_LEN,
} from './constants.ts';
import {
  buildIcmpEchoTemplate,
  buildTcpTemplate,
  buildUdpTemplate,
  type FlowTemplate,
} from './flow-template.ts';
import type { Ipv4Spec } from './frame-spec.ts';

export type FlowProtocol = 'udp' | 'tcp' | 'icmp';

export interface FlowFrameOptions {
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
  /** Ethernet frame length without FCS, including any VLAN tag; at least the headers, padded up to 60. */
  frameLength: number;
  dscp?: number;
  ttl?: number;
  /** Initial TCP sequence number. */
  tcpIsn?: number;
}

/** Smallest frame length that holds the headers of a protocol (before padding to 60). */
function headerBytes(protocol: FlowProtocol, tagged: boolean): number {
  const l4 = protocol === 'udp' ? UDP_HEADER_LEN : protocol === 'tcp' ? TCP_HEADER_LEN : ICMP_HEADER_LEN;
  return ETH_HEADER_LEN + (tagged ? VLAN_TAG_LEN : 0) + IPV4_HEADER_LEN + l4;
}

/** Builds the template of a flow (IP ID 0, TCP sequence `tcpIsn`, ICMP sequence 0). */
export function buildFlowTemplate(o: FlowFrameOptions): FlowTemplate {
  const tagged = o.vlanPcp !== undefined && o.vlanPcp >= 0;
  const ip: Ipv4Spec = {
    dstMac: o.dstMac,
    srcMac: o.srcMac,
    vlan: tagged ? { pcp: o.vlanPcp ?? 0, dei: false, vid: 0 } : null,
    srcIp: o.srcIp,
    dstIp: o.dstIp,
    ttl: o.ttl ?? 64,
    dscp: o.dscp ?? 0,
  };
  const payloadLength = Math.max(0, o.frameLength - headerBytes(o.protocol, tagged));
  const srcPort = o.srcPort ?? 0;
  const dstPort = o.dstPort ?? 0;
  if (o.protocol === 'udp') return buildUdpTemplate({ ...ip, srcPort, dstPort, payloadLength });
  if (o.protocol === 'tcp') {
    const seq = (o.tcpIsn ?? 0) >>> 0;
    return buildTcpTemplate({
      ...ip,
      srcPort,
      dstPort,
      seq,
      ack: 1,
      flags: TCP_ACK | TCP_PSH,
      window: 0xffff,
      payloadLength,
    });
  }
  return buildIcmpEchoTemplate({ ...ip, type: ICMP_ECHO_REQUEST, id: o.icmpId ?? 0, seq: 0, payloadLength });
}
