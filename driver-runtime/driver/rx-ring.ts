import type { IOBufferMemoryDescriptor } from '../memory/buffer-memory-descriptor.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { kIOUserNetworkPacketDirectionRx } from '../networking/constants.ts';
import { DESCRIPTOR_BYTES, RXD_ERR_MASK, RXD_STAT_DD } from './hw-regs.ts';

/**
 * Driver side of one hardware Rx ring: advanced one-buffer descriptors, the handle of the
 * pool buffer in each slot, `nextToClean` (next descriptor to check for DD) and
 * `nextToAlloc` (next slot to refill). RDT moves only when enough slots are refilled, and
 * always one behind the last slot given to hardware.
 */
export class RxRing {
  readonly mask: number;
  private readonly u32: Uint32Array;
  private readonly base32: number;
  readonly bufferHandle: Int32Array;
  nextToClean = 0;
  nextToAlloc = 0;
  /** nextToAlloc as of the last RDT write: slots filled since then are not yet the hardware's. */
  tailWritten = 0;
  /** Bytes of the good frames of the last `clean` (the caller adds them to its counters). */
  cleanedBytes = 0;
  /** Virtual time of the last clean that took a descriptor (lost-interrupt detection). */
  lastProgressNs = 0;

  constructor(
    readonly queueIndex: number,
    readonly count: number,
    readonly descriptors: IOBufferMemoryDescriptor,
  ) {
    if ((count & (count - 1)) !== 0) throw new Error(`rx ring size ${count} is not a power of two`);
    this.mask = count - 1;
    this.u32 = descriptors.memory.u32;
    this.base32 = descriptors.offset >>> 2;
    this.bufferHandle = new Int32Array(count).fill(-1);
  }

  /** Slots without a buffer, keeping one unused. */
  unfilled(): number {
    return this.count - 1 - (this.nextToAlloc - this.nextToClean);
  }

  /** Gives a buffer to hardware: read format (packet address, header address 0). */
  fill(pool: IOUserNetworkPacketBufferPool, handle: number): void {
    const slot = this.nextToAlloc & this.mask;
    const d = this.base32 + slot * (DESCRIPTOR_BYTES >>> 2);
    const phys = pool.dataPhys(handle);
    this.u32[d] = phys >>> 0;
    this.u32[d + 1] = Math.floor(phys / 4294967296) >>> 0;
    this.u32[d + 2] = 0;
    this.u32[d + 3] = 0;
    this.bufferHandle[slot] = handle;
    this.nextToAlloc++;
  }

  /** Value for RDT: one past the last filled slot; records that the hardware now owns them. */
  publishTail(): number {
    this.tailWritten = this.nextToAlloc;
    return this.nextToAlloc & this.mask;
  }

  /** Filled slots not yet given to hardware by an RDT write. */
  unpublished(): number {
    return this.nextToAlloc - this.tailWritten;
  }

  /** Buffers the hardware owns and has not filled yet (as far as the driver knows). */
  hardwareOwned(): number {
    return this.tailWritten - this.nextToClean;
  }

  /**
   * Takes up to `budget` received packets (DD set) into `good`, and errored ones into
   * `bad` (to recycle). DD is read first; the rest of the write-back is valid after it.
   */
  clean(
    pool: IOUserNetworkPacketBufferPool,
    good: Int32Array,
    bad: Int32Array,
    budget: number,
    nowNs: number,
  ): { good: number; bad: number } {
    let g = 0;
    let b = 0;
    let bytes = 0;
    const u32 = this.u32;
    while (g + b < budget && this.nextToClean !== this.nextToAlloc) {
      const slot = this.nextToClean & this.mask;
      const d = this.base32 + slot * (DESCRIPTOR_BYTES >>> 2);
      const status = u32[d + 2];
      if ((status & RXD_STAT_DD) === 0) break;
      const handle = this.bufferHandle[slot];
      this.bufferHandle[slot] = -1;
      this.nextToClean++;
      if ((status & RXD_ERR_MASK) !== 0) {
        bad[b++] = handle;
        continue;
      }
      const length = u32[d + 3] & 0xffff;
      pool.dataLength[handle] = length;
      pool.direction[handle] = kIOUserNetworkPacketDirectionRx;
      pool.setTimestamp(handle, nowNs);
      bytes += length;
      good[g++] = handle;
    }
    if (g + b > 0) this.lastProgressNs = nowNs;
    this.cleanedBytes = bytes;
    this.result.good = g;
    this.result.bad = b;
    return this.result;
  }

  private readonly result = { good: 0, bad: 0 };

  /** True if the descriptor at nextToClean is done (DD set) but not yet reaped. */
  readyToClean(): boolean {
    if (this.nextToClean === this.nextToAlloc) return false;
    const d = this.base32 + (this.nextToClean & this.mask) * (DESCRIPTOR_BYTES >>> 2);
    return (this.u32[d + 2] & RXD_STAT_DD) !== 0;
  }

  /** Takes back every buffer given to hardware (disable/reset). */
  reclaimAll(out: Int32Array): number {
    let n = 0;
    while (this.nextToClean !== this.nextToAlloc) {
      const slot = this.nextToClean & this.mask;
      out[n++] = this.bufferHandle[slot];
      this.bufferHandle[slot] = -1;
      this.nextToClean++;
    }
    this.nextToClean = 0;
    this.nextToAlloc = 0;
    this.tailWritten = 0;
    this.descriptors.bytes().fill(0);
    return n;
  }
}
