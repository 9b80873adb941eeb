import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stampPacket } from '../../driver-runtime/net/flow-template.ts';
import { ParsedFrame } from '../../driver-runtime/net/parsed-frame.ts';
import { frameChecksumsValid } from '../../driver-runtime/net/parser.ts';
import { buildFlowTemplate, type FlowProtocol } from '../../driver-runtime/net/flow-frames.ts';
import {
  FRAME_IPV4_ICMP,
  FRAME_IPV4_TCP,
  FRAME_IPV4_UDP,
  parseFrameKind,
} from '../../driver-runtime/net/frame-kind.ts';

const base = {
  srcMac: 0x3c22fb102030,
  dstMac: 0xa491b1000001,
  srcIp: 0xc0a80114,
  dstIp: 0xc0a80101,
  srcPort: 50000,
  dstPort: 443,
  icmpId: 4242,
};
const KIND = { udp: FRAME_IPV4_UDP, tcp: FRAME_IPV4_TCP, icmp: FRAME_IPV4_ICMP } as const;

describe('buildFlowTemplate (the stack flows as net templates)', () => {
  it('frames of the asked length parse as the flow, verify, and carry the stamped ID/sequence, tag, DSCP and ISN', () => {
    const p = new ParsedFrame();
    fc.assert(
      fc.property(
        fc.constantFrom<FlowProtocol>('udp', 'tcp', 'icmp'),
        fc.integer({ min: 42, max: 1514 }),
        fc.nat(0xffff),
        fc.nat(0xffffffff),
        fc.option(fc.nat(7), { nil: undefined }),
        fc.nat(63),
        fc.nat(0xffffffff),
        (protocol, frameLength, ipId, seq, vlanPcp, dscp, tcpIsn) => {
          const t = buildFlowTemplate({ ...base, protocol, frameLength, vlanPcp, dscp, tcpIsn });
          const headers = (vlanPcp === undefined ? 14 : 18) + 20 + (protocol === 'tcp' ? 20 : 8);
          expect(t.payloadLength).toBe(Math.max(0, frameLength - headers));
          expect(t.length).toBe(Math.max(60, frameLength, headers));
          expect(t.baseSeq).toBe(protocol === 'tcp' ? tcpIsn : 0);
          const out = new Uint8Array(t.length + 10);
          const len = stampPacket(t, out, 5, ipId, seq);
          expect(len).toBe(t.length);
          expect(parseFrameKind(out, 5, len, p)).toBe(KIND[protocol]);
          expect(p.errors).toBe(0);
          expect(frameChecksumsValid(out, p)).toBe(true);
          expect([p.dstMac, p.srcMac, p.srcIp, p.dstIp, p.ipId, p.ipDscp, p.ipTtl, p.ipDontFragment]).toEqual(
            [base.dstMac, base.srcMac, base.srcIp, base.dstIp, ipId, dscp, 64, true],
          );
          expect([p.hasVlan, p.vlanPcp, p.vlanDei, p.vlanVid]).toEqual(
            vlanPcp === undefined ? [false, 0, false, 0] : [true, vlanPcp, false, 0],
          );
          if (protocol === 'icmp')
            expect([p.icmpType, p.icmpId, p.icmpSeq]).toEqual([8, base.icmpId, seq & 0xffff]);
          else expect([p.srcPort, p.dstPort]).toEqual([base.srcPort, base.dstPort]);
          if (protocol === 'tcp')
            expect([p.tcpSeq, p.tcpAck, p.tcpFlags, p.tcpWindow]).toEqual([seq, 1, 0x18, 0xffff]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('pads small frames to 60 bytes with zeros and keeps IPv4 total length honest', () => {
    const t = buildFlowTemplate({ ...base, protocol: 'udp', frameLength: 42 });
    expect(t.length).toBe(60);
    expect(t.frame.subarray(42).every((b) => b === 0)).toBe(true);
    expect((t.frame[16]! << 8) | t.frame[17]!).toBe(28);
  });

  it('treats vlanPcp -1 as untagged and a length below the headers as headers only', () => {
    const t = buildFlowTemplate({ ...base, protocol: 'tcp', frameLength: 10, vlanPcp: -1 });
    expect([t.l3Offset, t.payloadLength, t.length]).toEqual([14, 0, 60]);
  });
});
