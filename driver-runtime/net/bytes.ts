/**
 * Big-endian (network order, RFC 1700 "Data Notation") field access on a Uint8Array.
 * Byte-at-a-time on purpose: works at any alignment and in any engine, and V8 inlines these.
 * These do not bounds-check: callers (the parser) check lengths first.
 */

export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/** 48-bit value (a MAC) as a JS number; exact because 2^48 < 2^53. */
export function readU48(buf: Uint8Array, off: number): number {
  return readU16(buf, off) * 0x1_0000_0000 + readU32(buf, off + 2);
}

export function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

export function writeU48(buf: Uint8Array, off: number, v: number): void {
  writeU16(buf, off, Math.floor(v / 0x1_0000_0000));
  writeU32(buf, off + 2, v >>> 0);
}
