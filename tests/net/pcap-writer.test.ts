import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  GrowableBuffer,
  PcapWriter,
  PcapngWriter,
  utf8Length,
  writeUtf8,
} from '../../driver-runtime/net/index.ts';
import { hex, toHex } from './helpers.ts';

const FILE_HEADER = '4d3cb2a1 0200 0400 00000000 00000000 ffff0000 01000000';

describe('PcapWriter (classic pcap, ns)', () => {
  it('writes the exact 24-byte file header', () => {
    const w = new PcapWriter();
    expect(w.byteLength).toBe(24);
    expect(toHex(w.toBytes())).toBe(toHex(hex(FILE_HEADER)));
  });

  it('lays out a two-record file exactly', () => {
    const w = new PcapWriter(16); // tiny capacity: forces growth while writing
    const frame = hex('00112233 44556677 8899aabb ccddeeff');
    w.writeRecord(1, 2, frame, 0, 3);
    w.writeAtNs(5_000_000_123, frame, 4, 5, 64);
    expect(w.count).toBe(2);
    const expected =
      FILE_HEADER +
      '01000000 02000000 03000000 03000000 001122' +
      '05000000 7b000000 05000000 40000000 4455667788';
    expect(toHex(w.toBytes())).toBe(toHex(hex(expected)));
  });

  it('truncates to snaplen but keeps the original length', () => {
    const w = new PcapWriter(64, 4);
    w.writeRecord(0, 0, hex('0102030405060708'), 0, 8);
    // Record header at 24: ts_sec, ts_ns, caplen 4, origlen 8; then 4 data bytes.
    expect(toHex(w.toBytes().subarray(32, 44))).toBe('0400000008000000' + '01020304');
    expect(w.toBytes().length).toBe(24 + 16 + 4);
  });

  it('reset keeps the header and drops records', () => {
    const w = new PcapWriter();
    w.writeRecord(0, 0, hex('01'), 0, 1);
    w.reset();
    expect(w.count).toBe(0);
    expect(toHex(w.toBytes())).toBe(toHex(hex(FILE_HEADER)));
  });

  it('grows to hold many records (fast-check over sizes)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), (frames) => {
        const w = new PcapWriter(32);
        for (const f of frames) w.writeRecord(7, 9, f, 0, f.length);
        const out = w.toBytes();
        let p = 24;
        for (const f of frames) {
          const dv = new DataView(out.buffer, out.byteOffset + p, 16);
          expect(dv.getUint32(8, true)).toBe(f.length);
          expect(toHex(out.subarray(p + 16, p + 16 + f.length))).toBe(toHex(f));
          p += 16 + f.length;
        }
        expect(p).toBe(out.length);
      }),
    );
  });
});

describe('GrowableBuffer', () => {
  it('doubles the required size when it grows', () => {
    const g = new GrowableBuffer(16);
    g.ensure(10);
    g.zeros(10);
    g.ensure(20); // requires 30 -> capacity 60
    expect(g.bytes.length).toBe(60);
    expect(g.pos).toBe(10);
  });
});

describe('utf8', () => {
  it('matches TextEncoder (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const ref = new TextEncoder().encode(s);
        const b = new Uint8Array(ref.length + 4);
        expect(utf8Length(s)).toBe(ref.length);
        expect(writeUtf8(b, 2, s)).toBe(ref.length);
        expect(toHex(b.subarray(2, 2 + ref.length))).toBe(toHex(ref));
      }),
    );
    const lone = '\ud800x';
    expect(utf8Length(lone)).toBe(new TextEncoder().encode(lone).length);
  });
});

describe('PcapngWriter', () => {
  it('writes SHB, IDB (if_tsresol=9) and EPB with a comment, exactly', () => {
    const w = new PcapngWriter(8);
    expect(w.addInterface('q0')).toBe(0);
    w.writePacket(0, 0x1_0000_0002, hex('aabbcc'), 0, 3, 3, 'hi');
    const expected =
      // SHB: type, len 28, BOM, v1.0, section length -1, len
      '0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000' +
      // IDB: type 1, len 40, linktype 1, reserved, snaplen 65535,
      // if_name "q0" (code 2, len 2, padded), if_tsresol 9 (code 9, len 1, padded), end, len
      '01000000 28000000 0100 0000 ffff0000 0200 0200 71300000 0900 0100 09000000 0000 0000 28000000' +
      // EPB: type 6, len 48, if 0, ts hi 1, ts lo 2, caplen 3, origlen 3, data padded,
      // opt_comment "hi", end, len
      '06000000 30000000 00000000 01000000 02000000 03000000 03000000 aabbcc00 0100 0200 68690000 0000 0000 30000000';
    expect(toHex(w.toBytes())).toBe(toHex(hex(expected)));
    expect(w.count).toBe(1);
  });

  it('omits options on a comment-less EPB and cuts to the interface snaplen', () => {
    const w = new PcapngWriter();
    w.addInterface('', 1, 2);
    const before = w.byteLength;
    w.writePacket(0, 5, hex('0102030405'), 0, 5);
    const epb = w.toBytes().subarray(before);
    expect(toHex(epb)).toBe(
      toHex(hex('06000000 24000000 00000000 00000000 05000000 02000000 05000000 01020000 24000000')),
    );
  });
});
