import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ICMP_ECHO_REQUEST,
  buildIcmpEchoFrame,
  buildIcmpEchoTemplate,
  type FlowTemplate,
} from '../../driver-runtime/net/index.ts';
import {
  buildTcpFrame,
  buildTcpTemplate,
  buildUdpFrame,
  buildUdpTemplate,
  stampPacket,
} from '../../driver-runtime/net/index.ts';
import { icmpEchoSpecArb, tcpSpecArb, u32Arb, udpSpecArb } from './arbitraries.ts';
import { toHex } from './helpers.ts';

const stamped = new Uint8Array(1700);
const rebuilt = new Uint8Array(1700);

/** Stamps `t` at `dstOff` over stale bytes and expects exactly the frame `rebuild` writes at 0. */
function expectStampIsRebuild(
  t: FlowTemplate,
  ipId: number,
  seq: number,
  dstOff: number,
  rebuild: (buf: Uint8Array) => number,
): void {
  stamped.fill(0x5a);
  const n = stampPacket(t, stamped, dstOff, ipId, seq);
  const m = rebuild(rebuilt);
  expect(n).toBe(m);
  expect(toHex(stamped.subarray(dstOff, dstOff + n))).toBe(toHex(rebuilt.subarray(0, m)));
}

describe('flow templates', () => {
  it('UDP stamp is byte-identical to a full rebuild with the new IP ID (fast-check)', () => {
    fc.assert(
      fc.property(udpSpecArb, fc.nat(0xffff), fc.nat(40), (spec, ipId, dstOff) => {
        expectStampIsRebuild(buildUdpTemplate(spec), ipId, 0, dstOff, (b) =>
          buildUdpFrame(b, 0, { ...spec, ipId }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('TCP stamp is byte-identical to a full rebuild with the new IP ID and seq (fast-check)', () => {
    fc.assert(
      fc.property(tcpSpecArb, fc.nat(0xffff), u32Arb, fc.nat(40), (spec, ipId, seq, dstOff) => {
        expectStampIsRebuild(buildTcpTemplate(spec), ipId, seq, dstOff, (b) =>
          buildTcpFrame(b, 0, { ...spec, ipId, seq }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('ICMP echo stamp is byte-identical to a full rebuild with the new IP ID and sequence (fast-check)', () => {
    fc.assert(
      fc.property(icmpEchoSpecArb, fc.nat(0xffff), fc.nat(0xffff), fc.nat(40), (spec, ipId, seq, dstOff) => {
        expectStampIsRebuild(buildIcmpEchoTemplate(spec), ipId, seq, dstOff, (b) =>
          buildIcmpEchoFrame(b, 0, { ...spec, ipId, seq }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('ICMP stamp masks the sequence to 16 bits and keeps the id; templates report their payload length', () => {
    const spec = {
      dstMac: 2,
      srcMac: 1,
      srcIp: 1,
      dstIp: 2,
      type: ICMP_ECHO_REQUEST,
      id: 4242,
      seq: 7,
      payloadLength: 56,
    };
    const t = buildIcmpEchoTemplate(spec);
    expect([t.length, t.payloadLength, t.baseSeq]).toEqual([14 + 20 + 8 + 56, 56, 7]);
    const a = new Uint8Array(t.length);
    const b = new Uint8Array(t.length);
    stampPacket(t, a, 0, 0x10001, 0x12345);
    buildIcmpEchoFrame(b, 0, { ...spec, ipId: 1, seq: 0x2345 });
    expect(toHex(a)).toBe(toHex(b));
    const udp = buildUdpTemplate({
      dstMac: 2,
      srcMac: 1,
      srcIp: 1,
      dstIp: 2,
      srcPort: 3,
      dstPort: 4,
      payloadLength: 10,
    });
    expect([udp.length, udp.payloadLength]).toEqual([60, 10]);
  });

  it('repeated stamps from one template stay exact (no drift)', () => {
    const spec = {
      dstMac: 2,
      srcMac: 1,
      srcIp: 0x0a000001,
      dstIp: 0x0a000002,
      srcPort: 40000,
      dstPort: 5201,
      seq: 0xfffffff0,
      ack: 1,
      flags: 0x18,
      window: 512,
      payloadLength: 1448,
    };
    const t = buildTcpTemplate(spec);
    expect(t.frame.length).toBe(t.length);
    expect(t.length).toBe(14 + 20 + 20 + 1448);
    expect(t.payloadLength).toBe(1448);
    const a = new Uint8Array(t.length);
    const b = new Uint8Array(t.length);
    let seq = spec.seq;
    for (let i = 0; i < 2000; i++) {
      seq = (seq + 1448) >>> 0;
      stampPacket(t, a, 0, i, seq);
      buildTcpFrame(b, 0, { ...spec, ipId: i & 0xffff, seq });
      if (toHex(a) !== toHex(b)) throw new Error(`mismatch at packet ${i}`);
    }
  });

  it('UDP stamp ignores seq and masks IP ID to 16 bits', () => {
    const spec = { dstMac: 2, srcMac: 1, srcIp: 1, dstIp: 2, srcPort: 3, dstPort: 4, payloadLength: 10 };
    const t = buildUdpTemplate(spec);
    const a = new Uint8Array(t.length);
    const b = new Uint8Array(t.length);
    stampPacket(t, a, 0, 0x12345, 999);
    buildUdpFrame(b, 0, { ...spec, ipId: 0x2345 });
    expect(toHex(a)).toBe(toHex(b));
  });

  it('throws when the destination is too small', () => {
    const t = buildUdpTemplate({
      dstMac: 2,
      srcMac: 1,
      srcIp: 1,
      dstIp: 2,
      srcPort: 3,
      dstPort: 4,
      payloadLength: 100,
    });
    expect(() => stampPacket(t, new Uint8Array(t.length - 1), 0, 1, 0)).toThrow(RangeError);
  });
});
