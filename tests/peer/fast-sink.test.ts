/**
 * The link partner's fixed-offset sink accepts exactly the frames the full parse sinks, with
 * the same ports: two partners, one with the shortcut and one without, see the same frames
 * (valid UDP/TCP to us, then the same with header bytes, lengths and offsets disturbed) and
 * must end with the same counters and per-port sinks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkPartner } from '../../driver-runtime/peer/link-partner.ts';
import { buildUdpFrame } from '../../driver-runtime/net/frame-builder.ts';
import { buildPlainFrame, plainFrameSpecs } from '../support/plain-frames.ts';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { parseMac } from '../../driver-runtime/net/mac.ts';
import { parseIpv4 } from '../../driver-runtime/net/ipv4-address.ts';

const PEER_MAC = 'a4:91:b1:00:00:02';
const PEER_IP = '10.0.0.1';

function partner(fastSink: boolean): LinkPartner {
  const p = new LinkPartner({
    scheduler: new Scheduler(),
    linkBps: 1e9,
    mac: PEER_MAC,
    ip: PEER_IP,
    nic: { receiveFromWire: () => {} },
    verifyChecksums: false,
  });
  p.fastSink = fastSink;
  return p;
}

function state(p: LinkPartner) {
  // Whole per-port arrays, compared as bytes (65536 entries each: iterating them is slow).
  const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    counters: { ...p.counters },
    sinks: [p.sinkPackets, p.sinkBytes, p.sinkPacketsBySrcPort, p.sinkBytesBySrcPort].map(bytes),
  };
}

const sfd = new Float64Array(1);

describe('link partner fast sink', () => {
  it('takes the same frames as the full parse', () => {
    const endpoints = {
      dstMac: PEER_MAC,
      otherMac: 'a4:91:b1:00:00:03',
      dstIp: PEER_IP,
      srcMac: '3c:22:fb:10:20:31',
      srcIp: '10.0.0.2',
    };
    fc.assert(
      fc.property(fc.array(plainFrameSpecs([9, 10, 11, 53]), { minLength: 1, maxLength: 40 }), (frames) => {
        const fast = partner(true);
        const full = partner(false);
        for (const f of frames) {
          const { buf, len } = buildPlainFrame(f, endpoints);
          fast.frameFromNic(buf, f.offset, len, sfd, 0);
          full.frameFromNic(buf, f.offset, len, sfd, 0);
        }
        expect(state(fast)).toEqual(state(full));
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('sinks plain frames without the full parse and leaves the rest to it', () => {
    const p = partner(true);
    const buf = new Uint8Array(256);
    const len = buildUdpFrame(buf, 0, {
      dstMac: parseMac(PEER_MAC),
      srcMac: parseMac('3c:22:fb:10:20:31'),
      srcIp: parseIpv4('10.0.0.2'),
      dstIp: parseIpv4(PEER_IP),
      srcPort: 40000,
      dstPort: 9,
      payloadLength: 18,
    });
    p.frameFromNic(buf, 0, len, sfd, 0);
    buf[12] = 0x86; // not IPv4: the full parse calls it "not for us"
    p.frameFromNic(buf, 0, len, sfd, 0);
    expect(p.counters.sunkFrames).toBe(1);
    expect(p.counters.notForUs).toBe(1);
    expect(p.sinkPackets[9]).toBe(1);
  });
});
