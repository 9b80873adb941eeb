import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAC_BROADCAST,
  TCP_SYN,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
  fillPayload,
  makeVlanTci,
  verifyIcmp,
  verifyIpv4Header,
  verifyL4,
} from '../../driver-runtime/net/index.ts';
import { tcpSpecArb, udpSpecArb } from './arbitraries.ts';
import { hex, toHex } from './helpers.ts';

const A = 0x020000000001;
const B = 0x020000000002;
const IP_A = 0x0a000001;
const IP_B = 0x0a000002;

describe('frame builders: golden bytes', () => {
  it('builds a padded Ethernet/IPv4/UDP frame byte for byte', () => {
    const buf = new Uint8Array(100).fill(0xee); // stale bytes must not leak into the pad
    const len = buildUdpFrame(buf, 3, {
      dstMac: B,
      srcMac: A,
      srcIp: IP_A,
      dstIp: IP_B,
      ipId: 7,
      srcPort: 1234,
      dstPort: 5678,
      payloadLength: 4,
      payload: hex('deadbeef'),
    });
    expect(len).toBe(60);
    // Checksums 0x26c4 (IP) and 0x3336 (UDP) computed independently with a Python RFC 1071 loop.
    const expected =
      '020000000002 020000000001 0800' +
      '4500 0020 0007 4000 4011 26c4 0a000001 0a000002' +
      '04d2 162e 000c 3336 deadbeef' +
      '00'.repeat(14);
    expect(toHex(buf.subarray(3, 3 + len))).toBe(toHex(hex(expected)));
    expect(buf[2]).toBe(0xee);
    expect(buf[63]).toBe(0xee);
  });

  it('builds a TCP SYN byte for byte', () => {
    const buf = new Uint8Array(60);
    const len = buildTcpFrame(buf, 0, {
      dstMac: B,
      srcMac: A,
      srcIp: IP_A,
      dstIp: IP_B,
      ipId: 1,
      srcPort: 1234,
      dstPort: 80,
      seq: 0x01020304,
      ack: 0,
      flags: TCP_SYN,
      window: 0xffff,
      payloadLength: 0,
    });
    expect(len).toBe(60);
    const expected =
      '020000000002 020000000001 0800' +
      '4500 0028 0001 4000 4006 26cd 0a000001 0a000002' +
      '04d2 0050 01020304 00000000 5002 ffff 92b8 0000' +
      '00'.repeat(6);
    expect(toHex(buf)).toBe(toHex(hex(expected)));
  });

  it('builds an ARP request padded to 60 bytes (RFC 826)', () => {
    const buf = new Uint8Array(60).fill(0xaa);
    const len = buildArpFrame(buf, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: ARP_OP_REQUEST,
      senderMac: A,
      senderIp: IP_A,
      targetMac: 0,
      targetIp: IP_B,
    });
    expect(len).toBe(60);
    const expected =
      'ffffffffffff 020000000001 0806' +
      '0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002' +
      '00'.repeat(18);
    expect(toHex(buf)).toBe(toHex(hex(expected)));
  });

  it('inserts an 802.1Q tag after the source MAC', () => {
    const buf = new Uint8Array(128);
    const len = buildUdpFrame(buf, 0, {
      dstMac: B,
      srcMac: A,
      vlan: { pcp: 5, dei: true, vid: 0x123 },
      srcIp: IP_A,
      dstIp: IP_B,
      srcPort: 1,
      dstPort: 2,
      payloadLength: 30,
    });
    expect(len).toBe(18 + 20 + 8 + 30);
    expect(toHex(buf.subarray(12, 18))).toBe('8100b1230800');
    expect(makeVlanTci(7, false, 0xfff)).toBe(0xefff);
    expect(verifyIpv4Header(buf, 18)).toBe(true);
    expect(verifyL4(buf, 38, 38, IP_A, IP_B, IPPROTO_UDP)).toBe(true);
  });

  it('builds ICMP echo request/reply with valid checksums and echoed data', () => {
    const buf = new Uint8Array(200);
    for (const type of [ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY]) {
      const len = buildIcmpEchoFrame(buf, 0, {
        dstMac: B,
        srcMac: A,
        srcIp: IP_A,
        dstIp: IP_B,
        type,
        id: 0x1234,
        seq: 0xabcd,
        payloadLength: 56,
      });
      expect(len).toBe(14 + 20 + 8 + 56);
      expect(buf[23]).toBe(1); // IP protocol ICMP (RFC 792)
      expect(buf[34]).toBe(type);
      expect(toHex(buf.subarray(38, 42))).toBe('1234abcd');
      expect(verifyIpv4Header(buf, 14)).toBe(true);
      expect(verifyIcmp(buf, 34, 64)).toBe(true);
    }
  });

  it('builds an ARP reply with the answering host as sender', () => {
    const buf = new Uint8Array(60);
    buildArpFrame(buf, 0, {
      dstMac: A,
      srcMac: B,
      op: ARP_OP_REPLY,
      senderMac: B,
      senderIp: IP_B,
      targetMac: A,
      targetIp: IP_A,
    });
    expect(toHex(buf.subarray(20, 42))).toBe(
      '0002' + '020000000002' + '0a000002' + '020000000001' + '0a000001',
    );
  });

  it('throws RangeError instead of writing a truncated frame', () => {
    const spec = {
      dstMac: B,
      srcMac: A,
      srcIp: IP_A,
      dstIp: IP_B,
      srcPort: 1,
      dstPort: 2,
      payloadLength: 100,
    };
    expect(() => buildUdpFrame(new Uint8Array(100), 0, spec)).toThrow(RangeError);
    expect(() => buildUdpFrame(new Uint8Array(70), 0, { ...spec, payloadLength: 0 })).not.toThrow();
    expect(() => buildUdpFrame(new Uint8Array(70000), 0, { ...spec, payloadLength: 65508 })).toThrow(
      RangeError,
    );
    expect(() =>
      buildArpFrame(new Uint8Array(59), 0, {
        dstMac: 0,
        srcMac: 0,
        op: 1,
        senderMac: 0,
        senderIp: 0,
        targetMac: 0,
        targetIp: 0,
      }),
    ).toThrow(RangeError);
  });

  it('fills payload patterns cyclically', () => {
    const b = new Uint8Array(7);
    fillPayload(b, 0, 7, hex('0102 03'));
    expect(Array.from(b)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    fillPayload(b, 1, 3);
    expect(Array.from(b)).toEqual([1, 0, 1, 2, 2, 3, 1]);
  });
});

describe('frame builders: checksums on random specs (fast-check)', () => {
  it('UDP frames verify at IP and L4', () => {
    const buf = new Uint8Array(1600);
    fc.assert(
      fc.property(udpSpecArb, (spec) => {
        const len = buildUdpFrame(buf, 0, spec);
        const l3 = spec.vlan ? 18 : 14;
        expect(len).toBe(Math.max(60, l3 + 28 + spec.payloadLength));
        expect(verifyIpv4Header(buf, l3)).toBe(true);
        expect(verifyL4(buf, l3 + 20, 8 + spec.payloadLength, spec.srcIp, spec.dstIp, IPPROTO_UDP)).toBe(
          true,
        );
        expect(buf[l3 + 26]! | buf[l3 + 27]!).not.toBe(0); // never "no checksum"
      }),
    );
  });

  it('TCP frames verify at IP and L4', () => {
    const buf = new Uint8Array(1600);
    fc.assert(
      fc.property(tcpSpecArb, (spec) => {
        buildTcpFrame(buf, 0, spec);
        const l3 = spec.vlan ? 18 : 14;
        expect(verifyIpv4Header(buf, l3)).toBe(true);
        expect(verifyL4(buf, l3 + 20, 20 + spec.payloadLength, spec.srcIp, spec.dstIp, IPPROTO_TCP)).toBe(
          true,
        );
      }),
    );
  });
});
