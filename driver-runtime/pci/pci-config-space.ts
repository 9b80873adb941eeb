/**
 * Configuration-space emulation for one function, as QEMU's pci.c keeps it apart from the
 * device: the 4 KiB of registers with per-byte write masks (`wmask`) and write-one-to-clear
 * masks (`w1cmask`), BAR sizing and decoding, and the capability list (MSI-X → PCI Express).
 * It knows nothing of sessions or interrupts: IOPCIDevice checks access rights and reacts to
 * changes (command tracing, MSI-X enable), `MsixController` reads MSI-X Message Control here.
 */
import {
  kIOPCICapabilityIDMSIX,
  kIOPCICapabilityIDPCIExpress,
  kIOPCICommandBusMaster,
  kIOPCICommandInterruptDisable,
  kIOPCICommandIOSpace,
  kIOPCICommandMemorySpace,
  kIOPCIConfigSpaceSize,
  kIOPCIConfigurationOffsetBaseAddress0,
  kIOPCIConfigurationOffsetCacheLineSize,
  kIOPCIConfigurationOffsetCapabilitiesPtr,
  kIOPCIConfigurationOffsetClassCode,
  kIOPCIConfigurationOffsetCommand,
  kIOPCIConfigurationOffsetDeviceID,
  kIOPCIConfigurationOffsetHeaderType,
  kIOPCIConfigurationOffsetInterruptLine,
  kIOPCIConfigurationOffsetInterruptPin,
  kIOPCIConfigurationOffsetRevisionID,
  kIOPCIConfigurationOffsetStatus,
  kIOPCIConfigurationOffsetSubSystemID,
  kIOPCIConfigurationOffsetSubSystemVendorID,
  kIOPCIConfigurationOffsetVendorID,
  kIOPCIStatusCapabilitiesList,
  kMSIXControlEnable,
  kMSIXControlFunctionMask,
  kMSIXControlTableSizeMask,
} from './pci-constants.ts';
import {
  kPCIBARTypeIO,
  kPCIBARTypeM32,
  kPCIBARTypeM32PF,
  kPCIBARTypeM64,
  kPCIBARTypeM64PF,
  type PciBarDescription,
  type PciFunctionIdentity,
} from './pci-function.ts';

/** Where the capabilities sit (the I210 puts MSI-X at 0x70 and PCIe at 0xA0). */
const MSIX_CAP_OFFSET = 0x70;
const PCIE_CAP_OFFSET = 0xa0;
const EXTENDED_CAP_START = 0x100;
/** Longest capability chain we walk; a corrupt list must not loop forever. */
const MAX_CAP_WALK = 48;

/**
 * OURS: where our "firmware" assigns apertures. Any aligned addresses do; the driver never
 * needs them, config reads show them.
 */
const MEMORY_WINDOW_BASE = 0xc000_0000;
const IO_WINDOW_BASE = 0x1000;

/** What a memory index is served by: the function's registers, or the MSI-X table/PBA. */
export const RANGE_FUNCTION = 0;
export const RANGE_MSIX = 1;

/** MSI-X table placement, decided by `MsixController.layoutFor`. */
export interface MsixLayout {
  vectors: number;
  /** BAR holding the table (offset 0) and the PBA (at `pbaOffset`). */
  bar: number;
  pbaOffset: number;
}

export class PciConfigSpace {
  readonly bytes = new Uint8Array(kIOPCIConfigSpaceSize);
  readonly view = new DataView(this.bytes.buffer);
  private readonly wmask = new Uint8Array(kIOPCIConfigSpaceSize);
  private readonly w1cmask = new Uint8Array(kIOPCIConfigSpaceSize);

  // Memory ranges ("the array of ranges assigned to the device"), structure of arrays so the
  // MMIO hot path reads typed arrays only. Index = memory index = implemented BARs in order.
  readonly rangeCount: number;
  readonly rangeBar: Int8Array;
  readonly rangeSize: Float64Array;
  readonly rangeKind: Uint8Array;
  readonly rangeIsIO: Uint8Array;
  /** Assigned base address (what the OS mapped); the range answers only while the BAR holds it. */
  private readonly rangeAddress: Float64Array;
  /** 1 while the BAR decodes its assigned address. */
  readonly rangeDecodes: Uint8Array;
  /** BAR number → memory index, −1 when the BAR is absent or the upper half of a 64-bit BAR. */
  readonly barToRange = new Int8Array(6).fill(-1);

  /** `bars` must come from `validateBars` (sorted by BAR number). */
  constructor(identity: PciFunctionIdentity, bars: readonly PciBarDescription[], msix: MsixLayout) {
    const n = bars.length;
    this.rangeCount = n;
    this.rangeBar = new Int8Array(n);
    this.rangeSize = new Float64Array(n);
    this.rangeKind = new Uint8Array(n);
    this.rangeIsIO = new Uint8Array(n);
    this.rangeAddress = new Float64Array(n);
    this.rangeDecodes = new Uint8Array(n).fill(1);
    this.buildHeader(identity);
    this.buildBars(bars, msix);
    this.buildCapabilities(msix);
  }

  /**
   * Checks a function's BAR layout and returns it sorted by BAR number. A bad identity is a
   * host programming error, so it throws.
   */
  static validateBars(identity: PciFunctionIdentity): PciBarDescription[] {
    const bars = [...identity.bars].sort((a, b) => a.bar - b.bar);
    const used = new Set<number>();
    for (const b of bars) {
      const is64 = b.type === kPCIBARTypeM64 || b.type === kPCIBARTypeM64PF;
      const minSize = b.type === kPCIBARTypeIO ? 4 : 16;
      const maxSize = b.type === kPCIBARTypeIO ? 256 : is64 ? 2 ** 40 : 2 ** 31;
      if (!Number.isInteger(b.bar) || b.bar < 0 || b.bar > (is64 ? 4 : 5))
        throw new Error(`IOPCIDevice: bad BAR number ${b.bar}`);
      if (b.type < kPCIBARTypeIO || b.type > kPCIBARTypeM64PF)
        throw new Error(`IOPCIDevice: BAR${b.bar} has unknown type ${b.type}`);
      if (!isPowerOfTwo(b.size) || b.size < minSize || b.size > maxSize) {
        throw new Error(
          `IOPCIDevice: BAR${b.bar} size ${b.size} is not a power of two in [${minSize}, ${maxSize}]`,
        );
      }
      for (const n of is64 ? [b.bar, b.bar + 1] : [b.bar]) {
        if (used.has(n)) throw new Error(`IOPCIDevice: BAR${n} described twice`);
        used.add(n);
      }
    }
    return bars;
  }

  get command(): number {
    return this.view.getUint16(kIOPCIConfigurationOffsetCommand, true);
  }

  /** OS-side write that bypasses the masks (IOPCIFamily clearing enables on Close). */
  clearCommandBits(bits: number): void {
    this.view.setUint16(kIOPCIConfigurationOffsetCommand, this.command & ~bits, true);
  }

  /**
   * A configuration write of `width` bytes at aligned `at`: writable bits take the new value,
   * write-one-to-clear bits clear where a 1 is written, the rest stay. A BAR write re-decides
   * which ranges still decode.
   */
  write(at: number, data: number, width: number): void {
    for (let i = 0; i < width; i++) {
      const a = at + i;
      const byte = (data >>> (8 * i)) & 0xff;
      const w = this.wmask[a];
      this.bytes[a] = ((this.bytes[a] & ~w) | (byte & w)) & ~(byte & this.w1cmask[a]);
    }
    if (at < kIOPCIConfigurationOffsetBaseAddress0 + 24 && at + width > kIOPCIConfigurationOffsetBaseAddress0)
      this.updateDecoding();
  }

  msixControl(): number {
    return this.view.getUint16(MSIX_CAP_OFFSET + 2, true);
  }

  /** OS-side write of MSI-X Message Control (ConfigureInterrupts sets Enable). */
  setMsixControl(value: number): void {
    this.view.setUint16(MSIX_CAP_OFFSET + 2, value, true);
  }

  /** The kPCIBARType* a range decodes as, read back from its BAR's low type bits. */
  barTypeOf(range: number): number {
    const low = this.bytes[kIOPCIConfigurationOffsetBaseAddress0 + this.rangeBar[range] * 4];
    if (low & 1) return kPCIBARTypeIO;
    const is64 = (low & 0x6) === 0x4;
    const prefetchable = (low & 0x8) !== 0;
    if (is64) return prefetchable ? kPCIBARTypeM64PF : kPCIBARTypeM64;
    return prefetchable ? kPCIBARTypeM32PF : kPCIBARTypeM32;
  }

  /**
   * Walks the capability list for `capabilityID` (negated: the extended list from 0x100).
   * `searchOffset` 0 starts at the list head; otherwise the walk continues after the
   * capability at `searchOffset`. Returns the offset found, or 0.
   */
  findCapability(capabilityID: number, searchOffset: number): number {
    const extended = capabilityID < 0;
    const wanted = extended ? -capabilityID : capabilityID;
    let at = this.capabilitySearchStart(extended, searchOffset);
    if (at < 0) return 0;
    for (let i = 0; i < MAX_CAP_WALK && at !== 0; i++) {
      if (extended) {
        if (at < EXTENDED_CAP_START || at > kIOPCIConfigSpaceSize - 4) break;
        const header = this.view.getUint32(at & ~3, true);
        if (header === 0) break;
        if ((header & 0xffff) === wanted) return at & ~3;
        at = header >>> 20;
      } else {
        at &= 0xfc;
        if (at < 0x40) break;
        if (this.bytes[at] === wanted) return at;
        at = this.bytes[at + 1];
      }
    }
    return 0;
  }

  /** Where a capability walk starts: the list head, or the next pointer of `searchOffset`; −1 if invalid. */
  private capabilitySearchStart(extended: boolean, searchOffset: number): number {
    if (extended) {
      if (searchOffset === 0) return EXTENDED_CAP_START;
      if (searchOffset < EXTENDED_CAP_START || searchOffset > kIOPCIConfigSpaceSize - 4) return -1;
      return this.view.getUint32(searchOffset & ~3, true) >>> 20;
    }
    const status = this.view.getUint16(kIOPCIConfigurationOffsetStatus, true);
    if ((status & kIOPCIStatusCapabilitiesList) === 0) return -1;
    if (searchOffset === 0) return this.bytes[kIOPCIConfigurationOffsetCapabilitiesPtr];
    if (searchOffset < 0x40 || searchOffset > 0xfe) return -1;
    return this.bytes[searchOffset + 1];
  }

  /** A range answers only while its BAR holds the address the OS assigned and mapped. */
  private updateDecoding(): void {
    for (let r = 0; r < this.rangeCount; r++) {
      const reg = kIOPCIConfigurationOffsetBaseAddress0 + this.rangeBar[r] * 4;
      const lowMask = this.rangeIsIO[r] ? 0xffff_fffc : 0xffff_fff0;
      let address = (this.view.getUint32(reg, true) & lowMask) >>> 0;
      const type = this.barTypeOf(r);
      if (type === kPCIBARTypeM64 || type === kPCIBARTypeM64PF)
        address += this.view.getUint32(reg + 4, true) * 2 ** 32;
      this.rangeDecodes[r] = address === this.rangeAddress[r] ? 1 : 0;
    }
  }

  private buildHeader(id: PciFunctionIdentity): void {
    const v = this.view;
    v.setUint16(kIOPCIConfigurationOffsetVendorID, id.vendorId, true);
    v.setUint16(kIOPCIConfigurationOffsetDeviceID, id.deviceId, true);
    // Command starts at 0: the driver must enable memory space and bus mastering itself (§5.1).
    v.setUint16(kIOPCIConfigurationOffsetCommand, 0, true);
    // Writable: I/O, memory, bus master, parity error response (6), SERR# (8), INTx disable.
    const commandWritable =
      kIOPCICommandIOSpace |
      kIOPCICommandMemorySpace |
      kIOPCICommandBusMaster |
      0x0040 |
      0x0100 |
      kIOPCICommandInterruptDisable;
    this.setWmask(kIOPCIConfigurationOffsetCommand, 2, commandWritable);
    v.setUint16(kIOPCIConfigurationOffsetStatus, kIOPCIStatusCapabilitiesList, true);
    // Error bits are write-one-to-clear (parity, aborts, SERR); nothing sets them yet.
    this.setW1cmask(kIOPCIConfigurationOffsetStatus, 2, 0xf900);
    this.bytes[kIOPCIConfigurationOffsetRevisionID] = id.revisionId & 0xff;
    this.bytes[kIOPCIConfigurationOffsetClassCode] = id.classCode & 0xff;
    this.bytes[kIOPCIConfigurationOffsetClassCode + 1] = (id.classCode >>> 8) & 0xff;
    this.bytes[kIOPCIConfigurationOffsetClassCode + 2] = (id.classCode >>> 16) & 0xff;
    this.wmask[kIOPCIConfigurationOffsetCacheLineSize] = 0xff;
    this.bytes[kIOPCIConfigurationOffsetHeaderType] = 0x00;
    v.setUint16(kIOPCIConfigurationOffsetSubSystemVendorID, id.subsystemVendorId, true);
    v.setUint16(kIOPCIConfigurationOffsetSubSystemID, id.subsystemId, true);
    this.wmask[kIOPCIConfigurationOffsetInterruptLine] = 0xff;
    this.bytes[kIOPCIConfigurationOffsetInterruptPin] = 0x01;
  }

  /**
   * BARs: the writable bits are the address bits above the size, so writing all-ones and
   * reading back gives ~(size − 1) | type bits — the standard size probe.
   */
  private buildBars(bars: readonly PciBarDescription[], msix: MsixLayout): void {
    const v = this.view;
    let memoryNext = MEMORY_WINDOW_BASE;
    let ioNext = IO_WINDOW_BASE;
    bars.forEach((b, r) => {
      const reg = kIOPCIConfigurationOffsetBaseAddress0 + b.bar * 4;
      const isIO = b.type === kPCIBARTypeIO;
      const is64 = b.type === kPCIBARTypeM64 || b.type === kPCIBARTypeM64PF;
      const prefetchable = b.type === kPCIBARTypeM32PF || b.type === kPCIBARTypeM64PF;
      let address: number;
      if (isIO) {
        address = alignUp(ioNext, b.size);
        ioNext = address + b.size;
      } else {
        address = alignUp(memoryNext, b.size);
        memoryNext = address + b.size;
      }
      const typeBits = isIO ? 0x1 : (is64 ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
      const lowSizeMask = isIO ? 0xffff_fffc : 0xffff_fff0;
      v.setUint32(reg, ((address % 2 ** 32) & lowSizeMask) | typeBits, true);
      this.setWmask(reg, 4, ((b.size >= 2 ** 32 ? 0 : ~(b.size - 1)) & lowSizeMask) >>> 0);
      if (is64) {
        v.setUint32(reg + 4, Math.floor(address / 2 ** 32), true);
        this.setWmask(reg + 4, 4, b.size > 2 ** 32 ? ~(b.size / 2 ** 32 - 1) >>> 0 : 0xffff_ffff);
      }
      this.barToRange[b.bar] = r;
      this.rangeBar[r] = b.bar;
      this.rangeSize[r] = b.size;
      this.rangeIsIO[r] = isIO ? 1 : 0;
      this.rangeKind[r] = msix.vectors > 0 && b.bar === msix.bar ? RANGE_MSIX : RANGE_FUNCTION;
      this.rangeAddress[r] = address;
    });
  }

  /**
   * Capability list: MSI-X (if any) → PCI Express; no extended capabilities.
   * OURS: a real I210 also lists Power Management and MSI before MSI-X; we model only what
   * the driver uses.
   */
  private buildCapabilities(msix: MsixLayout): void {
    const v = this.view;
    this.bytes[kIOPCIConfigurationOffsetCapabilitiesPtr] =
      msix.vectors > 0 ? MSIX_CAP_OFFSET : PCIE_CAP_OFFSET;
    if (msix.vectors > 0) {
      this.bytes[MSIX_CAP_OFFSET] = kIOPCICapabilityIDMSIX;
      this.bytes[MSIX_CAP_OFFSET + 1] = PCIE_CAP_OFFSET;
      v.setUint16(MSIX_CAP_OFFSET + 2, (msix.vectors - 1) & kMSIXControlTableSizeMask, true);
      this.setWmask(MSIX_CAP_OFFSET + 2, 2, kMSIXControlEnable | kMSIXControlFunctionMask);
      // Table Offset/BIR and PBA Offset/BIR: BAR number in bits 2:0, offset above.
      v.setUint32(MSIX_CAP_OFFSET + 4, 0 | msix.bar, true);
      v.setUint32(MSIX_CAP_OFFSET + 8, msix.pbaOffset | msix.bar, true);
    }
    // OURS: a PCI Express capability v2, endpoint, that looks like a x1 gigabit NIC (link 5 GT/s
    // x1, max payload 256 B, writable control bits). The values were not checked against the
    // I210 datasheet; nothing in the driver reads them.
    this.bytes[PCIE_CAP_OFFSET] = kIOPCICapabilityIDPCIExpress;
    this.bytes[PCIE_CAP_OFFSET + 1] = 0;
    v.setUint16(PCIE_CAP_OFFSET + 0x02, 0x0002, true);
    v.setUint32(PCIE_CAP_OFFSET + 0x04, 0x0000_0001, true); // Max payload 256 B.
    this.setWmask(PCIE_CAP_OFFSET + 0x08, 2, 0x7fff); // Device Control (no FLR bit: Reset is the way).
    this.setW1cmask(PCIE_CAP_OFFSET + 0x0a, 2, 0x000f); // Device Status error bits.
    v.setUint32(PCIE_CAP_OFFSET + 0x0c, 0x0000_0012, true); // Link Capabilities: 5 GT/s, x1.
    this.setWmask(PCIE_CAP_OFFSET + 0x10, 2, 0x00cb); // Link Control: ASPM, RCB, clocks.
    v.setUint16(PCIE_CAP_OFFSET + 0x12, 0x0012, true); // Link Status: 5 GT/s, x1.
    // Extended space (0x100): no extended capabilities; a zero header ends the list.
  }

  private setWmask(at: number, width: number, mask: number): void {
    for (let i = 0; i < width; i++) this.wmask[at + i] = (mask >>> (8 * i)) & 0xff;
  }

  private setW1cmask(at: number, width: number, mask: number): void {
    for (let i = 0; i < width; i++) this.w1cmask[at + i] = (mask >>> (8 * i)) & 0xff;
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function alignUp(x: number, align: number): number {
  return Math.ceil(x / align) * align;
}
