/**
 * Flow templates: build a UDP, TCP or ICMP echo frame once (headers, payload pattern, full
 * checksums), then per packet copy it and patch only IP ID (and the TCP sequence number or
 * ICMP echo sequence number) with RFC 1624 incremental checksum updates, so the payload is
 * never re-summed. This is the synthetic apps' and the link partner's per-packet path.
 * Stamped frames are byte-identical to a full rebuild with the same ipId/seq
 * (tests/net/flow-template.test.ts checks that property).
 */
import { readU16, writeU16, writeU32 } from './bytes.ts';
import {
  ICMP_HEADER_LEN,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LEN,
  MIN_FRAME_LEN,
} from './constants.ts';
import { TCP_HEADER_LEN, UDP_HEADER_LEN } from './constants.ts';
import { checksumAdjust, checksumAdjust32, l4ChecksumOffset } from './checksum.ts';
import { buildIcmpEchoFrame, buildTcpFrame, buildUdpFrame, l2HeaderLength } from './frame-builder.ts';
import type { IcmpEchoFrameSpec, TcpFrameSpec, UdpFrameSpec } from './frame-spec.ts';

/** Offsets inside the ICMP echo header (RFC 792): checksum, sequence number. */
const ICMP_CHECKSUM_AT = 2;
const ICMP_SEQ_AT = 6;

/**
 * Layout: `frame` is exactly `length` bytes (padding included) so stampPacket can copy it
 * with one `set` and no subarray view (a view would be a per-packet allocation). Offsets
 * are relative to the frame start. The base values are those the template was built with;
 * every stamp adjusts from them, never from a previous stamp, so nothing can drift.
 */
export interface FlowTemplate {
  readonly frame: Uint8Array;
  readonly length: number;
  readonly proto: number;
  readonly l3Offset: number;
  readonly l4Offset: number;
  /** L4 data bytes per frame (UDP/TCP payload, ICMP echo data): the TCP sequence advance. */
  readonly payloadLength: number;
  readonly baseIpId: number;
  readonly baseIpChecksum: number;
  /** TCP sequence (32 bits) or ICMP echo sequence (16 bits); 0 for UDP. */
  readonly baseSeq: number;
  readonly baseL4Checksum: number;
}

/** Exact frame size for a spec: headers + payload, at least the 60-byte minimum. */
function frameSize(l2: number, l4Header: number, payloadLength: number): number {
  return Math.max(MIN_FRAME_LEN, l2 + IPV4_HEADER_LEN + l4Header + payloadLength);
}

function describe(
  frame: Uint8Array,
  length: number,
  proto: number,
  l2: number,
  payloadLength: number,
  seq: number,
): FlowTemplate {
  const l4 = l2 + IPV4_HEADER_LEN;
  return {
    frame,
    length,
    proto,
    l3Offset: l2,
    l4Offset: l4,
    payloadLength,
    baseIpId: readU16(frame, l2 + 4),
    baseIpChecksum: readU16(frame, l2 + 10),
    baseSeq: seq,
    baseL4Checksum: readU16(
      frame,
      l4 + (proto === IPPROTO_ICMP ? ICMP_CHECKSUM_AT : l4ChecksumOffset(proto)),
    ),
  };
}

export function buildUdpTemplate(spec: UdpFrameSpec): FlowTemplate {
  const l2 = l2HeaderLength(spec);
  const frame = new Uint8Array(frameSize(l2, UDP_HEADER_LEN, spec.payloadLength));
  const len = buildUdpFrame(frame, 0, spec);
  return describe(frame, len, IPPROTO_UDP, l2, spec.payloadLength, 0);
}

export function buildTcpTemplate(spec: TcpFrameSpec): FlowTemplate {
  const l2 = l2HeaderLength(spec);
  const frame = new Uint8Array(frameSize(l2, TCP_HEADER_LEN, spec.payloadLength));
  const len = buildTcpFrame(frame, 0, spec);
  return describe(frame, len, IPPROTO_TCP, l2, spec.payloadLength, spec.seq >>> 0);
}

/** An echo request or reply template; stamps patch IP ID and the echo sequence number. */
export function buildIcmpEchoTemplate(spec: IcmpEchoFrameSpec): FlowTemplate {
  const l2 = l2HeaderLength(spec);
  const frame = new Uint8Array(frameSize(l2, ICMP_HEADER_LEN, spec.payloadLength));
  const len = buildIcmpEchoFrame(frame, 0, spec);
  return describe(frame, len, IPPROTO_ICMP, l2, spec.payloadLength, spec.seq & 0xffff);
}

/**
 * Copies the template to `dst` at `dstOff`, sets IP ID to `ipId` (16 bits) and the sequence
 * number to `seq` (TCP: 32 bits; ICMP echo: 16 bits; ignored for UDP), fixing checksums
 * incrementally. IP ID is not in the pseudo-header, so the L4 checksum only changes with seq.
 * Returns the frame length. Throws RangeError (from `set`) if `dst` is too small.
 */
export function stampPacket(
  t: FlowTemplate,
  dst: Uint8Array,
  dstOff: number,
  ipId: number,
  seq: number,
): number {
  dst.set(t.frame, dstOff);
  return patchPacket(t, dst, dstOff, ipId, seq);
}

/**
 * `stampPacket` into a buffer that already holds this template's frame as `stampPacket` left
 * it (any IP ID and sequence): only the IP ID, the sequence and their checksums are written —
 * absolute values from the template's base, so the result is byte for byte `stampPacket`'s.
 */
export function patchPacket(
  t: FlowTemplate,
  dst: Uint8Array,
  dstOff: number,
  ipId: number,
  seq: number,
): number {
  const l3 = dstOff + t.l3Offset;
  const id = ipId & 0xffff;
  writeU16(dst, l3 + 4, id);
  writeU16(dst, l3 + 10, checksumAdjust(t.baseIpChecksum, t.baseIpId, id));
  const l4 = dstOff + t.l4Offset;
  if (t.proto === IPPROTO_TCP) {
    const s = seq >>> 0;
    writeU32(dst, l4 + 4, s);
    writeU16(dst, l4 + 16, checksumAdjust32(t.baseL4Checksum, t.baseSeq, s));
  } else if (t.proto === IPPROTO_ICMP) {
    const s = seq & 0xffff;
    writeU16(dst, l4 + ICMP_SEQ_AT, s);
    writeU16(dst, l4 + ICMP_CHECKSUM_AT, checksumAdjust(t.baseL4Checksum, t.baseSeq, s));
  }
  return t.length;
}
