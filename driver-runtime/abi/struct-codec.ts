/**
 * Little-endian struct layouts with explicit offsets and sizes, written like the structs of
 * a dext's shared header: every field names its offset, the layout names its size, and the
 * layout checks itself when the module loads (fields inside the struct, no overlap). Encode
 * and decode work on a DataView over any buffer; nothing is allocated per field.
 *
 * 64-bit integers travel as JS numbers and must be safe integers (≤ 2^53 − 1): the codec
 * refuses larger ones rather than round them. Text is UTF-8, NUL-padded, truncated at a
 * character boundary on encode and read up to the first NUL on decode.
 */

export type ScalarType = 'u8' | 'i8' | 'u16' | 'u32' | 'i32' | 'u64' | 'f64';

export interface ScalarField {
  readonly name: string;
  readonly offset: number;
  readonly type: ScalarType;
  /** Elements for a fixed array (`u32[4]`); absent for one value. */
  readonly count?: number;
}

export interface BytesField {
  readonly name: string;
  readonly offset: number;
  readonly type: 'bytes' | 'text';
  /** Bytes the field occupies. */
  readonly size: number;
}

export type FieldSpec = ScalarField | BytesField;

const WIDTH: Record<ScalarType, number> = { u8: 1, i8: 1, u16: 2, u32: 4, i32: 4, u64: 8, f64: 8 };
const RANGE: Record<ScalarType, [number, number]> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  u32: [0, 0xffff_ffff],
  i32: [-0x8000_0000, 0x7fff_ffff],
  u64: [0, Number.MAX_SAFE_INTEGER],
  f64: [-Infinity, Infinity],
};
const TWO_32 = 4294967296;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: false });

/** A value the codec refuses, naming the struct and field. */
export class AbiError extends Error {}

function isBytes(f: FieldSpec): f is BytesField {
  return f.type === 'bytes' || f.type === 'text';
}

function fieldBytes(f: FieldSpec): number {
  return isBytes(f) ? f.size : WIDTH[f.type] * (f.count ?? 1);
}

/** A value as the layout decodes it: numbers, number arrays, byte arrays, strings. */
export type DecodedValue = number | number[] | Uint8Array | string;

export class StructLayout<T extends object> {
  readonly fields: readonly FieldSpec[];

  constructor(
    readonly name: string,
    /** Bytes the struct occupies (padding and reserved space included). */
    readonly size: number,
    fields: readonly FieldSpec[],
  ) {
    this.fields = fields;
    const used = new Uint8Array(size);
    for (const f of fields) {
      const end = f.offset + fieldBytes(f);
      if (f.offset < 0 || end > size)
        throw new AbiError(`${name}.${f.name}: ends at ${end}, past the struct's ${size} bytes`);
      if (!isBytes(f) && f.offset % WIDTH[f.type] !== 0)
        throw new AbiError(
          `${name}.${f.name}: offset ${f.offset} is not aligned to its ${WIDTH[f.type]} bytes`,
        );
      for (let i = f.offset; i < end; i++) {
        if (used[i]) throw new AbiError(`${name}.${f.name}: overlaps another field at byte ${i}`);
        used[i] = 1;
      }
    }
  }

  /** Writes `value` at `at` of `view`; throws AbiError naming the field for an out-of-range value. */
  write(view: DataView, at: number, value: T): void {
    if (at < 0 || at + this.size > view.byteLength)
      throw new AbiError(
        `${this.name}: needs ${this.size} bytes at ${at}, the buffer has ${view.byteLength}`,
      );
    const v = value as Record<string, unknown>;
    for (const f of this.fields) {
      const x = v[f.name];
      if (isBytes(f)) {
        if (f.type === 'text') this.writeText(view, at + f.offset, f, x);
        else this.writeBytes(view, at + f.offset, f, x);
      } else if (f.count === undefined) writeScalar(view, at + f.offset, f.type, this.checked(f, x));
      else {
        if (!Array.isArray(x) || x.length !== f.count)
          throw new AbiError(`${this.name}.${f.name}: must be ${f.count} numbers`);
        for (let i = 0; i < f.count; i++)
          writeScalar(view, at + f.offset + i * WIDTH[f.type], f.type, this.checked(f, x[i], i));
      }
    }
  }

  /** Reads a value at `at` of `view` (any bytes decode; meaning is checked by the reader). */
  read(view: DataView, at: number): T {
    if (at < 0 || at + this.size > view.byteLength)
      throw new AbiError(
        `${this.name}: needs ${this.size} bytes at ${at}, the buffer has ${view.byteLength}`,
      );
    const out: Record<string, DecodedValue> = {};
    for (const f of this.fields) {
      const o = at + f.offset;
      if (isBytes(f))
        out[f.name] =
          f.type === 'text'
            ? readText(view, o, f.size)
            : new Uint8Array(view.buffer, view.byteOffset + o, f.size).slice();
      else if (f.count === undefined) out[f.name] = readScalar(view, o, f.type);
      else
        out[f.name] = Array.from({ length: f.count }, (_, i) =>
          readScalar(view, o + i * WIDTH[f.type], f.type),
        );
    }
    return out as T;
  }

  /** A fresh buffer holding `value`. */
  encode(value: T): Uint8Array {
    const bytes = new Uint8Array(this.size);
    this.write(new DataView(bytes.buffer), 0, value);
    return bytes;
  }

  /** Decodes a buffer of exactly `size` bytes (or at least, from its start). */
  decode(bytes: Uint8Array): T {
    return this.read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  }

  private checked(f: ScalarField, x: unknown, index?: number): number {
    const where = index === undefined ? `${this.name}.${f.name}` : `${this.name}.${f.name}[${index}]`;
    if (typeof x !== 'number' || Number.isNaN(x)) throw new AbiError(`${where}: must be a number`);
    const [lo, hi] = RANGE[f.type];
    if (f.type !== 'f64' && !Number.isInteger(x)) throw new AbiError(`${where}: must be an integer`);
    if (x < lo || x > hi) throw new AbiError(`${where}: ${x} is outside ${lo}..${hi}`);
    return x;
  }

  private writeText(view: DataView, at: number, f: BytesField, x: unknown): void {
    if (typeof x !== 'string') throw new AbiError(`${this.name}.${f.name}: must be a string`);
    const target = new Uint8Array(view.buffer, view.byteOffset + at, f.size);
    target.fill(0);
    // Truncate at a character boundary: encodeInto never writes half a character.
    utf8.encodeInto(x, target);
  }

  private writeBytes(view: DataView, at: number, f: BytesField, x: unknown): void {
    if (!(x instanceof Uint8Array) || x.length > f.size)
      throw new AbiError(`${this.name}.${f.name}: must be at most ${f.size} bytes`);
    const target = new Uint8Array(view.buffer, view.byteOffset + at, f.size);
    target.fill(0);
    target.set(x);
  }
}

function writeScalar(view: DataView, at: number, type: ScalarType, x: number): void {
  switch (type) {
    case 'u8':
      view.setUint8(at, x);
      return;
    case 'i8':
      view.setInt8(at, x);
      return;
    case 'u16':
      view.setUint16(at, x, true);
      return;
    case 'u32':
      view.setUint32(at, x, true);
      return;
    case 'i32':
      view.setInt32(at, x, true);
      return;
    case 'u64':
      view.setUint32(at, x % TWO_32, true);
      view.setUint32(at + 4, Math.floor(x / TWO_32), true);
      return;
    case 'f64':
      view.setFloat64(at, x, true);
  }
}

function readScalar(view: DataView, at: number, type: ScalarType): number {
  switch (type) {
    case 'u8':
      return view.getUint8(at);
    case 'i8':
      return view.getInt8(at);
    case 'u16':
      return view.getUint16(at, true);
    case 'u32':
      return view.getUint32(at, true);
    case 'i32':
      return view.getInt32(at, true);
    case 'u64':
      return view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_32;
    case 'f64':
      return view.getFloat64(at, true);
  }
}

function readText(view: DataView, at: number, size: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + at, size);
  let end = bytes.indexOf(0);
  if (end < 0) end = size;
  // Decoding from a SharedArrayBuffer view is refused by TextDecoder: copy first.
  return fromUtf8.decode(bytes.slice(0, end));
}

/** A batch on the wire: a header `{ count u32, generation u32 }` then `count` records. */
export const BATCH_HEADER_BYTES = 8;

export function encodeBatch<T extends object>(
  layout: StructLayout<T>,
  generation: number,
  items: readonly T[],
): Uint8Array {
  const bytes = new Uint8Array(BATCH_HEADER_BYTES + layout.size * items.length);
  const view = new DataView(bytes.buffer);
  if (!Number.isInteger(generation) || generation < 0 || generation > 0xffff_ffff)
    throw new AbiError(`${layout.name} batch: generation must be an integer 0..4294967295`);
  view.setUint32(0, items.length, true);
  view.setUint32(4, generation, true);
  items.forEach((item, i) => layout.write(view, BATCH_HEADER_BYTES + i * layout.size, item));
  return bytes;
}

/** Decodes a batch; null when the length does not match its count (a malformed call). */
export function decodeBatch<T extends object>(
  layout: StructLayout<T>,
  bytes: Uint8Array,
): { generation: number; items: T[] } | null {
  if (bytes.length < BATCH_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (bytes.length !== BATCH_HEADER_BYTES + count * layout.size) return null;
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(layout.read(view, BATCH_HEADER_BYTES + i * layout.size));
  return { generation: view.getUint32(4, true), items };
}
