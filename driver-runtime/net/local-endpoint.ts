/**
 * The receive classifier of one IPv4 endpoint — a host with one MAC and one IP — shared by
 * both ends of the wire (the host stack above the driver and the link partner beyond the
 * wire): parse once into a reused ParsedFrame, then say what the frame is to this endpoint.
 * What each end does with the answer (reply, learn, deliver by port, count) stays its own.
 */
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from './constants.ts';
import {
  FRAME_ARP,
  FRAME_INVALID,
  FRAME_IPV4_ICMP,
  FRAME_IPV4_TCP,
  FRAME_IPV4_UDP,
  parseFrameKind,
} from './frame-kind.ts';
import { isMulticastMac } from './mac.ts';
import type { ParsedFrame } from './parsed-frame.ts';
import { frameChecksumsValid } from './parser.ts';

/** Malformed: count as invalid, drop. */
export const LOCAL_INVALID = 0;
/** Well formed, but for another MAC or IP, or of a type this endpoint does not speak. */
export const LOCAL_NOT_FOR_US = 1;
/** For us, but an IPv4, UDP, TCP or ICMP checksum is wrong. */
export const LOCAL_BAD_CHECKSUM = 2;
/** ARP to our MAC or broadcast (the caller checks operation and target). */
export const LOCAL_ARP = 3;
export const LOCAL_ECHO_REQUEST = 4;
export const LOCAL_ECHO_REPLY = 5;
/** ICMP for us that is neither echo request nor reply. */
export const LOCAL_ICMP_OTHER = 6;
/** UDP or TCP for our IP with valid checksums: deliver by port. */
export const LOCAL_DATAGRAM = 7;

/**
 * Classifies `len` bytes (no FCS) at `off` of `buf` for the endpoint (`mac`, `ip`), leaving
 * the parsed headers in `p`. `verify` checks IPv4 and L4 checksums of frames for us.
 */
export function classifyForEndpoint(
  buf: Uint8Array,
  off: number,
  len: number,
  p: ParsedFrame,
  mac: number,
  ip: number,
  verify: boolean,
): number {
  const kind = parseFrameKind(buf, off, len, p);
  if (kind === FRAME_INVALID) return LOCAL_INVALID;
  if (p.dstMac !== mac && !isMulticastMac(p.dstMac)) return LOCAL_NOT_FOR_US;
  if (kind === FRAME_ARP) return LOCAL_ARP;
  if (kind !== FRAME_IPV4_UDP && kind !== FRAME_IPV4_TCP && kind !== FRAME_IPV4_ICMP) return LOCAL_NOT_FOR_US;
  if (p.dstIp !== ip) return LOCAL_NOT_FOR_US;
  if (verify && !frameChecksumsValid(buf, p)) return LOCAL_BAD_CHECKSUM;
  if (kind !== FRAME_IPV4_ICMP) return LOCAL_DATAGRAM;
  if (p.icmpType === ICMP_ECHO_REQUEST) return LOCAL_ECHO_REQUEST;
  if (p.icmpType === ICMP_ECHO_REPLY) return LOCAL_ECHO_REPLY;
  return LOCAL_ICMP_OTHER;
}
