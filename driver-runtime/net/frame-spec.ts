/**
 * Plain descriptions of frames to build. Builders read them and never keep them, so one
 * spec object can be reused (mutated) across calls without per-packet allocation.
 * MACs are 48-bit numbers (mac.ts), IPs u32 numbers (ipv4-address.ts).
 */

export interface VlanSpec {
  /** 802.1Q priority code point 0..7 (traffic types per nic-model.md §5). */
  pcp: number;
  dei: boolean;
  /** VLAN id 0..4095 (0 = priority tag only). */
  vid: number;
}

export interface L2Spec {
  dstMac: number;
  srcMac: number;
  /** Adds an 802.1Q tag when set. */
  vlan?: VlanSpec | null;
}

export interface Ipv4Spec extends L2Spec {
  srcIp: number;
  dstIp: number;
  /** IPv4 identification (RFC 791, RFC 6864). Default 0. */
  ipId?: number;
  /** Default 64. */
  ttl?: number;
  /** 6-bit DSCP (RFC 2474). Default 0. */
  dscp?: number;
  /** Default true: NetLanes never fragments. */
  dontFragment?: boolean;
}

/** Payload description shared by UDP, TCP and ICMP: length plus an optional cyclic pattern. */
export interface PayloadSpec {
  payloadLength: number;
  /** Repeated cyclically to fill payloadLength; default bytes are `i & 0xff`. */
  payload?: Uint8Array | null;
}

export interface UdpFrameSpec extends Ipv4Spec, PayloadSpec {
  srcPort: number;
  dstPort: number;
}

export interface TcpFrameSpec extends Ipv4Spec, PayloadSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_* flag bits. */
  flags: number;
  window: number;
}

export interface IcmpEchoFrameSpec extends Ipv4Spec, PayloadSpec {
  /** ICMP_ECHO_REQUEST (8) or ICMP_ECHO_REPLY (0). */
  type: number;
  id: number;
  seq: number;
}

export interface ArpFrameSpec extends L2Spec {
  /** ARP_OP_REQUEST (1) or ARP_OP_REPLY (2). */
  op: number;
  senderMac: number;
  senderIp: number;
  /** 0 in a request (RFC 826: "don't care"). */
  targetMac: number;
  targetIp: number;
}
