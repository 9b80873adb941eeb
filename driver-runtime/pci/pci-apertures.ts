/**
 * BAR apertures: which memory index is served by whom, whether an access reaches it, and how
 * access widths map onto a dword-only function — the job of QEMU's memory-region dispatch
 * between pci.c and the device. IOPCIDevice's Memory* methods are forwarders into this.
 *
 * `memoryIndex` indexes the ranges assigned to the device (implemented BARs in BAR order),
 * not the BAR number. Accesses must be naturally aligned. An access fails — a read returns
 * all-ones of its width, a write is dropped — when: no session is open, Memory Space Enable
 * is clear (I/O Space Enable for an I/O BAR), the index or offset is out of range or
 * misaligned, the BAR no longer holds the address the OS assigned (e.g. left all-ones after
 * size probing), or the function was surprise-removed.
 *
 * The function's registers are 32-bit only (QEMU igb: min = max access size 4):
 * - 64-bit = two 32-bit accesses, low dword then high dword (checked as a whole first, so an
 *   access is never half done); values are bigint because all-ones does not fit a double;
 * - an 8/16-bit read reads the containing dword and extracts the lane (so it has the side
 *   effects of a 32-bit read, e.g. a read-to-clear register is cleared);
 * - an 8/16-bit write is a 32-bit write of the value shifted into its lane with the other
 *   bytes zero (a dword-only device ignores byte enables).
 * The MSI-X table BAR is served by `MsixController` and honours byte lanes.
 * read32/write32 are the driver's hot path: they allocate nothing.
 */
import type { MsixController } from './msix.ts';
import { RANGE_MSIX, type PciConfigSpace } from './pci-config-space.ts';
import {
  kIOPCICommandIOSpace,
  kIOPCICommandMemorySpace,
  kIOPCIConfigurationOffsetCommand,
} from './pci-constants.ts';
import type { PciFunction } from './pci-function.ts';

export class PciApertures {
  // The config space's arrays, held here so the hot path reads fields of `this` only.
  private readonly config: Uint8Array;
  private readonly rangeCount: number;
  private readonly rangeBar: Int8Array;
  private readonly rangeSize: Float64Array;
  private readonly rangeKind: Uint8Array;
  private readonly rangeIsIO: Uint8Array;
  private readonly rangeDecodes: Uint8Array;

  constructor(
    cfg: PciConfigSpace,
    private readonly msix: MsixController,
    private readonly fn: PciFunction,
  ) {
    this.config = cfg.bytes;
    this.rangeCount = cfg.rangeCount;
    this.rangeBar = cfg.rangeBar;
    this.rangeSize = cfg.rangeSize;
    this.rangeKind = cfg.rangeKind;
    this.rangeIsIO = cfg.rangeIsIO;
    this.rangeDecodes = cfg.rangeDecodes;
  }

  /** Whether an access of `width` bytes at `offset` of range `index` reaches it (session checked by the caller). */
  reaches(index: number, offset: number, width: number): boolean {
    // Ordered cheapest first; every check reads fields or typed arrays only (hot path).
    return !(
      !(index >= 0 && index < this.rangeCount) ||
      !(offset >= 0 && offset + width <= this.rangeSize[index | 0]) ||
      offset % width !== 0 ||
      (index | 0) !== index ||
      this.rangeDecodes[index] === 0 ||
      (this.config[kIOPCIConfigurationOffsetCommand] &
        (this.rangeIsIO[index] ? kIOPCICommandIOSpace : kIOPCICommandMemorySpace)) ===
        0 ||
      this.fn.removed
    );
  }

  // The accessors below take an access `reaches` accepted.

  read64(index: number, offset: number): bigint {
    const lo = this.read32(index, offset);
    const hi = this.read32(index, offset + 4);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  read32(index: number, offset: number): number {
    if (this.rangeKind[index] === RANGE_MSIX) return this.msix.read32(offset);
    return this.fn.mmioRead32(this.rangeBar[index], offset) >>> 0;
  }

  /** An 8- or 16-bit read: the containing dword, lane extracted (`mask` 0xff or 0xffff). */
  readLane(index: number, offset: number, mask: number): number {
    return (this.read32(index, offset - (offset % 4)) >>> ((offset % 4) * 8)) & mask;
  }

  write64(index: number, offset: number, data: bigint): void {
    this.write32(index, offset, Number(data & 0xffff_ffffn), 0xffff_ffff);
    this.write32(index, offset + 4, Number((data >> 32n) & 0xffff_ffffn), 0xffff_ffff);
  }

  /** `data` is unsigned; `laneMask` marks the bytes really written (only the MSI-X table honours it). */
  write32(index: number, offset: number, data: number, laneMask: number): void {
    if (this.rangeKind[index] === RANGE_MSIX) this.msix.write32(offset, data, laneMask);
    else this.fn.mmioWrite32(this.rangeBar[index], offset, data);
  }

  /** An 8- or 16-bit write: the value shifted into its lane of the containing dword. */
  writeLane(index: number, offset: number, data: number, mask: number): void {
    const shift = (offset % 4) * 8;
    this.write32(index, offset - (offset % 4), ((data & mask) << shift) >>> 0, (mask << shift) >>> 0);
  }
}
