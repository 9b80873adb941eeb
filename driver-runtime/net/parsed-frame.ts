/**
 * Result record of parseFrame. One instance is reused across calls (DPDK mbuf-metadata style)
 * so parsing allocates nothing; parseFrame resets every field first. Absent layers read as
 * -1 offsets / 0 values. All offsets are absolute indices into the parsed buffer.
 */

/** Bits of ParsedFrame.errors. Any bit set means the frame is malformed at that layer. */
export const PARSE_SHORT = 1 << 0; // frame shorter than a header it announces (Ethernet, VLAN, L4)
export const PARSE_BAD_IP_VERSION = 1 << 1; // EtherType IPv4 but version nibble != 4
export const PARSE_BAD_IHL = 1 << 2; // IHL < 5 or header runs past the frame
export const PARSE_BAD_IP_LENGTH = 1 << 3; // total length < IHL*4 or > bytes present
export const PARSE_BAD_L4_LENGTH = 1 << 4; // UDP length / TCP data offset inconsistent
export const PARSE_BAD_ARP = 1 << 5; // ARP not Ethernet/IPv4 (HTYPE/PTYPE/HLEN/PLEN)

export class ParsedFrame {
  /** Bytes considered (the `len` given to parseFrame, clamped to the buffer). */
  frameLength = 0;
  /** PARSE_* bits; 0 when well-formed. */
  errors = 0;

  dstMac = 0;
  srcMac = 0;
  /** EtherType after any 802.1Q tag (the L3 type). */
  etherType = 0;
  hasVlan = false;
  vlanPcp = 0;
  vlanDei = false;
  vlanVid = 0;

  /** Start of the L3 header (after Ethernet and tag); -1 if the frame is too short. */
  l3Offset = -1;
  /**
   * IPv4 header usable: version 4, IHL >= 5 inside the frame, total length consistent. The IP
   * fields, payloadOffset and (unless a later fragment) l4Offset/l4Length then hold even when
   * an L4 error bit is set, so a lenient reader can tell an IP error from an L4 one.
   */
  ipValid = false;
  ipHeaderLength = 0;
  ipTotalLength = 0;
  ipDscp = 0;
  ipId = 0;
  ipDontFragment = false;
  /** True for any fragment (MF set or offset != 0); L4 is parsed only for the first. */
  ipFragment = false;
  ipTtl = 0;
  /** IP protocol, -1 when not IPv4. */
  proto = -1;
  ipChecksum = 0;
  srcIp = 0;
  dstIp = 0;

  /** Start of the L4 header; -1 when there is none (non-IPv4, later fragment, error). */
  l4Offset = -1;
  /** L4 bytes per the IP total length (header + data), excluding Ethernet padding. */
  l4Length = 0;
  srcPort = 0;
  dstPort = 0;
  l4Checksum = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpFlags = 0;
  tcpWindow = 0;
  tcpHeaderLength = 0;
  icmpType = 0;
  icmpCode = 0;
  /** Echo identifier and sequence (types 0 and 8 only). */
  icmpId = 0;
  icmpSeq = 0;

  arpOp = 0;
  arpSenderMac = 0;
  arpSenderIp = 0;
  arpTargetMac = 0;
  arpTargetIp = 0;

  /** Innermost payload understood: UDP/TCP/ICMP data, IP payload of a fragment, or L3 bytes of an unknown EtherType. */
  payloadOffset = -1;
  payloadLength = 0;

  get malformed(): boolean {
    return this.errors !== 0;
  }

  reset(): void {
    this.frameLength = 0;
    this.errors = 0;
    this.dstMac = 0;
    this.srcMac = 0;
    this.etherType = 0;
    this.hasVlan = false;
    this.vlanPcp = 0;
    this.vlanDei = false;
    this.vlanVid = 0;
    this.l3Offset = -1;
    this.ipValid = false;
    this.ipHeaderLength = 0;
    this.ipTotalLength = 0;
    this.ipDscp = 0;
    this.ipId = 0;
    this.ipDontFragment = false;
    this.ipFragment = false;
    this.ipTtl = 0;
    this.proto = -1;
    this.ipChecksum = 0;
    this.srcIp = 0;
    this.dstIp = 0;
    this.l4Offset = -1;
    this.l4Length = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.l4Checksum = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpFlags = 0;
    this.tcpWindow = 0;
    this.tcpHeaderLength = 0;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.icmpId = 0;
    this.icmpSeq = 0;
    this.arpOp = 0;
    this.arpSenderMac = 0;
    this.arpSenderIp = 0;
    this.arpTargetMac = 0;
    this.arpTargetIp = 0;
    this.payloadOffset = -1;
    this.payloadLength = 0;
  }
}
