/**
 * MSI-X emulation and delivery, the job of QEMU's msix.c: the vector table and Pending Bit
 * Array behind the table BAR, Message Control from config space, and delivery of a message
 * to the `IOInterruptDispatchSource` registered for its vector. PCIe 3.0 §6.1.4: a message
 * on a masked vector (or with MSI-X off or the function masked) sets its pending bit and is
 * sent when the vector becomes deliverable.
 */
import type { IOInterruptDispatchSource } from '../kit/interrupt-source.ts';
import {
  kIOReturnBadArgument,
  kIOReturnExclusiveAccess,
  kIOReturnSuccess,
  type IOReturn,
} from '../kit/io-return.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import type { MsixLayout, PciConfigSpace } from './pci-config-space.ts';
import {
  kMSIXControlEnable,
  kMSIXControlFunctionMask,
  kMSIXTableEntrySize,
  kMSIXVectorControlMask,
} from './pci-constants.ts';
import { kPCIBARTypeIO, type PciBarDescription, type PciFunctionIdentity } from './pci-function.ts';

/** Default table BAR: where the I210 keeps its MSI-X table. */
const DEFAULT_MSIX_BAR = 3;
/** PCIe allows at most 2048 vectors (table size field is 11 bits). */
const MAX_VECTORS = 2048;

/**
 * OURS: the address/data the "OS" programs into a granted entry. A host bridge would decode
 * them; the simulation only needs distinct, non-zero values (0xFEE0_0000 is the x86 MSI
 * window, used here only because it is recognisable).
 */
const GRANTED_ADDRESS = 0xfee0_0000;
const GRANTED_DATA_BASE = 0x4000;

/** Delivery counters, part of IOPCIDeviceStats. */
export interface MsixStats {
  /** MSI-X messages handed to an interrupt source. */
  msixDelivered: number;
  /** MSI-X messages held in the PBA because the vector or function was masked or MSI-X off. */
  msixDeferred: number;
  /** MSI-X messages delivered with no source registered for the vector (lost). */
  msixUnclaimed: number;
}

export class MsixController {
  readonly vectors: number;
  /** Byte offset of the PBA inside the table BAR. */
  readonly pbaOffset: number;
  /** Four dwords per vector: address lo, address hi, data, vector control. */
  private readonly table: Uint32Array;
  /** Pending Bit Array, one bit per vector. */
  private readonly pending: Uint32Array;
  /** Interrupt source per vector; not retained (each source retains the device). */
  private readonly sources: (IOInterruptDispatchSource | null)[];
  /** Vectors granted by the last ConfigureInterrupts. */
  granted = 0;

  constructor(
    layout: MsixLayout,
    private readonly config: PciConfigSpace,
    private readonly stats: MsixStats,
    private readonly scheduler: Scheduler,
  ) {
    this.vectors = layout.vectors;
    this.pbaOffset = layout.pbaOffset;
    this.table = new Uint32Array(this.vectors * 4);
    this.pending = new Uint32Array(Math.ceil(this.vectors / 32));
    this.sources = new Array<IOInterruptDispatchSource | null>(this.vectors).fill(null);
    this.resetTable();
  }

  /**
   * Checks the MSI-X description of a function and places the table at offset 0 and the PBA
   * at the second half of its BAR. For the I210's 16 KiB BAR3 that is its PBA offset, 0x2000;
   * OURS: "second half" for any other size. Throws on a bad identity.
   */
  static layoutFor(identity: PciFunctionIdentity, bars: readonly PciBarDescription[]): MsixLayout {
    const vectors = identity.msixVectors;
    if (!Number.isInteger(vectors) || vectors < 0 || vectors > MAX_VECTORS) {
      throw new Error(`IOPCIDevice: MSI-X table size ${vectors} not in 0..${MAX_VECTORS}`);
    }
    const bar = identity.msixTableBar ?? DEFAULT_MSIX_BAR;
    const desc = bars.find((b) => b.bar === bar);
    if (vectors > 0) {
      if (!desc || desc.type === kPCIBARTypeIO)
        throw new Error(`IOPCIDevice: MSI-X table BAR${bar} is not a memory BAR`);
      const pbaBytes = Math.ceil(vectors / 64) * 8;
      if (vectors * kMSIXTableEntrySize > desc.size / 2 || pbaBytes > desc.size / 2) {
        throw new Error(
          `IOPCIDevice: BAR${bar} (${desc.size} bytes) is too small for ${vectors} MSI-X vectors`,
        );
      }
    }
    return { vectors, bar, pbaOffset: desc ? desc.size / 2 : 0 };
  }

  // ---- the table BAR (offsets checked and dword-aligned by IOPCIDevice) ----

  read32(offset: number): number {
    if (offset < this.vectors * kMSIXTableEntrySize) return this.table[offset >>> 2];
    if (offset >= this.pbaOffset) {
      const word = (offset - this.pbaOffset) >>> 2;
      if (word < this.pending.length) return this.pending[word];
    }
    return 0;
  }

  /** `laneMask` marks the bytes really written (8/16-bit accesses honour byte lanes here). */
  write32(offset: number, data: number, laneMask: number): void {
    // The PBA is read-only; reserved space ignores writes.
    if (offset >= this.vectors * kMSIXTableEntrySize) return;
    const i = offset >>> 2;
    const isControl = (i & 3) === 3;
    // Vector Control: only the mask bit is implemented (the rest is reserved, reads 0).
    const writable = (isControl ? kMSIXVectorControlMask : 0xffff_ffff) & laneMask;
    const before = this.table[i];
    this.table[i] = ((before & ~writable) | (data & writable)) >>> 0;
    if (
      isControl &&
      (before & kMSIXVectorControlMask) !== 0 &&
      (this.table[i] & kMSIXVectorControlMask) === 0
    ) {
      this.deliverPending();
    }
  }

  // ---- what the OS does for ConfigureInterrupts and Reset ----

  /**
   * Grants min(numRequested, table size) vectors the way an OS interrupt controller does:
   * programs address/data of those entries, unmasks them, masks the rest, sets MSI-X Enable,
   * then sends what was pending.
   */
  grant(numRequested: number): void {
    this.granted = Math.min(numRequested, this.vectors);
    for (let v = 0; v < this.vectors; v++) {
      const granted = v < this.granted;
      this.table[v * 4] = granted ? GRANTED_ADDRESS : 0;
      this.table[v * 4 + 1] = 0;
      this.table[v * 4 + 2] = granted ? GRANTED_DATA_BASE + v : 0;
      this.table[v * 4 + 3] = granted ? 0 : kMSIXVectorControlMask;
    }
    this.config.setMsixControl(this.config.msixControl() | kMSIXControlEnable);
    this.deliverPending();
  }

  /** Messages the function had signalled are lost in a function reset. */
  dropPending(): void {
    this.pending.fill(0);
  }

  // ---- interrupt sources (IOInterruptDispatchSource::Create / Cancel) ----

  /** One source per vector; index ≥ table size → kIOReturnBadArgument, taken → kIOReturnExclusiveAccess. */
  register(index: number, source: IOInterruptDispatchSource): IOReturn {
    if (!Number.isInteger(index) || index < 0 || index >= this.vectors) return kIOReturnBadArgument;
    if (this.sources[index] !== null) return kIOReturnExclusiveAccess;
    this.sources[index] = source;
    return kIOReturnSuccess;
  }

  unregister(index: number, source: IOInterruptDispatchSource): void {
    if (index >= 0 && index < this.vectors && this.sources[index] === source) this.sources[index] = null;
  }

  /** The source registered for `vector`, or null. */
  sourceFor(vector: number): IOInterruptDispatchSource | null {
    return vector >= 0 && vector < this.vectors ? (this.sources[vector] ?? null) : null;
  }

  isPending(vector: number): boolean {
    return vector >= 0 && vector < this.vectors && (this.pending[vector >>> 5] & (1 << (vector & 31))) !== 0;
  }

  // ---- delivery ----

  /** A message from the function on `vector` (already checked to be a valid vector). */
  signal(vector: number): void {
    if (this.deliverable(vector)) {
      this.deliver(vector);
    } else {
      this.pending[vector >>> 5] |= 1 << (vector & 31);
      this.stats.msixDeferred++;
    }
  }

  /** Sends every pending message whose vector became deliverable (after an unmask or enable). */
  deliverPending(): void {
    for (let w = 0; w < this.pending.length; w++) {
      if (this.pending[w] === 0) continue;
      for (let b = 0; b < 32; b++) {
        const v = w * 32 + b;
        if ((this.pending[w] & (1 << b)) === 0 || !this.deliverable(v)) continue;
        this.pending[w] &= ~(1 << b);
        this.deliver(v);
      }
    }
  }

  private deliverable(vector: number): boolean {
    const control = this.config.msixControl();
    return (
      (control & kMSIXControlEnable) !== 0 &&
      (control & kMSIXControlFunctionMask) === 0 &&
      (this.table[vector * 4 + 3] & kMSIXVectorControlMask) === 0
    );
  }

  private deliver(vector: number): void {
    const source = this.sources[vector];
    if (source === null) {
      this.stats.msixUnclaimed++;
      return;
    }
    this.stats.msixDelivered++;
    source.interruptAsserted(this.scheduler.now);
  }

  /** MSI-X table after reset: every vector masked, address and data zero (PCIe 3.0 §7.7). */
  private resetTable(): void {
    this.table.fill(0);
    for (let v = 0; v < this.vectors; v++) this.table[v * 4 + 3] = kMSIXVectorControlMask;
    this.pending.fill(0);
  }
}
