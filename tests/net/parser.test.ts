import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ARP_OP_REQUEST,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ICMP_ECHO_REQUEST,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAC_BROADCAST,
  PARSE_BAD_ARP,
  PARSE_BAD_IHL,
  PARSE_BAD_IP_LENGTH,
  PARSE_BAD_IP_VERSION,
  PARSE_BAD_L4_LENGTH,
  PARSE_SHORT,
  ParsedFrame,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
  frameChecksumsValid,
  parseFrame,
  verifyIpv4Header,
  verifyL4,
  writeIpv4HeaderChecksum,
} from '../../driver-runtime/net/index.ts';
import { icmpEchoSpecArb, macArb, ipArb, tcpSpecArb, udpSpecArb } from './arbitraries.ts';
import { hex, toHex } from './helpers.ts';

const out = new ParsedFrame();
// Protocol numbers as the standards define them (not the constants under test): EtherType
// IPv4 0x0800, ARP 0x0806, IPv6 0x86DD (IEEE registry); IP protocol ICMP 1, TCP 6, UDP 17.
const TYPE_IPV4 = 0x0800;
const TYPE_ARP = 0x0806;
const TYPE_IPV6 = 0x86dd;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const A = 0x020000000001;
const B = 0x020000000002;

function udp(buf: Uint8Array, payloadLength = 18): number {
  return buildUdpFrame(buf, 0, {
    dstMac: B,
    srcMac: A,
    srcIp: 0x0a000001,
    dstIp: 0x0a000002,
    srcPort: 1000,
    dstPort: 2000,
    payloadLength,
  });
}

describe('protocol constants', () => {
  it('are the numbers the standards define (builder and parser share them, so round trips cannot tell)', () => {
    expect([ETHERTYPE_IPV4, ETHERTYPE_ARP, ETHERTYPE_IPV6]).toEqual([TYPE_IPV4, TYPE_ARP, TYPE_IPV6]);
    expect([IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP]).toEqual([PROTO_ICMP, PROTO_TCP, PROTO_UDP]);
  });
});

describe('parseFrame round-trips builder output (fast-check)', () => {
  it('UDP, with and without VLAN', () => {
    const buf = new Uint8Array(1600);
    fc.assert(
      fc.property(udpSpecArb, fc.nat(16), (spec, off) => {
        const len = buildUdpFrame(buf, off, spec);
        expect(parseFrame(buf, off, len, out)).toBe(true);
        const l3 = off + (spec.vlan ? 18 : 14);
        expect(out.frameLength).toBe(len);
        expect(out.dstMac).toBe(spec.dstMac);
        expect(out.srcMac).toBe(spec.srcMac);
        expect(out.etherType).toBe(TYPE_IPV4);
        expect(out.hasVlan).toBe(!!spec.vlan);
        if (spec.vlan) {
          expect([out.vlanPcp, out.vlanDei, out.vlanVid]).toEqual([
            spec.vlan.pcp,
            spec.vlan.dei,
            spec.vlan.vid,
          ]);
        }
        expect(out.l3Offset).toBe(l3);
        expect(out.proto).toBe(PROTO_UDP);
        expect(out.srcIp).toBe(spec.srcIp);
        expect(out.dstIp).toBe(spec.dstIp);
        expect(out.ipId).toBe(spec.ipId);
        expect(out.ipTtl).toBe(spec.ttl);
        expect(out.ipDscp).toBe(spec.dscp);
        expect(out.ipDontFragment).toBe(spec.dontFragment);
        expect(out.ipFragment).toBe(false);
        expect(out.l4Offset).toBe(l3 + 20);
        expect(out.l4Length).toBe(8 + spec.payloadLength);
        expect(out.srcPort).toBe(spec.srcPort);
        expect(out.dstPort).toBe(spec.dstPort);
        expect(out.payloadOffset).toBe(l3 + 28);
        expect(out.payloadLength).toBe(spec.payloadLength);
      }),
    );
  });

  it('TCP', () => {
    const buf = new Uint8Array(1600);
    fc.assert(
      fc.property(tcpSpecArb, (spec) => {
        const len = buildTcpFrame(buf, 0, spec);
        expect(parseFrame(buf, 0, len, out)).toBe(true);
        const l3 = spec.vlan ? 18 : 14;
        expect(out.proto).toBe(PROTO_TCP);
        expect([out.srcPort, out.dstPort]).toEqual([spec.srcPort, spec.dstPort]);
        expect([out.tcpSeq, out.tcpAck, out.tcpFlags, out.tcpWindow]).toEqual([
          spec.seq,
          spec.ack,
          spec.flags,
          spec.window,
        ]);
        expect(out.tcpHeaderLength).toBe(20);
        expect(out.payloadOffset).toBe(l3 + 40);
        expect(out.payloadLength).toBe(spec.payloadLength);
      }),
    );
  });

  it('ICMP echo and ARP', () => {
    const buf = new Uint8Array(200);
    fc.assert(
      fc.property(
        macArb,
        ipArb,
        ipArb,
        fc.nat(0xffff),
        fc.nat(0xffff),
        fc.nat(100),
        (mac, ipA, ipB, id, seq, n) => {
          let len = buildIcmpEchoFrame(buf, 0, {
            dstMac: mac,
            srcMac: A,
            srcIp: ipA,
            dstIp: ipB,
            type: ICMP_ECHO_REQUEST,
            id,
            seq,
            payloadLength: n,
          });
          expect(parseFrame(buf, 0, len, out)).toBe(true);
          expect(out.proto).toBe(PROTO_ICMP);
          expect([out.icmpType, out.icmpCode, out.icmpId, out.icmpSeq]).toEqual([
            ICMP_ECHO_REQUEST,
            0,
            id,
            seq,
          ]);
          expect(out.payloadLength).toBe(n);
          // The reused record must not keep ICMP fields when the next frame is ARP.
          len = buildArpFrame(buf, 0, {
            dstMac: MAC_BROADCAST,
            srcMac: mac,
            op: ARP_OP_REQUEST,
            senderMac: mac,
            senderIp: ipA,
            targetMac: 0,
            targetIp: ipB,
          });
          expect(parseFrame(buf, 0, len, out)).toBe(true);
          expect(out.etherType).toBe(TYPE_ARP);
          expect(out.proto).toBe(-1);
          expect(out.icmpId).toBe(0);
          expect([out.arpOp, out.arpSenderMac, out.arpSenderIp, out.arpTargetMac, out.arpTargetIp]).toEqual([
            ARP_OP_REQUEST,
            mac,
            ipA,
            0,
            ipB,
          ]);
        },
      ),
    );
  });
});

describe('parseFrame on headers with options', () => {
  it('parses IHL 6 and the smoltcp TCP vector with a 4-byte option', () => {
    // Ethernet + IPv4 (IHL 6, one NOP NOP NOP NOP option word) + smoltcp src/wire/tcp.rs segment.
    const tcp = hex('bf00 0050 0123 4567 89ab cdef 6035 0123 01b6 0201 0303 0c01 aa00 00ff');
    const b = new Uint8Array(14 + 24 + tcp.length);
    b.set(hex('020000000002 020000000001 0800'), 0);
    b.set(hex('4600 0034 0000 4000 4006 0000 c0a80101 c0a80102 01010101'), 14);
    writeIpv4HeaderChecksum(b, 14);
    b.set(tcp, 38);
    expect(parseFrame(b, 0, b.length, out)).toBe(true);
    expect([out.ipHeaderLength, out.l4Offset, out.tcpHeaderLength]).toEqual([24, 38, 24]);
    expect([out.srcPort, out.dstPort, out.tcpSeq, out.tcpAck, out.tcpFlags, out.tcpWindow]).toEqual([
      48896, 80, 0x01234567, 0x89abcdef, 0x35, 0x0123,
    ]);
    expect(toHex(b.subarray(out.payloadOffset, out.payloadOffset + out.payloadLength))).toBe('aa0000ff');
    expect(verifyIpv4Header(b, out.l3Offset)).toBe(true);
    expect(verifyL4(b, out.l4Offset, out.l4Length, out.srcIp, out.dstIp, out.proto)).toBe(true);
  });
});

describe('parseFrame on malformed input', () => {
  it('never throws on random bytes, offsets and lengths, and considers exactly the clamped range (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: -5, max: 250 }),
        fc.integer({ min: -5, max: 300 }),
        (b, off, len) => {
          const ok = parseFrame(b, off, len, out);
          // Contract: off and len are clamped to the buffer, negatives to 0.
          const start = Math.min(Math.max(off, 0), b.length);
          const considered = Math.min(Math.max(len, 0), b.length - start);
          expect(out.frameLength).toBe(considered);
          // Less than an Ethernet header (14 bytes) is always reported short.
          if (considered < 14) {
            expect(ok).toBe(false);
            expect(out.errors).toBe(PARSE_SHORT);
          }
          if (out.payloadOffset >= 0)
            expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(b.length);
          expect(
            Number.isNaN(out.srcIp + out.dstIp + out.srcPort + out.payloadLength + out.arpSenderMac),
          ).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes behind a plausible Ethernet/IPv4 header (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.boolean(),
        fc.constantFrom(0x0800, 0x0806, 0x8100),
        (tail, ipv4Nibble, type) => {
          const b = new Uint8Array(14 + tail.length);
          b[12] = type >>> 8;
          b[13] = type & 0xff;
          b.set(tail, 14);
          if (ipv4Nibble && tail.length > 0) b[14] = 0x40 | (tail[0]! & 0x0f);
          parseFrame(b, 0, b.length, out);
          if (out.l4Offset >= 0) expect(out.l4Offset + out.l4Length).toBeLessThanOrEqual(b.length);
          if (out.payloadOffset >= 0)
            expect(out.payloadOffset + out.payloadLength).toBeLessThanOrEqual(b.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('clamps absurd offsets and lengths', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    // [offset, length, bytes considered]: NaN/negative -> 0, beyond the buffer -> its end.
    for (const [off, n, considered] of [
      [NaN, len, len],
      [0, NaN, 0],
      [2 ** 40, len, 0],
      [-1, Infinity, 100],
      [0, 2 ** 40, 100],
      [90, 2 ** 40, 10],
    ] as Array<[number, number, number]>) {
      parseFrame(b, off, n, out);
      expect(out.frameLength).toBe(considered);
    }
    expect(parseFrame(b, 0, Infinity, out)).toBe(true);
    expect(out.frameLength).toBe(100);
  });

  it('flags a short Ethernet header and a truncated VLAN tag', () => {
    expect(parseFrame(new Uint8Array(13), 0, 13, out)).toBe(false);
    expect(out.errors).toBe(PARSE_SHORT);
    expect(out.malformed).toBe(true);
    const b = new Uint8Array(16);
    b[12] = 0x81;
    expect(parseFrame(b, 0, 16, out)).toBe(false);
    expect(out.errors).toBe(PARSE_SHORT);
  });

  it('flags bad IP version, IHL and total length', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    const cases: Array<[number, number, number]> = [
      [14, 0x65, PARSE_BAD_IP_VERSION],
      [14, 0x44, PARSE_BAD_IHL],
      [14, 0x4f, PARSE_BAD_IHL], // 60-byte header: runs past the 60-byte frame
    ];
    for (const [at, v, err] of cases) {
      const c = b.slice();
      c[at] = v;
      expect(parseFrame(c, 0, len, out)).toBe(false);
      expect(out.errors).toBe(err);
    }
    const short = b.slice();
    short[16] = 0;
    short[17] = 19; // total length < header length
    expect(parseFrame(short, 0, len, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_IP_LENGTH);
    const long = b.slice();
    long[17] = 47; // total length past the frame end (14 + 47 > 60)
    expect(parseFrame(long, 0, len, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_IP_LENGTH);
  });

  it('treats bytes after the IP total length as Ethernet padding', () => {
    const b = new Uint8Array(100);
    const len = udp(b, 2); // 14 + 20 + 8 + 2 = 44, padded to 60
    expect(len).toBe(60);
    expect(parseFrame(b, 0, len, out)).toBe(true);
    expect(out.payloadLength).toBe(2);
    expect(out.l4Length).toBe(10);
  });

  it('flags inconsistent UDP length and TCP data offset', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    const c = b.slice();
    c[38] = 0;
    c[39] = 7; // UDP length < 8
    expect(parseFrame(c, 0, len, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_L4_LENGTH);
    c[39] = 200; // UDP length > IP payload
    expect(parseFrame(c, 0, len, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_L4_LENGTH);

    const t = new Uint8Array(100);
    const tl = buildTcpFrame(t, 0, {
      dstMac: B,
      srcMac: A,
      srcIp: 1,
      dstIp: 2,
      srcPort: 1,
      dstPort: 2,
      seq: 0,
      ack: 0,
      flags: 0,
      window: 0,
      payloadLength: 4,
    });
    t[46] = 0x40; // data offset 4 words < 5
    expect(parseFrame(t, 0, tl, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_L4_LENGTH);
    t[46] = 0x60; // 24-byte header filling the whole 24-byte segment is legal
    expect(parseFrame(t, 0, tl, out)).toBe(true);
    expect(out.payloadLength).toBe(0);
    t[46] = 0x70;
    expect(parseFrame(t, 0, tl, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_L4_LENGTH);
  });

  it('flags an L4 header cut short by the IP total length', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    b[16] = 0;
    b[17] = 24; // 20-byte IP header + 4 bytes: no room for UDP's 8
    writeIpv4HeaderChecksum(b, 14);
    expect(parseFrame(b, 0, len, out)).toBe(false);
    expect(out.errors).toBe(PARSE_SHORT);
  });

  it('does not parse L4 in a non-first fragment', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    b[20] = 0x00;
    b[21] = 0x10; // fragment offset 16 * 8 bytes
    expect(parseFrame(b, 0, len, out)).toBe(true);
    expect(out.ipFragment).toBe(true);
    expect(out.l4Offset).toBe(-1);
    expect(out.srcPort).toBe(0);
    expect(out.payloadOffset).toBe(34);
  });

  it('flags non-Ethernet/IPv4 ARP and passes unknown EtherTypes through', () => {
    const b = new Uint8Array(60);
    buildArpFrame(b, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: 1,
      senderMac: A,
      senderIp: 1,
      targetMac: 0,
      targetIp: 2,
    });
    b[19] = 16; // HLEN
    expect(parseFrame(b, 0, 60, out)).toBe(false);
    expect(out.errors).toBe(PARSE_BAD_ARP);
    expect(parseFrame(b, 0, 30, out)).toBe(false);
    expect(out.errors).toBe(PARSE_SHORT);

    b[12] = 0x86;
    b[13] = 0xdd;
    expect(parseFrame(b, 0, 60, out)).toBe(true);
    expect(out.etherType).toBe(TYPE_IPV6);
    expect(out.proto).toBe(-1);
    expect([out.payloadOffset, out.payloadLength]).toEqual([14, 46]);
  });
});

describe('ipValid', () => {
  it('is set for a usable IPv4 header even when L4 is malformed, and only then', () => {
    const b = new Uint8Array(100);
    const len = udp(b);
    expect(parseFrame(b, 0, len, out)).toBe(true);
    expect(out.ipValid).toBe(true);
    const c = b.slice();
    c[39] = 200; // UDP length > IP payload: an L4 error, the IP header is fine
    expect(parseFrame(c, 0, len, out)).toBe(false);
    expect([out.errors, out.ipValid, out.l4Offset, out.l4Length, out.srcPort]).toEqual([
      PARSE_BAD_L4_LENGTH,
      true,
      34,
      26,
      1000,
    ]);
    for (const [at, v] of [
      [14, 0x65], // version
      [14, 0x44], // IHL
      [17, 200], // total length
    ] as Array<[number, number]>) {
      const d = b.slice();
      d[at] = v;
      parseFrame(d, 0, len, out);
      expect(out.ipValid).toBe(false);
    }
    parseFrame(b, 0, 14, out); // EtherType IPv4, no header at all
    expect([out.errors, out.ipValid]).toEqual([PARSE_SHORT, false]);
    buildArpFrame(b, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: 1,
      senderMac: A,
      senderIp: 1,
      targetMac: 0,
      targetIp: 2,
    });
    parseFrame(b, 0, 60, out);
    expect(out.ipValid).toBe(false);
  });
});

describe('frameChecksumsValid', () => {
  const buf = new Uint8Array(1600);
  /** Builds a UDP, TCP or ICMP echo frame into `buf` when run; returns its length. */
  const anyFrameArb = fc.oneof(
    udpSpecArb.map((s) => () => buildUdpFrame(buf, 0, s)),
    tcpSpecArb.map((s) => () => buildTcpFrame(buf, 0, s)),
    icmpEchoSpecArb.map((s) => () => buildIcmpEchoFrame(buf, 0, s)),
  );

  it('accepts every UDP, TCP and ICMP echo frame the builders make (fast-check)', () => {
    fc.assert(
      fc.property(anyFrameArb, (build) => {
        const len = build();
        parseFrame(buf, 0, len, out);
        expect(frameChecksumsValid(buf, out)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any flipped bit in the IPv4 header or the L4 bytes (fast-check)', () => {
    fc.assert(
      fc.property(anyFrameArb, fc.nat(), fc.nat(7), (build, at, bit) => {
        const len = build();
        parseFrame(buf, 0, len, out);
        const l4 = out.l4Offset;
        // One bit anywhere in the IPv4 header or the L4 bytes: a ones' complement sum always notices.
        const k = at % (20 + out.l4Length);
        const i = k < 20 ? out.l3Offset + k : l4 + k - 20;
        const c = buf.slice(0, len);
        c[i]! ^= 1 << bit;
        parseFrame(c, 0, len, out);
        // A UDP checksum of 0 means "not computed" (RFC 768); a flip can only make it 0 from a power of two.
        const udpZero = out.proto === IPPROTO_UDP && c[l4 + 6] === 0 && c[l4 + 7] === 0;
        if (!udpZero) expect(frameChecksumsValid(c, out)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('is false for ARP, other EtherTypes, non-first fragments and unknown IP protocols', () => {
    let len = buildArpFrame(buf, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: 1,
      senderMac: A,
      senderIp: 1,
      targetMac: 0,
      targetIp: 2,
    });
    parseFrame(buf, 0, len, out);
    expect(frameChecksumsValid(buf, out)).toBe(false);
    len = udp(buf);
    const v6 = buf.slice(0, len);
    v6[12] = 0x86;
    v6[13] = 0xdd;
    parseFrame(v6, 0, len, out);
    expect(frameChecksumsValid(v6, out)).toBe(false);
    const frag = buf.slice(0, len);
    frag[21] = 0x10; // fragment offset 16
    writeIpv4HeaderChecksum(frag, 14);
    parseFrame(frag, 0, len, out);
    expect(frameChecksumsValid(frag, out)).toBe(false);
    const gre = buf.slice(0, len);
    gre[23] = 47; // GRE
    writeIpv4HeaderChecksum(gre, 14);
    parseFrame(gre, 0, len, out);
    expect(frameChecksumsValid(gre, out)).toBe(false);
  });
});
