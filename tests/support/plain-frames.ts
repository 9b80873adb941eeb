/**
 * Frames for testing a fast receive path against the full parse: valid UDP or TCP datagrams
 * to an endpoint (or to another MAC), then the same with header bytes overwritten, the length
 * cut or stretched and the offset moved — most are still plain, many are not.
 */
import fc from 'fast-check';
import { buildTcpFrame, buildUdpFrame } from '../../driver-runtime/net/frame-builder.ts';
import { parseMac } from '../../driver-runtime/net/mac.ts';
import { parseIpv4 } from '../../driver-runtime/net/ipv4-address.ts';

export interface PlainFrameSpec {
  tcp: boolean;
  payload: number;
  offset: number;
  toUs: boolean;
  port: number;
  /** Header bytes to overwrite: index into the first 60 bytes, value. */
  pokes: [number, number][];
  trim: number;
}

/** Frame specs whose destination port is one of `ports`. */
export function plainFrameSpecs(ports: number[]): fc.Arbitrary<PlainFrameSpec> {
  return fc.record({
    tcp: fc.boolean(),
    payload: fc.integer({ min: 0, max: 300 }),
    offset: fc.integer({ min: 0, max: 7 }),
    toUs: fc.boolean(),
    port: fc.constantFrom(...ports),
    pokes: fc.array(fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 255 })), {
      maxLength: 3,
    }),
    trim: fc.integer({ min: -20, max: 4 }),
  });
}

export interface Endpoints {
  /** The receiver's MAC and IP (`toUs`), and where the other frames go. */
  dstMac: string;
  otherMac: string;
  dstIp: string;
  srcMac: string;
  srcIp: string;
}

/** Builds the frame at `f.offset` in a fresh 2 KiB buffer; returns the buffer and the length to hand over. */
export function buildPlainFrame(f: PlainFrameSpec, e: Endpoints): { buf: Uint8Array; len: number } {
  const buf = new Uint8Array(2048);
  const spec = {
    dstMac: parseMac(f.toUs ? e.dstMac : e.otherMac),
    srcMac: parseMac(e.srcMac),
    srcIp: parseIpv4(e.srcIp),
    dstIp: parseIpv4(e.dstIp),
    srcPort: 40000 + f.payload,
    dstPort: f.port,
    payloadLength: f.payload,
  };
  let len = f.tcp
    ? buildTcpFrame(buf, f.offset, { ...spec, seq: 1, ack: 2, flags: 0x10, window: 1000 })
    : buildUdpFrame(buf, f.offset, spec);
  for (const [i, v] of f.pokes) buf[f.offset + i] = v;
  len = Math.max(0, len + f.trim);
  return { buf, len };
}
