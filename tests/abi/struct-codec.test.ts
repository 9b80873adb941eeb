/**
 * The struct codec under the ABI: layouts check themselves when built (inside the struct,
 * aligned, no overlap), scalars are little-endian at their explicit offsets and range-checked,
 * text is UTF-8 NUL-padded and cut at a character boundary, short buffers are refused with an
 * error naming the struct, and batches frame `{ count, generation }` then the records.
 * Expected bytes are written out by hand here, never produced by the encoder under test.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AbiError,
  BATCH_HEADER_BYTES,
  StructLayout,
  decodeBatch,
  encodeBatch,
} from '../../driver-runtime/abi/struct-codec.ts';

/** One field of every scalar type, at offsets that leave gaps (padding stays zero). */
interface AllTypes {
  a: number; // u8 @0
  b: number; // i8 @1
  c: number; // u16 @2
  d: number; // u32 @4
  e: number; // i32 @8
  f: number; // u64 @16
  g: number; // f64 @24
  h: number[]; // u16[3] @32
  t: string; // text[8] @40
  y: Uint8Array; // bytes[4] @48
}
const ALL = new StructLayout<AllTypes>('All', 56, [
  { name: 'a', offset: 0, type: 'u8' },
  { name: 'b', offset: 1, type: 'i8' },
  { name: 'c', offset: 2, type: 'u16' },
  { name: 'd', offset: 4, type: 'u32' },
  { name: 'e', offset: 8, type: 'i32' },
  { name: 'f', offset: 16, type: 'u64' },
  { name: 'g', offset: 24, type: 'f64' },
  { name: 'h', offset: 32, type: 'u16', count: 3 },
  { name: 't', offset: 40, type: 'text', size: 8 },
  { name: 'y', offset: 48, type: 'bytes', size: 4 },
]);

const SAMPLE: AllTypes = {
  a: 0xab,
  b: -2,
  c: 0x1234,
  d: 0xdeadbeef,
  e: -0x12345678,
  f: 0x1f_ffff_ffff_ffff, // 2^53 − 1
  g: -2,
  h: [1, 0x8000, 0xffff],
  t: 'hi',
  y: Uint8Array.of(9, 8),
};

/** The same value, byte by byte, little-endian (worked out by hand). */
function sampleBytes(): Uint8Array {
  const b = new Uint8Array(56);
  b.set([0xab], 0);
  b.set([0xfe], 1); // −2 as i8
  b.set([0x34, 0x12], 2);
  b.set([0xef, 0xbe, 0xad, 0xde], 4);
  b.set([0x88, 0xa9, 0xcb, 0xed], 8); // −0x12345678 = 0xEDCBA988
  b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00], 16);
  b.set([0, 0, 0, 0, 0, 0, 0x00, 0xc0], 24); // −2.0 = 0xC000000000000000
  b.set([0x01, 0x00, 0x00, 0x80, 0xff, 0xff], 32);
  b.set([0x68, 0x69], 40); // "hi", then NULs
  b.set([9, 8], 48); // then two zero bytes
  return b;
}

describe('StructLayout: a layout checks itself when built', () => {
  it('accepts fields that touch end to end and end exactly at the struct size', () => {
    const l = new StructLayout('Tight', 8, [
      { name: 'x', offset: 0, type: 'u32' },
      { name: 'y', offset: 4, type: 'u16' },
      { name: 'z', offset: 6, type: 'bytes', size: 2 },
    ]);
    expect(l.size).toBe(8);
    expect(l.fields.map((f) => f.name)).toEqual(['x', 'y', 'z']);
  });

  it.each([
    [
      'past the end',
      8,
      [{ name: 'x', offset: 6, type: 'u32' as const }],
      /Bad\.x: ends at 10, past .* 8 bytes/,
    ],
    [
      'an array past the end',
      8,
      [{ name: 'x', offset: 0, type: 'u32' as const, count: 3 }],
      /Bad\.x: ends at 12, past/,
    ],
    ['text past the end', 8, [{ name: 's', offset: 4, type: 'text' as const, size: 5 }], /Bad\.s: ends at 9/],
    ['a negative offset', 8, [{ name: 'x', offset: -1, type: 'u8' as const }], /Bad\.x/],
    [
      'overlapping scalars',
      8,
      [
        { name: 'x', offset: 0, type: 'u32' as const },
        { name: 'y', offset: 2, type: 'u16' as const },
      ],
      /Bad\.y: overlaps another field at byte 2/,
    ],
    [
      'a scalar inside an array',
      16,
      [
        { name: 'x', offset: 0, type: 'u32' as const, count: 2 },
        { name: 'y', offset: 4, type: 'u32' as const },
      ],
      /Bad\.y: overlaps another field at byte 4/,
    ],
    [
      'a scalar inside text',
      8,
      [
        { name: 's', offset: 0, type: 'text' as const, size: 4 },
        { name: 'y', offset: 3, type: 'u8' as const },
      ],
      /Bad\.y: overlaps another field at byte 3/,
    ],
    ['a misaligned u16', 8, [{ name: 'x', offset: 1, type: 'u16' as const }], /not aligned to its 2 bytes/],
    ['a misaligned u32', 8, [{ name: 'x', offset: 2, type: 'u32' as const }], /not aligned to its 4 bytes/],
    ['a misaligned u64', 16, [{ name: 'x', offset: 4, type: 'u64' as const }], /not aligned to its 8 bytes/],
    ['a misaligned f64', 16, [{ name: 'x', offset: 4, type: 'f64' as const }], /not aligned to its 8 bytes/],
  ])('refuses %s', (_what, size, fields, message) => {
    expect(() => new StructLayout('Bad', size, fields)).toThrow(AbiError);
    expect(() => new StructLayout('Bad', size, fields)).toThrow(message);
  });

  it('bytes and text need no alignment', () => {
    expect(
      () =>
        new StructLayout('Odd', 8, [
          { name: 'a', offset: 1, type: 'bytes', size: 3 },
          { name: 'b', offset: 5, type: 'text', size: 3 },
        ]),
    ).not.toThrow();
  });
});

describe('StructLayout: scalars', () => {
  it('encodes every type little-endian at its explicit offset, padding zero (golden bytes)', () => {
    expect(ALL.encode(SAMPLE)).toEqual(sampleBytes());
  });

  it('decodes the hand-written bytes to the value', () => {
    expect(ALL.decode(sampleBytes())).toEqual({ ...SAMPLE, y: Uint8Array.of(9, 8, 0, 0) });
  });

  it('u64 splits at 2^32 (low word first)', () => {
    const l = new StructLayout<{ v: number }>('U64', 8, [{ name: 'v', offset: 0, type: 'u64' }]);
    // 10^10 = 0x2_540B_E400
    expect(Array.from(l.encode({ v: 10e9 }))).toEqual([0x00, 0xe4, 0x0b, 0x54, 0x02, 0, 0, 0]);
    expect(Array.from(l.encode({ v: 2 ** 32 }))).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(l.encode({ v: 2 ** 32 - 1 }))).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    expect(l.decode(Uint8Array.of(0x00, 0xe4, 0x0b, 0x54, 0x02, 0, 0, 0)).v).toBe(10e9);
  });

  it.each([
    ['a', 256, /All\.a: 256 is outside 0\.\.255/],
    ['a', -1, /All\.a: -1 is outside 0\.\.255/],
    ['b', 128, /All\.b: 128 is outside -128\.\.127/],
    ['b', -129, /All\.b: -129 is outside/],
    ['c', 0x10000, /All\.c: 65536 is outside 0\.\.65535/],
    ['d', 2 ** 32, /All\.d: 4294967296 is outside 0\.\.4294967295/],
    ['d', -1, /All\.d: -1 is outside/],
    ['e', 2 ** 31, /All\.e: 2147483648 is outside -2147483648\.\.2147483647/],
    ['e', -(2 ** 31) - 1, /All\.e: -2147483649 is outside/],
    ['f', 2 ** 53, /All\.f: 9007199254740992 is outside 0\.\.9007199254740991/],
    ['f', -1, /All\.f: -1 is outside/],
    ['d', 1.5, /All\.d: must be an integer/],
    ['f', 0.5, /All\.f: must be an integer/],
    ['g', Number.NaN, /All\.g: must be a number/],
    ['d', Number.NaN, /All\.d: must be a number/],
    ['d', '7', /All\.d: must be a number/],
    ['d', undefined, /All\.d: must be a number/],
  ])('refuses %s = %s, naming the field', (field, value, message) => {
    const bad = { ...SAMPLE, [field]: value } as unknown as AllTypes;
    expect(() => ALL.encode(bad)).toThrow(AbiError);
    expect(() => ALL.encode(bad)).toThrow(message);
  });

  it('accepts each range end and ±Infinity for f64', () => {
    for (const v of [
      { a: 0, b: -128, c: 0, d: 0, e: -(2 ** 31), f: 0, g: -Infinity },
      { a: 255, b: 127, c: 0xffff, d: 2 ** 32 - 1, e: 2 ** 31 - 1, f: Number.MAX_SAFE_INTEGER, g: Infinity },
    ]) {
      const value = { ...SAMPLE, ...v };
      expect(ALL.decode(ALL.encode(value))).toEqual({ ...value, y: Uint8Array.of(9, 8, 0, 0) });
    }
  });

  it('arrays must have exactly `count` numbers, each range-checked with its index', () => {
    expect(() => ALL.encode({ ...SAMPLE, h: [1, 2] })).toThrow(/All\.h: must be 3 numbers/);
    expect(() => ALL.encode({ ...SAMPLE, h: [1, 2, 3, 4] })).toThrow(/All\.h: must be 3 numbers/);
    expect(() => ALL.encode({ ...SAMPLE, h: 5 as unknown as number[] })).toThrow(/must be 3 numbers/);
    expect(() => ALL.encode({ ...SAMPLE, h: [1, 70000, 3] })).toThrow(/All\.h\[1\]: 70000 is outside/);
  });
});

describe('StructLayout: text and bytes', () => {
  const T = new StructLayout<{ s: string; z: number }>('T', 8, [
    { name: 's', offset: 0, type: 'text', size: 6 },
    { name: 'z', offset: 6, type: 'u16' },
  ]);

  it('text is UTF-8, NUL-padded, and never spills into the next field', () => {
    expect(Array.from(T.encode({ s: 'é', z: 0xffff }))).toEqual([0xc3, 0xa9, 0, 0, 0, 0, 0xff, 0xff]);
    expect(Array.from(T.encode({ s: 'abcdefgh', z: 0 }))).toEqual([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0]);
    expect(T.decode(T.encode({ s: 'abcdefgh', z: 7 }))).toEqual({ s: 'abcdef', z: 7 });
  });

  it('text is cut at a character boundary, never inside one', () => {
    // "abcde" + "é" (2 bytes) = 7 bytes: the é does not fit and is left out whole.
    expect(Array.from(T.encode({ s: 'abcdeé', z: 0 }).subarray(0, 6))).toEqual([
      0x61, 0x62, 0x63, 0x64, 0x65, 0,
    ]);
    expect(T.decode(T.encode({ s: 'abcdeé', z: 0 })).s).toBe('abcde');
    // A 4-byte character after 3 bytes: 7 > 6, dropped; "€" (3 bytes) after 3 fits exactly.
    expect(T.decode(T.encode({ s: 'abc😀', z: 0 })).s).toBe('abc');
    expect(T.decode(T.encode({ s: 'abc€', z: 0 })).s).toBe('abc€');
  });

  it('text is read up to its first NUL', () => {
    expect(T.decode(Uint8Array.of(0x61, 0x62, 0, 0x63, 0x64, 0, 0, 0)).s).toBe('ab');
    expect(T.decode(Uint8Array.of(0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0)).s).toBe('abcdef');
  });

  it('rewriting a shorter text in place clears what the longer one left', () => {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    T.write(view, 0, { s: 'abcdef', z: 1 });
    T.write(view, 0, { s: 'xy', z: 1 });
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0x78, 0x79, 0, 0, 0, 0]);
  });

  it('text must be a string', () => {
    expect(() => T.encode({ s: 5 as unknown as string, z: 0 })).toThrow(/T\.s: must be a string/);
  });

  it('bytes: shorter is zero-padded, longer or not a Uint8Array is refused, decode returns a copy', () => {
    const B = new StructLayout<{ m: Uint8Array }>('B', 4, [{ name: 'm', offset: 0, type: 'bytes', size: 4 }]);
    expect(Array.from(B.encode({ m: Uint8Array.of(1, 2) }))).toEqual([1, 2, 0, 0]);
    expect(() => B.encode({ m: Uint8Array.of(1, 2, 3, 4, 5) })).toThrow(/B\.m: must be at most 4 bytes/);
    expect(() => B.encode({ m: [1, 2] as unknown as Uint8Array })).toThrow(/B\.m: must be at most 4 bytes/);
    const raw = Uint8Array.of(5, 6, 7, 8);
    const decoded = B.decode(raw).m;
    decoded[0] = 99;
    expect(raw[0]).toBe(5);
    // Rewriting shorter bytes clears the old tail.
    const view = new DataView(raw.buffer);
    B.write(view, 0, { m: Uint8Array.of(1) });
    expect(Array.from(raw)).toEqual([1, 0, 0, 0]);
  });
});

describe('StructLayout: buffer bounds', () => {
  it('decode refuses a truncated buffer with an error naming the struct and both sizes', () => {
    const bytes = sampleBytes();
    expect(() => ALL.decode(bytes.subarray(0, 55))).toThrow(AbiError);
    expect(() => ALL.decode(bytes.subarray(0, 55))).toThrow('All: needs 56 bytes at 0, the buffer has 55');
    expect(() => ALL.decode(new Uint8Array(0))).toThrow('All: needs 56 bytes at 0, the buffer has 0');
  });

  it('read and write refuse a position that leaves too little room, or a negative one', () => {
    const view = new DataView(new ArrayBuffer(60));
    expect(() => ALL.read(view, 5)).toThrow('All: needs 56 bytes at 5, the buffer has 60');
    expect(() => ALL.read(view, -1)).toThrow(AbiError);
    expect(() => ALL.write(view, 5, SAMPLE)).toThrow('All: needs 56 bytes at 5, the buffer has 60');
    expect(() => ALL.write(view, -1, SAMPLE)).toThrow(AbiError);
    // The last position that fits works, and writes nothing before it.
    ALL.write(view, 4, SAMPLE);
    expect(new Uint8Array(view.buffer, 0, 4)).toEqual(new Uint8Array(4));
    expect(new Uint8Array(view.buffer, 4, 56)).toEqual(sampleBytes());
    expect(ALL.read(view, 4).d).toBe(0xdeadbeef);
  });

  it('decode reads from the start of a view that does not start its buffer', () => {
    const big = new Uint8Array(100);
    big.set(sampleBytes(), 7);
    expect(ALL.decode(big.subarray(7, 63)).d).toBe(0xdeadbeef);
    // A longer buffer decodes from its start.
    expect(ALL.decode(big.subarray(7)).f).toBe(0x1f_ffff_ffff_ffff);
  });
});

/** Strings without NUL whose UTF-8 fits in `size` bytes (the longest fitting prefix of each draw). */
const textArb = (size: number) =>
  fc.string({ unit: 'binary', maxLength: size }).map((s) => {
    let out = '';
    for (const ch of s.replaceAll('\0', '')) {
      if (new TextEncoder().encode(out + ch).length > size) break;
      out += ch;
    }
    return out;
  });

const allArb: fc.Arbitrary<AllTypes> = fc.record({
  a: fc.integer({ min: 0, max: 0xff }),
  b: fc.integer({ min: -0x80, max: 0x7f }),
  c: fc.integer({ min: 0, max: 0xffff }),
  d: fc.integer({ min: 0, max: 0xffff_ffff }),
  e: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  f: fc.maxSafeNat(),
  g: fc.double({ noNaN: true }),
  h: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 3, maxLength: 3 }),
  t: textArb(8),
  y: fc.uint8Array({ minLength: 4, maxLength: 4 }),
});

describe('StructLayout: round trips (property)', () => {
  it('every valid value decodes to itself, and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(allArb, (v) => {
        const bytes = ALL.encode(v);
        expect(bytes.length).toBe(56);
        const back = ALL.decode(bytes);
        expect(back).toEqual(v);
        expect(ALL.encode(back)).toEqual(bytes);
        // Padding stays zero whatever the value.
        for (const i of [12, 13, 14, 15, 38, 39, 52, 53, 54, 55]) expect(bytes[i]).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('text longer than its field decodes to a prefix that fits (property)', () => {
    const T = new StructLayout<{ s: string }>('T', 8, [{ name: 's', offset: 0, type: 'text', size: 8 }]);
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0')),
        (s) => {
          const back = T.decode(T.encode({ s })).s;
          expect(s.startsWith(back)).toBe(true);
          const used = new TextEncoder().encode(back).length;
          expect(used).toBeLessThanOrEqual(8);
          // Nothing more would have fitted: the next character is too long for the rest.
          if (back.length < s.length) {
            const next = String.fromCodePoint(s.codePointAt(back.length)!);
            expect(used + new TextEncoder().encode(next).length).toBeGreaterThan(8);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('batches', () => {
  const R = new StructLayout<{ x: number; y: number }>('R', 4, [
    { name: 'x', offset: 0, type: 'u16' },
    { name: 'y', offset: 2, type: 'u16' },
  ]);

  it('frame { count u32, generation u32 } then the records (golden bytes)', () => {
    expect(BATCH_HEADER_BYTES).toBe(8);
    const bytes = encodeBatch(R, 0x01020304, [
      { x: 1, y: 2 },
      { x: 0xabcd, y: 0 },
    ]);
    expect(Array.from(bytes)).toEqual([2, 0, 0, 0, 4, 3, 2, 1, 1, 0, 2, 0, 0xcd, 0xab, 0, 0]);
    expect(Array.from(encodeBatch(R, 0, []))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('round-trip any records and generation (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.array(
          fc.record({ x: fc.integer({ min: 0, max: 0xffff }), y: fc.integer({ min: 0, max: 0xffff }) }),
          {
            maxLength: 50,
          },
        ),
        (generation, items) => {
          const bytes = encodeBatch(R, generation, items);
          expect(bytes.length).toBe(8 + 4 * items.length);
          expect(decodeBatch(R, bytes)).toEqual({ generation, items });
        },
      ),
    );
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('refuses generation %s', (generation) => {
    expect(() => encodeBatch(R, generation, [])).toThrow(
      /R batch: generation must be an integer 0\.\.4294967295/,
    );
  });

  it('accepts the generation range ends', () => {
    expect(decodeBatch(R, encodeBatch(R, 0xffff_ffff, []))?.generation).toBe(0xffff_ffff);
    expect(decodeBatch(R, encodeBatch(R, 0, []))?.generation).toBe(0);
  });

  it('a bad record refuses the whole batch, naming the field', () => {
    expect(() =>
      encodeBatch(R, 1, [
        { x: 1, y: 1 },
        { x: 70000, y: 1 },
      ]),
    ).toThrow(/R\.x: 70000 is outside/);
  });

  it('decode answers null when the length does not match the count', () => {
    const good = encodeBatch(R, 9, [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ]);
    expect(decodeBatch(R, good)).not.toBeNull();
    expect(decodeBatch(R, good.subarray(0, good.length - 1))).toBeNull(); // a byte short
    const long = new Uint8Array(good.length + 1);
    long.set(good);
    expect(decodeBatch(R, long)).toBeNull(); // a byte over
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(0, 3, true); // claims a third record
    expect(decodeBatch(R, lying)).toBeNull();
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(0, 0xffff_ffff, true);
    expect(decodeBatch(R, huge)).toBeNull();
    expect(decodeBatch(R, new Uint8Array(7))).toBeNull(); // no header
    expect(decodeBatch(R, new Uint8Array(0))).toBeNull();
  });

  it('decodes a batch held in the middle of a larger buffer', () => {
    const inner = encodeBatch(R, 5, [{ x: 7, y: 8 }]);
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 3);
    expect(decodeBatch(R, outer.subarray(3, 3 + inner.length))).toEqual({
      generation: 5,
      items: [{ x: 7, y: 8 }],
    });
  });
});
