import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { icmpChecksum, ipv4HeaderChecksum, l4Checksum } from '../../driver-runtime/net/checksum.ts';
import { FrameTemplate, type FlowProtocol } from '../../driver-runtime/stack/frame-template.ts';
import { FrameParser, FRAME_IPV4_ICMP, FRAME_IPV4_TCP, FRAME_IPV4_UDP } from '../../driver-runtime/stack/frame-parser.ts';

const base = {
  srcMac: 0x3c22fb102030,
  dstMac: 0xa491b1000001,
  srcIp: 0xc0a80114,
  dstIp: 0xc0a80101,
  srcPort: 50000,
  dstPort: 443,
  icmpId: 4242,
};

describe('FrameTemplate', () => {
  it('a stamped frame parses, verifies, carries the stamped ID/sequence, and its checksums equal a full recompute', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<FlowProtocol>('udp', 'tcp', 'icmp'),
        fc.integer({ min: 42, max: 1514 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
        (protocol, frameLength, ipId, seq, vlanPcp) => {
          const t = new FrameTemplate({ ...base, protocol, frameLength, vlanPcp, tcpIsn: 0 });
          const out = new Uint8Array(t.length + 10);
          const len = t.stamp(out, 5, ipId, seq);
          expect(len).toBe(t.length);
          expect(len).toBeGreaterThanOrEqual(60);
          const p = new FrameParser();
          const kind = p.parse(out, 5, len);
          expect(kind).toBe(protocol === 'udp' ? FRAME_IPV4_UDP : protocol === 'tcp' ? FRAME_IPV4_TCP : FRAME_IPV4_ICMP);
          expect(p.checksumsValid()).toBe(true);
          expect(p.ipId).toBe(ipId);
          if (protocol === 'tcp') expect(p.tcpSeq).toBe(seq);
          if (protocol === 'icmp') expect(p.icmpSeq).toBe(seq & 0xffff);
          expect(p.vlanTci).toBe(vlanPcp === undefined ? -1 : vlanPcp << 13);
          // RFC 1624 eqn. 3 gives exactly what a full recompute gives.
          const stored = (o: number) => (out[o] << 8) | out[o + 1];
          expect(stored(p.l3Offset + 10)).toBe(ipv4HeaderChecksum(out, p.l3Offset));
          if (protocol === 'tcp') expect(stored(p.l4Offset + 16)).toBe(l4Checksum(out, p.l4Offset, p.l4Length, base.srcIp, base.dstIp, 6));
          if (protocol === 'icmp') expect(stored(p.l4Offset + 2)).toBe(icmpChecksum(out, p.l4Offset, p.l4Length));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('pads small frames to 60 bytes with zeros and keeps IPv4 total length honest', () => {
    const t = new FrameTemplate({ ...base, protocol: 'udp', frameLength: 42 });
    expect(t.length).toBe(60);
    expect(t.bytes.subarray(42).every((b) => b === 0)).toBe(true);
    expect((t.bytes[16] << 8) | t.bytes[17]).toBe(28);
  });
});
