/**
 * Flow templates: build a UDP/TCP frame once (headers, payload pattern, full checksums), then
 * per packet copy it and patch only IP ID (and TCP seq) with RFC 1624 incremental checksum
 * updates, so the payload is never re-summed. This is the synthetic apps' per-packet path.
 * Stamped frames are byte-identical to a full rebuild with the same ipId/seq
 * (tests/net/flow-template.test.ts checks that property).
 */
import { readU16, writeU16, writeU32 } from './bytes.ts';
import { IPPROTO_TCP, IPPROTO_UDP, IPV4_HEADER_LEN, MIN_FRAME_LEN, TCP_HEADER_LEN, UDP_HEADER_LEN } from './constants.ts';
import { checksumAdjust, checksumAdjust32, l4ChecksumOffset } from './checksum.ts';
import { buildTcpFrame, buildUdpFrame, l2HeaderLength } from './frame-builder.ts';
import type { TcpFrameSpec, UdpFrameSpec } from './frame-spec.ts';

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
  readonly baseIpId: number;
  readonly baseIpChecksum: number;
  /** TCP only (0 for UDP). */
  readonly baseSeq: number;
  readonly baseL4Checksum: number;
}

/** Exact frame size for a spec: headers + payload, at least the 60-byte minimum. */
function frameSize(l2: number, l4Header: number, payloadLength: number): number {
  return Math.max(MIN_FRAME_LEN, l2 + IPV4_HEADER_LEN + l4Header + payloadLength);
}

function describe(frame: Uint8Array, length: number, proto: number, l2: number, seq: number): FlowTemplate {
  const l4 = l2 + IPV4_HEADER_LEN;
  return {
    frame,
    length,
    proto,
    l3Offset: l2,
    l4Offset: l4,
    baseIpId: readU16(frame, l2 + 4),
    baseIpChecksum: readU16(frame, l2 + 10),
    baseSeq: seq >>> 0,
    baseL4Checksum: readU16(frame, l4 + l4ChecksumOffset(proto)),
  };
}

export function buildUdpTemplate(spec: UdpFrameSpec): FlowTemplate {
  const l2 = l2HeaderLength(spec);
  const frame = new Uint8Array(frameSize(l2, UDP_HEADER_LEN, spec.payloadLength));
  const len = buildUdpFrame(frame, 0, spec);
  return describe(frame, len, IPPROTO_UDP, l2, 0);
}

export function buildTcpTemplate(spec: TcpFrameSpec): FlowTemplate {
  const l2 = l2HeaderLength(spec);
  const frame = new Uint8Array(frameSize(l2, TCP_HEADER_LEN, spec.payloadLength));
  const len = buildTcpFrame(frame, 0, spec);
  return describe(frame, len, IPPROTO_TCP, l2, spec.seq);
}

/**
 * Copies the template to `dst` at `dstOff`, sets IP ID to `ipId` (16 bits) and, for TCP, the
 * sequence number to `seq` (32 bits; ignored for UDP), fixing checksums incrementally.
 * IP ID is not in the pseudo-header, so the UDP/TCP checksum only changes with seq.
 * Returns the frame length. Throws RangeError (from `set`) if `dst` is too small.
 */
export function stampPacket(t: FlowTemplate, dst: Uint8Array, dstOff: number, ipId: number, seq: number): number {
  dst.set(t.frame, dstOff);
  const l3 = dstOff + t.l3Offset;
  const id = ipId & 0xffff;
  writeU16(dst, l3 + 4, id);
  writeU16(dst, l3 + 10, checksumAdjust(t.baseIpChecksum, t.baseIpId, id));
  if (t.proto === IPPROTO_TCP) {
    const l4 = dstOff + t.l4Offset;
    const s = seq >>> 0;
    writeU32(dst, l4 + 4, s);
    writeU16(dst, l4 + 16, checksumAdjust32(t.baseL4Checksum, t.baseSeq, s));
  }
  return t.length;
}
