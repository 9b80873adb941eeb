import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CRC32_RESIDUE, checkFcs, crc32, writeFcs } from '../../driver-runtime/net/index.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('crc32 (Ethernet FCS)', () => {
  it('has check value 0xCBF43926 for "123456789"', () => {
    const b = ascii('123456789');
    expect(crc32(b, 0, b.length)).toBe(0xcbf43926);
  });

  it('is 0 for empty input and 0xD202EF8D for a single zero byte', () => {
    expect(crc32(new Uint8Array(0), 0, 0)).toBe(0);
    expect(crc32(new Uint8Array(1), 0, 1)).toBe(0xd202ef8d);
  });

  it('chains across split buffers (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(), (data, k) => {
        const cut = data.length === 0 ? 0 : k % (data.length + 1);
        expect(crc32(data, cut, data.length - cut, crc32(data, 0, cut))).toBe(crc32(data, 0, data.length));
      }),
    );
  });

  it('appends the FCS LSB first; the frame+FCS leaves the standard residue', () => {
    const frame = new Uint8Array(64);
    frame.set(ascii('123456789'), 0);
    expect(writeFcs(frame, 0, 9)).toBe(4);
    expect(Array.from(frame.subarray(9, 13))).toEqual([0x26, 0x39, 0xf4, 0xcb]);
    // CRC-32 of data followed by its own FCS (LSB first) is the constant 0x2144DF1C.
    expect(crc32(frame, 0, 13)).toBe(0x2144df1c);
    expect(CRC32_RESIDUE).toBe(0x2144df1c);
    expect(checkFcs(frame, 0, 13)).toBe(true);
    frame[3] ^= 0x10;
    expect(checkFcs(frame, 0, 13)).toBe(false);
    expect(checkFcs(frame, 0, 3)).toBe(false);
  });
});
