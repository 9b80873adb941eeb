import { describe, expect, it } from 'vitest';
import { writeIpv4HeaderChecksum } from '../../driver-runtime/net/checksum.ts';
import { MAC_BROADCAST } from '../../driver-runtime/net/constants.ts';
import {
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
} from '../../driver-runtime/net/frame-builder.ts';
import { ParsedFrame } from '../../driver-runtime/net/parsed-frame.ts';
import { frameChecksumsValid } from '../../driver-runtime/net/parser.ts';
import {
  FRAME_ARP,
  FRAME_INVALID,
  FRAME_OTHER,
  parseFrameKind,
} from '../../driver-runtime/net/frame-kind.ts';
import { FRAME_IPV4_ICMP, FRAME_IPV4_TCP, FRAME_IPV4_UDP } from '../../driver-runtime/net/frame-kind.ts';

const A = 0x020000000001;
const B = 0x020000000002;
const ip = { dstMac: B, srcMac: A, srcIp: 0x0a000001, dstIp: 0x0a000002 };
const p = new ParsedFrame();

/** A fresh frame from a builder, exactly as long as the builder says. */
function frame(build: (b: Uint8Array) => number): Uint8Array {
  const b = new Uint8Array(100);
  return b.subarray(0, build(b));
}
const udp = () =>
  frame((b) => buildUdpFrame(b, 0, { ...ip, srcPort: 1000, dstPort: 2000, payloadLength: 18 }));
const tcp = () =>
  frame((b) =>
    buildTcpFrame(b, 0, {
      ...ip,
      srcPort: 1,
      dstPort: 2,
      seq: 9,
      ack: 0,
      flags: 0,
      window: 0,
      payloadLength: 4,
    }),
  );
const icmp = () =>
  frame((b) => buildIcmpEchoFrame(b, 0, { ...ip, type: 8, id: 1, seq: 2, payloadLength: 8 }));
const arp = () =>
  frame((b) =>
    buildArpFrame(b, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: 1,
      senderMac: A,
      senderIp: 1,
      targetMac: 0,
      targetIp: 2,
    }),
  );
const kind = (b: Uint8Array, len = b.length) => parseFrameKind(b, 0, len, p);

/** `f` with byte `at` set to `v` (and the IPv4 header checksum redone when `fixIp`). */
function poke(f: Uint8Array, at: number, v: number, fixIp = false): Uint8Array {
  const c = f.slice();
  c[at] = v;
  if (fixIp) writeIpv4HeaderChecksum(c, 14);
  return c;
}

describe('parseFrameKind', () => {
  it('classifies what the stack handles', () => {
    expect([kind(udp()), kind(tcp()), kind(icmp()), kind(arp())]).toEqual([
      FRAME_IPV4_UDP,
      FRAME_IPV4_TCP,
      FRAME_IPV4_ICMP,
      FRAME_ARP,
    ]);
  });

  it('calls short Ethernet, VLAN, ARP, IPv4 and L4 headers invalid, and a range past the buffer', () => {
    expect(kind(new Uint8Array(13))).toBe(FRAME_INVALID);
    expect(kind(poke(new Uint8Array(16), 12, 0x81))).toBe(FRAME_INVALID);
    expect(kind(arp(), 30)).toBe(FRAME_INVALID);
    expect(kind(udp(), 14)).toBe(FRAME_INVALID);
    expect(kind(poke(udp(), 14, 0x65))).toBe(FRAME_INVALID); // IP version 6
    expect(kind(poke(udp(), 17, 24, true))).toBe(FRAME_INVALID); // IP total 24: no room for UDP's 8
    const u = udp();
    expect(parseFrameKind(u, 0, u.length + 1, p)).toBe(FRAME_INVALID);
  });

  it('calls fragments, non-Ethernet/IPv4 ARP, other EtherTypes and IP protocols "other"', () => {
    expect(kind(poke(udp(), 20, 0x20))).toBe(FRAME_OTHER); // MF: a first fragment
    expect(kind(poke(arp(), 19, 16))).toBe(FRAME_OTHER); // HLEN 16
    expect(kind(poke(udp(), 12, 0x86))).toBe(FRAME_OTHER); // EtherType 0x8600
    expect(kind(poke(udp(), 23, 47))).toBe(FRAME_OTHER); // GRE
  });

  it('is lenient about the UDP length field and the TCP data offset: the checksums decide', () => {
    const u = poke(udp(), 39, 200); // UDP length > IP payload (net: PARSE_BAD_L4_LENGTH)
    expect(kind(u)).toBe(FRAME_IPV4_UDP);
    expect(p.errors).not.toBe(0);
    expect([p.srcPort, p.dstPort]).toEqual([1000, 2000]);
    expect(frameChecksumsValid(u, p)).toBe(false);
    const t = poke(tcp(), 46, 0x40); // data offset 4 words
    expect(kind(t)).toBe(FRAME_IPV4_TCP);
    expect(p.tcpSeq).toBe(9);
    expect(frameChecksumsValid(t, p)).toBe(false);
  });
});
