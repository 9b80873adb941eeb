/**
 * Append-only byte buffer for capture writers: one Uint8Array plus a DataView over it,
 * grown by reallocating to twice the required size (as @msgpack/msgpack's Encoder does),
 * so appends are amortised O(1) and records need no intermediate objects.
 */
export class GrowableBuffer {
  bytes: Uint8Array;
  view: DataView;
  /** Bytes written so far. */
  pos = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes; call before the typed writes below. */
  ensure(n: number): void {
    const required = this.pos + n;
    if (required <= this.bytes.length) return;
    const next = new Uint8Array(required * 2);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }

  u16le(v: number): void {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32le(v: number): void {
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  /**
   * Copies `len` bytes of `src` from `off`. A whole-array copy uses `set`; a range is copied
   * by a loop rather than `set(subarray(...))` because the subarray view is an allocation.
   */
  copy(src: Uint8Array, off: number, len: number): void {
    const dst = this.bytes;
    const p = this.pos;
    if (off === 0 && len === src.length) dst.set(src, p);
    else for (let i = 0; i < len; i++) dst[p + i] = src[off + i]!;
    this.pos = p + len;
  }

  /** Writes `n` zero bytes (padding). */
  zeros(n: number): void {
    this.bytes.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** View of the written bytes; invalidated (stale) by the next growth. */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }
}
