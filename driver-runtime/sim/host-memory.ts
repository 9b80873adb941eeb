/**
 * Host "physical" memory: one ArrayBuffer (or SharedArrayBuffer, so a worker and the main
 * thread can share it) that the driver allocates from and the device reaches by DMA.
 * Physical address = `physBase + offset`; the device gets only addresses, never views,
 * and every DMA is bounds-checked by `translate`.
 *
 * OURS: the default physical base (0x8000_0000), first-fit allocation in 64-byte units, and
 * zero-filled allocations are simulation choices, not any real machine's memory map.
 */
export const PAGE_SIZE = 4096;

export interface HostMemoryOptions {
  size?: number;
  physBase?: number;
  shared?: boolean;
}

interface Range {
  offset: number;
  size: number;
}

export class HostMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly view: DataView;
  readonly size: number;
  readonly physBase: number;
  /** Free ranges sorted by offset; allocation is first fit, freeing coalesces neighbours. */
  private free: Range[];
  private allocated = new Map<number, number>();

  constructor(options: HostMemoryOptions = {}) {
    this.size = options.size ?? 64 * 1024 * 1024;
    this.physBase = options.physBase ?? 0x8000_0000;
    if (this.size % PAGE_SIZE !== 0)
      throw new Error(`host memory size ${this.size} is not a multiple of ${PAGE_SIZE}`);
    this.buffer = options.shared ? new SharedArrayBuffer(this.size) : new ArrayBuffer(this.size);
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.free = [{ offset: 0, size: this.size }];
  }

  /** Bytes currently allocated. */
  get allocatedBytes(): number {
    let n = 0;
    for (const s of this.allocated.values()) n += s;
    return n;
  }

  get allocationCount(): number {
    return this.allocated.size;
  }

  /** Allocates `size` bytes aligned to `align` (power of two); returns the offset or -1. */
  allocate(size: number, align = PAGE_SIZE): number {
    if (size <= 0 || (align & (align - 1)) !== 0) return -1;
    const rounded = Math.ceil(size / 64) * 64;
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      const start = Math.ceil((this.physBase + r.offset) / align) * align - this.physBase;
      const waste = start - r.offset;
      if (r.size - waste < rounded) continue;
      const after = { offset: start + rounded, size: r.size - waste - rounded };
      const pieces: Range[] = [];
      if (waste > 0) pieces.push({ offset: r.offset, size: waste });
      if (after.size > 0) pieces.push(after);
      this.free.splice(i, 1, ...pieces);
      this.allocated.set(start, rounded);
      this.u8.fill(0, start, start + rounded);
      return start;
    }
    return -1;
  }

  /** Frees an allocation made by `allocate`. Throws on a double or foreign free. */
  release(offset: number): void {
    const size = this.allocated.get(offset);
    if (size === undefined)
      throw new Error(`host memory: free of unallocated offset 0x${offset.toString(16)}`);
    this.allocated.delete(offset);
    let i = 0;
    while (i < this.free.length && this.free[i].offset < offset) i++;
    this.free.splice(i, 0, { offset, size });
    // Coalesce with the next and previous ranges.
    if (i + 1 < this.free.length && offset + size === this.free[i + 1].offset) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].offset + this.free[i - 1].size === this.free[i].offset) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  physOf(offset: number): number {
    return this.physBase + offset;
  }

  /**
   * Translates a DMA range to an offset, or -1 if any byte of it falls outside host
   * memory (the device turns that into a DMA error, never an exception).
   */
  translate(phys: number, length: number): number {
    const offset = phys - this.physBase;
    if (offset < 0 || length < 0 || offset + length > this.size || !Number.isFinite(offset)) return -1;
    return offset;
  }
}
