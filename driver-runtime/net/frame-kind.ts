/**
 * What the host stack and the link partner make of a received frame, read with
 * driver-runtime/net's parser into one reused ParsedFrame (nothing allocated per frame).
 *
 * The stack is deliberately lenient above the IPv4 header: a UDP/TCP/ICMP frame whose L4
 * header fits in the IP payload is handled even if net reports PARSE_BAD_L4_LENGTH (UDP
 * length field or TCP data offset inconsistent); its checksums (over the IP-announced L4
 * bytes) then decide. Fragments and ARP that is not Ethernet/IPv4 are "other", not invalid.
 */
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from './constants.ts';
import { ICMP_HEADER_LEN, TCP_HEADER_LEN, UDP_HEADER_LEN } from './constants.ts';
import { PARSE_BAD_ARP, type ParsedFrame } from './parsed-frame.ts';
import { parseFrame } from './parser.ts';

/** Malformed: counted as invalid and dropped. */
export const FRAME_INVALID = 0;
export const FRAME_ARP = 1;
export const FRAME_IPV4_UDP = 2;
export const FRAME_IPV4_TCP = 3;
export const FRAME_IPV4_ICMP = 4;
/** Well-formed Ethernet, but a type or protocol the stack does not handle. */
export const FRAME_OTHER = 5;

/** Parses `len` bytes (no FCS) at `off` of `buf` into `p` and returns its FRAME_* kind. */
export function parseFrameKind(buf: Uint8Array, off: number, len: number, p: ParsedFrame): number {
  parseFrame(buf, off, len, p);
  // A range outside the buffer is a caller bug; net would clamp it, the stack refuses it.
  if (p.l3Offset < 0 || off + len > buf.length) return FRAME_INVALID;
  if (p.etherType === ETHERTYPE_ARP) {
    if (p.errors === 0) return FRAME_ARP;
    return (p.errors & PARSE_BAD_ARP) !== 0 ? FRAME_OTHER : FRAME_INVALID;
  }
  if (p.etherType !== ETHERTYPE_IPV4) return FRAME_OTHER;
  if (!p.ipValid) return FRAME_INVALID;
  if (p.ipFragment) return FRAME_OTHER;
  const proto = p.proto;
  if (proto === IPPROTO_UDP) return p.l4Length < UDP_HEADER_LEN ? FRAME_INVALID : FRAME_IPV4_UDP;
  if (proto === IPPROTO_TCP) return p.l4Length < TCP_HEADER_LEN ? FRAME_INVALID : FRAME_IPV4_TCP;
  if (proto === IPPROTO_ICMP) return p.l4Length < ICMP_HEADER_LEN ? FRAME_INVALID : FRAME_IPV4_ICMP;
  return FRAME_OTHER;
}
