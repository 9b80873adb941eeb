/**
 * Wire constants for the frame formats NetLanes emits and parses (nic-model.md §5).
 * Plain numeric consts rather than TS enums so they inline and survive isolatedModules.
 */

/** EtherType values (IEEE 802.3 / IANA). Values >= 0x0600 are types, below are 802.3 lengths. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_MIN = 0x0600;

/** IP protocol numbers (IANA). */
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** Header sizes in bytes. */
export const ETH_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;
export const IPV4_HEADER_LEN = 20; // IHL 5: NetLanes never emits IP options.
export const UDP_HEADER_LEN = 8; // RFC 768
export const TCP_HEADER_LEN = 20; // RFC 9293, data offset 5, no options
export const ICMP_HEADER_LEN = 8; // RFC 792 echo: type, code, checksum, id, seq
export const ARP_IPV4_LEN = 28; // RFC 826 for HTYPE 1 / PTYPE 0x0800

/** Minimum Ethernet frame without FCS: 64 B on the wire minus the 4-byte FCS (IEEE 802.3). */
export const MIN_FRAME_LEN = 60;
export const FCS_LEN = 4;

/** IPv4 flags/fragment field (RFC 791): DF and MF bits, 13-bit offset in 8-byte units. */
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;

/** TCP flag bits in the low byte of header word 6 (RFC 9293 §3.1; CWR/ECE from RFC 3168). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** ICMP echo types (RFC 792). */
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

/** ARP operations (RFC 826). */
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

/** The all-ones MAC, as a 48-bit number (see mac.ts for the representation). */
export const MAC_BROADCAST = 0xffff_ffff_ffff;
