import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildTcpFrame,
  buildTcpTemplate,
  buildUdpFrame,
  buildUdpTemplate,
  stampPacket,
} from '../../driver-runtime/net/index.ts';
import { tcpSpecArb, u32Arb, udpSpecArb } from './arbitraries.ts';
import { toHex } from './helpers.ts';

describe('flow templates', () => {
  it('UDP stamp is byte-identical to a full rebuild with the new IP ID (fast-check)', () => {
    const stamped = new Uint8Array(1700);
    const rebuilt = new Uint8Array(1700);
    fc.assert(
      fc.property(udpSpecArb, fc.nat(0xffff), fc.nat(40), (spec, ipId, dstOff) => {
        const t = buildUdpTemplate(spec);
        stamped.fill(0x5a);
        const n = stampPacket(t, stamped, dstOff, ipId, 0);
        const m = buildUdpFrame(rebuilt, 0, { ...spec, ipId });
        expect(n).toBe(m);
        expect(toHex(stamped.subarray(dstOff, dstOff + n))).toBe(toHex(rebuilt.subarray(0, m)));
      }),
      { numRuns: 300 },
    );
  });

  it('TCP stamp is byte-identical to a full rebuild with the new IP ID and seq (fast-check)', () => {
    const stamped = new Uint8Array(1700);
    const rebuilt = new Uint8Array(1700);
    fc.assert(
      fc.property(tcpSpecArb, fc.nat(0xffff), u32Arb, fc.nat(40), (spec, ipId, seq, dstOff) => {
        const t = buildTcpTemplate(spec);
        const n = stampPacket(t, stamped, dstOff, ipId, seq);
        const m = buildTcpFrame(rebuilt, 0, { ...spec, ipId, seq });
        expect(n).toBe(m);
        expect(toHex(stamped.subarray(dstOff, dstOff + n))).toBe(toHex(rebuilt.subarray(0, m)));
      }),
      { numRuns: 300 },
    );
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
    const t = buildUdpTemplate({ dstMac: 2, srcMac: 1, srcIp: 1, dstIp: 2, srcPort: 3, dstPort: 4, payloadLength: 100 });
    expect(() => stampPacket(t, new Uint8Array(t.length - 1), 0, 1, 0)).toThrow(RangeError);
  });
});
