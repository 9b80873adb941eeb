import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checksumAdjust,
  checksumAdjust32,
  icmpChecksum,
  internetChecksum,
  ipv4HeaderChecksum,
  l4Checksum,
  onesSum,
  pseudoHeaderSum,
  udpChecksumValue,
  verifyIcmp,
  verifyIpv4Header,
  verifyL4,
  writeIpv4HeaderChecksum,
  writeL4Checksum,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from '../../driver-runtime/net/index.ts';
import { hex, naiveOnesSum } from './helpers.ts';

const IP_192_168_1_1 = 0xc0a80101;
const IP_192_168_1_2 = 0xc0a80102;

describe('RFC 1071 ones-complement sum', () => {
  it('matches the RFC 1071 §3 numerical example (sum 0xddf2)', () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7: the RFC shows the folded sum ddf2 before complementing.
    const b = hex('0001 f203 f4f5 f6f7');
    expect(onesSum(b, 0, b.length)).toBe(0xddf2);
    expect(internetChecksum(b, 0, b.length)).toBe(~0xddf2 & 0xffff);
  });

  it('pads an odd trailing byte with zero', () => {
    const b = hex('0001 f203 f4f5 f6');
    expect(onesSum(b, 0, 7)).toBe(naiveOnesSum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0x00]));
  });

  it('honours offset and initial value', () => {
    const b = hex('ffff 0001 f203 f4f5 f6f7 ffff');
    expect(onesSum(b, 2, 8)).toBe(0xddf2);
    expect(onesSum(b, 2, 8, 0x1234)).toBe(naiveOnesSum(hex('0001 f203 f4f5 f6f7 1234')));
  });

  it('equals the naive word-by-word sum on random data (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (data, skip) => {
        const off = Math.min(skip, data.length);
        const slice = data.subarray(off);
        expect(onesSum(data, off, data.length - off)).toBe(naiveOnesSum(slice));
      }),
    );
  });

  it('handles large accumulators without losing carries', () => {
    const b = new Uint8Array(200_000).fill(0xff);
    expect(onesSum(b, 0, b.length)).toBe(0xffff);
  });
});

describe('IPv4 header checksum', () => {
  // Widely used example header (192.168.0.1 -> 192.168.0.199, UDP, total length 0x73).
  const header = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');

  it('computes 0xb861 for the known-good header', () => {
    expect(ipv4HeaderChecksum(header, 0)).toBe(0xb861);
  });

  it('ignores whatever is in the checksum field and verifies after writing', () => {
    const b = header.slice();
    b[10] = 0x12;
    b[11] = 0x34;
    expect(ipv4HeaderChecksum(b, 0)).toBe(0xb861);
    expect(verifyIpv4Header(b, 0)).toBe(false);
    writeIpv4HeaderChecksum(b, 0);
    expect([b[10], b[11]]).toEqual([0xb8, 0x61]);
    expect(verifyIpv4Header(b, 0)).toBe(true);
  });

  it('rejects a bad IHL or a header past the buffer', () => {
    const b = header.slice();
    writeIpv4HeaderChecksum(b, 0);
    b[0] = 0x44;
    expect(verifyIpv4Header(b, 0)).toBe(false);
    expect(verifyIpv4Header(b.subarray(0, 19), 0)).toBe(false);
  });
});

describe('UDP/TCP/ICMP checksums', () => {
  // smoltcp src/wire/udp.rs test vector: 192.168.1.1 -> 192.168.1.2, ports 48896 -> 53.
  const udp = hex('bf00 0035 000c 124d aa00 00ff');
  // smoltcp src/wire/tcp.rs test vector: same hosts, data offset 6 with a 4-byte option.
  const tcp = hex('bf00 0050 0123 4567 89ab cdef 6035 0123 01b6 0201 0303 0c01 aa00 00ff');
  // smoltcp src/wire/icmpv4.rs echo request vector.
  const icmp = hex('0800 8efe 1234 abcd aa00 00ff');

  it('pseudo-header sum matches a naive byte sum', () => {
    const ph = hex('c0a8 0101 c0a8 0102 0011 000c');
    expect(pseudoHeaderSum(IP_192_168_1_1, IP_192_168_1_2, IPPROTO_UDP, 12)).toBe(naiveOnesSum(ph));
  });

  it('computes the known UDP checksum 0x124d and verifies it', () => {
    expect(l4Checksum(udp, 0, udp.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_UDP)).toBe(0x124d);
    expect(verifyL4(udp, 0, udp.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_UDP)).toBe(true);
    expect(verifyL4(udp, 0, udp.length, IP_192_168_1_1, IP_192_168_1_2 + 1, IPPROTO_UDP)).toBe(false);
  });

  it('computes the known TCP checksum 0x01b6 and verifies it', () => {
    expect(l4Checksum(tcp, 0, tcp.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_TCP)).toBe(0x01b6);
    expect(verifyL4(tcp, 0, tcp.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_TCP)).toBe(true);
    const bad = tcp.slice();
    bad[27] ^= 1;
    expect(verifyL4(bad, 0, bad.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_TCP)).toBe(false);
  });

  it('computes the known ICMP echo checksum 0x8efe and verifies it', () => {
    expect(icmpChecksum(icmp, 0, icmp.length)).toBe(0x8efe);
    expect(verifyIcmp(icmp, 0, icmp.length)).toBe(true);
  });

  it('accepts UDP checksum 0 as "not computed" and writes computed 0 as 0xffff', () => {
    const b = udp.slice();
    b[6] = 0;
    b[7] = 0;
    expect(verifyL4(b, 0, b.length, IP_192_168_1_1, IP_192_168_1_2, IPPROTO_UDP)).toBe(true);
    // Make the true sum 0xffff by choosing the last payload word: complement would be 0.
    const c = hex('0001 0002 000a 0000 0000');
    const partial = onesSum(c, 0, 8, pseudoHeaderSum(0, 0, IPPROTO_UDP, 10));
    const word = ~partial & 0xffff;
    c[8] = word >>> 8;
    c[9] = word & 0xff;
    expect(l4Checksum(c, 0, 10, 0, 0, IPPROTO_UDP)).toBe(0xffff);
    expect(writeL4Checksum(c, 0, 10, 0, 0, IPPROTO_UDP)).toBe(0xffff);
    expect(verifyL4(c, 0, 10, 0, 0, IPPROTO_UDP)).toBe(true);
    expect(udpChecksumValue(0)).toBe(0xffff);
    expect(udpChecksumValue(0x1234)).toBe(0x1234);
  });
});

describe('RFC 1624 incremental update', () => {
  it('RFC 1624 §4 example: 0xdd2f, word 0x5555 -> 0x3285 gives 0x0000', () => {
    expect(checksumAdjust(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('16-bit patch equals a full recompute of an IPv4 header (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 0xffff }),
        (raw, wordIdx, newWord) => {
          fc.pre(wordIdx !== 5); // word 5 is the checksum itself
          const h = raw.slice();
          h[0] = 0x45; // version/IHL keeps the sum non-zero, as in every real header
          writeIpv4HeaderChecksum(h, 0);
          const old = (h[wordIdx * 2]! << 8) | h[wordIdx * 2 + 1]!;
          const oldCsum = (h[10]! << 8) | h[11]!;
          h[wordIdx * 2] = newWord >>> 8;
          h[wordIdx * 2 + 1] = newWord & 0xff;
          expect(checksumAdjust(oldCsum, old, newWord)).toBe(ipv4HeaderChecksum(h, 0));
        },
      ),
    );
  });

  it('32-bit patch equals a full recompute of a TCP segment (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 120 }),
        fc.nat(0xffffffff),
        fc.nat(0xffffffff),
        fc.nat(0xffffffff),
        (raw, src, dst, newSeq) => {
          const seg = raw.slice();
          seg[12] = 0x50;
          const len = seg.length;
          writeL4Checksum(seg, 0, len, src, dst, IPPROTO_TCP);
          const oldSeq = ((seg[4]! << 24) | (seg[5]! << 16) | (seg[6]! << 8) | seg[7]!) >>> 0;
          const oldCsum = (seg[16]! << 8) | seg[17]!;
          seg[4] = newSeq >>> 24;
          seg[5] = newSeq >>> 16;
          seg[6] = newSeq >>> 8;
          seg[7] = newSeq;
          expect(checksumAdjust32(oldCsum, oldSeq, newSeq)).toBe(
            l4Checksum(seg, 0, len, src, dst, IPPROTO_TCP),
          );
        },
      ),
    );
  });
});
