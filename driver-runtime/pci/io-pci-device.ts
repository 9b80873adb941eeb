/**
 * IOPCIDevice: the PCIDriverKit provider a PCI dext opens (driverkit.md §5.1). It owns the
 * function's configuration space, serves BAR apertures by forwarding to the simulated
 * `PciFunction`, and is the MSI-X "interrupt controller": the function signals a vector
 * through its `PciBusPort`, and this class applies MSI-X Enable, Function Mask and the
 * per-vector masks before handing the message to the `IOInterruptDispatchSource` of that
 * vector. The split follows QEMU (igb.c + pci.c + msix.c on the bus side, igb_core.c in the
 * function).
 *
 * Behaviour taken from Apple's IOPCIFamily (the kernel side of PCIDriverKit):
 * - configuration and aperture accessors fail unless a session is open (`_MemoryAccess`
 *   returns kIOReturnNotOpen, and the dext library turns a failed read into all-ones);
 *   GetBARInfo, FindPCICapability, GetBusDeviceFunction and ConfigureInterrupts need none;
 * - `Close` clears Bus Master Enable and Memory Space Enable (`handleClose`);
 * - `FindPCICapability` with a non-zero `searchOffset` continues after that capability.
 */
import { IOService } from '../kit/io-service.ts';
import {
  kIOReturnBadArgument,
  kIOReturnExclusiveAccess,
  kIOReturnNoDevice,
  kIOReturnNoResources,
  kIOReturnNotFound,
  kIOReturnNotOpen,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../kit/io-return.ts';
import type { Out } from '../kit/os-object.ts';
import type { DextRuntime } from '../kit/runtime.ts';
import type { IOInterruptDispatchSource, InterruptProvider } from '../kit/interrupt-source.ts';
import {
  kPCIBARTypeIO,
  kPCIBARTypeM32,
  kPCIBARTypeM32PF,
  kPCIBARTypeM64,
  kPCIBARTypeM64PF,
  type PciBusPort,
  type PciFunction,
} from './pci-function.ts';

// ---- Configuration space layout (PCI Local Bus 3.0 §6.1; names as in IOPCIFamilyDefinitions.h) ----

export const kIOPCIConfigurationOffsetVendorID = 0x00;
export const kIOPCIConfigurationOffsetDeviceID = 0x02;
export const kIOPCIConfigurationOffsetCommand = 0x04;
export const kIOPCIConfigurationOffsetStatus = 0x06;
export const kIOPCIConfigurationOffsetRevisionID = 0x08;
export const kIOPCIConfigurationOffsetClassCode = 0x09;
export const kIOPCIConfigurationOffsetCacheLineSize = 0x0c;
export const kIOPCIConfigurationOffsetHeaderType = 0x0e;
export const kIOPCIConfigurationOffsetBaseAddress0 = 0x10;
export const kIOPCIConfigurationOffsetSubSystemVendorID = 0x2c;
export const kIOPCIConfigurationOffsetSubSystemID = 0x2e;
export const kIOPCIConfigurationOffsetExpansionROMBase = 0x30;
export const kIOPCIConfigurationOffsetCapabilitiesPtr = 0x34;
export const kIOPCIConfigurationOffsetInterruptLine = 0x3c;
export const kIOPCIConfigurationOffsetInterruptPin = 0x3d;

/** Size of PCIe configuration space (extended space included). */
export const kIOPCIConfigSpaceSize = 4096;

export const kIOPCICommandIOSpace = 0x0001;
export const kIOPCICommandMemorySpace = 0x0002;
export const kIOPCICommandBusMaster = 0x0004;
export const kIOPCICommandInterruptDisable = 0x0400;

export const kIOPCIStatusCapabilitiesList = 0x0010;

export const kIOPCICapabilityIDPowerManagement = 0x01;
export const kIOPCICapabilityIDMSI = 0x05;
export const kIOPCICapabilityIDPCIExpress = 0x10;
export const kIOPCICapabilityIDMSIX = 0x11;

/** MSI-X Message Control (capability + 2): table size − 1 in bits 10:0. */
export const kMSIXControlTableSizeMask = 0x07ff;
export const kMSIXControlFunctionMask = 0x4000;
export const kMSIXControlEnable = 0x8000;
/** MSI-X table entry: 16 bytes = address lo, address hi, data, vector control. */
export const kMSIXTableEntrySize = 16;
export const kMSIXVectorControlMask = 0x1;

/** Interrupt types for ConfigureInterrupts (IOKit/IOInterrupts.h; public dexts use these values). */
export const kIOInterruptTypeEdge = 0x00000000;
export const kIOInterruptTypeLevel = 0x00000001;
export const kIOInterruptTypePCIMessaged = 0x00010000;
export const kIOInterruptTypePCIMessagedX = 0x00020000;

/** Where the capabilities sit (the I210 puts MSI-X at 0x70 and PCIe at 0xA0). */
const MSIX_CAP_OFFSET = 0x70;
const PCIE_CAP_OFFSET = 0xa0;
const EXTENDED_CAP_START = 0x100;
/** Longest capability chain we walk; a corrupt list must not loop forever. */
const MAX_CAP_WALK = 48;

/** Where the "firmware" assigns apertures; the driver never needs these, config reads show them. */
const MEMORY_WINDOW_BASE = 0xc000_0000;
const IO_WINDOW_BASE = 0x1000;

/** What a memory index is served by. */
const RANGE_FUNCTION = 0;
const RANGE_MSIX = 1;

const ALL_ONES_32 = 0xffff_ffff;
const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn;

/** Bus/device/function of the function on its bus. */
export interface PciLocation {
  bus: number;
  device: number;
  function: number;
}

/** Counters the host and tests can read (not DriverKit API). */
export interface IOPCIDeviceStats {
  /** MMIO or config accesses that failed (all-ones read or dropped write). */
  accessErrors: number;
  /** MSI-X messages handed to an interrupt source. */
  msixDelivered: number;
  /** MSI-X messages held in the PBA because the vector or function was masked or MSI-X off. */
  msixDeferred: number;
  /** MSI-X messages delivered with no source registered for the vector (lost). */
  msixUnclaimed: number;
  /** Function-level resets performed through Reset. */
  resets: number;
}

export class IOPCIDevice extends IOService implements InterruptProvider {
  readonly fn: PciFunction;
  readonly location: Readonly<PciLocation>;
  readonly stats: IOPCIDeviceStats = {
    accessErrors: 0,
    msixDelivered: 0,
    msixDeferred: 0,
    msixUnclaimed: 0,
    resets: 0,
  };

  // Configuration space with QEMU-style per-byte masks: `wmask` bits are writable,
  // `w1cmask` bits are write-one-to-clear; everything else is read-only.
  private readonly config = new Uint8Array(kIOPCIConfigSpaceSize);
  private readonly configView = new DataView(this.config.buffer);
  private readonly wmask = new Uint8Array(kIOPCIConfigSpaceSize);
  private readonly w1cmask = new Uint8Array(kIOPCIConfigSpaceSize);

  // Memory ranges ("the array of ranges assigned to the device"), structure of arrays so the
  // MMIO hot path reads typed arrays only. Index = memory index.
  private readonly rangeCount: number;
  private readonly rangeBar: Int8Array;
  private readonly rangeSize: Float64Array;
  private readonly rangeKind: Uint8Array;
  private readonly rangeIsIO: Uint8Array;
  /** Assigned base address (what the OS mapped); the range answers only while the BAR holds it. */
  private readonly rangeAddress: Float64Array;
  private readonly rangeDecodes: Uint8Array;
  /** BAR number → memory index, −1 when the BAR is absent or the upper half of a 64-bit BAR. */
  private readonly barToRange = new Int8Array(6).fill(-1);

  // MSI-X state: the table and pending bits live here (IOPCIDevice serves the table BAR).
  private readonly msixVectors: number;
  private readonly msixTable: Uint32Array;
  private readonly msixPending: Uint32Array;
  private readonly msixPbaOffset: number;
  private readonly sources: (IOInterruptDispatchSource | null)[];
  private grantedVectors = 0;

  private client: IOService | null = null;
  private readonly bus: PciBusPort;

  private constructor(runtime: DextRuntime, fn: PciFunction, location: PciLocation) {
    super(runtime);
    this.fn = fn;
    this.location = { bus: location.bus, device: location.device, function: location.function };
    const id = fn.identity;

    // --- BAR layout (validated: a bad identity is a host programming error, so it throws) ---
    const bars = [...id.bars].sort((a, b) => a.bar - b.bar);
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

    this.msixVectors = id.msixVectors;
    if (!Number.isInteger(this.msixVectors) || this.msixVectors < 0 || this.msixVectors > 2048) {
      throw new Error(`IOPCIDevice: MSI-X table size ${id.msixVectors} not in 0..2048`);
    }
    const msixBar = id.msixTableBar ?? 3;
    const msixDesc = bars.find((b) => b.bar === msixBar);
    if (this.msixVectors > 0) {
      if (!msixDesc || msixDesc.type === kPCIBARTypeIO)
        throw new Error(`IOPCIDevice: MSI-X table BAR${msixBar} is not a memory BAR`);
      // Table in the first half, PBA at the second half (I210: 16 KiB BAR, PBA at 0x2000).
      const pbaBytes = Math.ceil(this.msixVectors / 64) * 8;
      if (this.msixVectors * kMSIXTableEntrySize > msixDesc.size / 2 || pbaBytes > msixDesc.size / 2) {
        throw new Error(
          `IOPCIDevice: BAR${msixBar} (${msixDesc.size} bytes) is too small for ${this.msixVectors} MSI-X vectors`,
        );
      }
    }
    this.msixPbaOffset = msixDesc ? msixDesc.size / 2 : 0;
    this.msixTable = new Uint32Array(this.msixVectors * 4);
    this.msixPending = new Uint32Array(Math.ceil(this.msixVectors / 32));
    this.sources = new Array<IOInterruptDispatchSource | null>(this.msixVectors).fill(null);

    this.rangeCount = bars.length;
    this.rangeBar = new Int8Array(bars.length);
    this.rangeSize = new Float64Array(bars.length);
    this.rangeKind = new Uint8Array(bars.length);
    this.rangeIsIO = new Uint8Array(bars.length);
    this.rangeAddress = new Float64Array(bars.length);
    this.rangeDecodes = new Uint8Array(bars.length).fill(1);

    this.buildConfigSpace(bars, msixBar);
    this.resetMsixTable();

    // Made once; arrow functions keep `this`, and calling them allocates nothing.
    this.bus = {
      scheduler: runtime.scheduler,
      memory: runtime.memory,
      tracer: runtime.tracer,
      busMasterEnabled: () => this.busMasterEnabled(),
      signalMsix: (vector: number) => this.signalMsix(vector),
    };
  }

  /**
   * Host side (the simulated machine, not the dext): puts `fn` on the bus, builds its
   * configuration space from `fn.identity`, assigns apertures and attaches the function.
   */
  static createFor(
    runtime: DextRuntime,
    fn: PciFunction,
    location: PciLocation = { bus: 0, device: 0, function: 0 },
  ): IOPCIDevice {
    const device = new IOPCIDevice(runtime, fn, location);
    fn.attach(device.bus);
    return device;
  }

  // ---------------------------------------------------------------------------------------
  // Session management
  // ---------------------------------------------------------------------------------------

  /**
   * Exclusive session. Re-opening by the client that holds the session succeeds (IOService
   * `handleOpen` semantics); any other client gets kIOReturnExclusiveAccess. The client is
   * not retained: it holds the device, and a back reference would make a cycle.
   */
  Open(forClient: IOService, _options: number): IOReturn {
    if (this.client !== null) return this.client === forClient ? kIOReturnSuccess : kIOReturnExclusiveAccess;
    this.client = forClient;
    return kIOReturnSuccess;
  }

  /**
   * Ends the session and clears Bus Master Enable and Memory Space Enable, as IOPCIFamily's
   * `handleClose` does, so a closed (or crashed) dext leaves a device that can neither DMA nor
   * be reached. A Close from a client that does not hold the session is ignored.
   */
  Close(forClient: IOService, _options: number): void {
    if (this.client === null || this.client !== forClient) return;
    const command = this.configView.getUint16(kIOPCIConfigurationOffsetCommand, true);
    this.configView.setUint16(
      kIOPCIConfigurationOffsetCommand,
      command & ~(kIOPCICommandBusMaster | kIOPCICommandMemorySpace),
      true,
    );
    this.client = null;
  }

  /** Whether a client holds the session (not DriverKit API; for the host and tests). */
  get isOpen(): boolean {
    return this.client !== null;
  }

  // ---------------------------------------------------------------------------------------
  // Configuration space
  //
  // Offsets: the header comment says "bits 0-1 are ignored" for every width, but the kernel
  // side (IOPCIFamily `_MemoryAccess`) passes the full offset to extendedConfigRead16/8,
  // which select the byte lane like the classic CF8/CFC mechanism. We model that: a 32-bit
  // access ignores bits 0-1, a 16-bit access ignores bit 0, an 8-bit access uses every bit.
  // So ConfigurationRead16(kIOPCIConfigurationOffsetDeviceID) returns the device ID, and
  // ConfigurationRead32(0x03) reads the dword at 0x00.
  //
  // Errors (session not open, offset outside the 4 KiB space, function removed): reads
  // return all-ones of the access width, writes are dropped.
  // ---------------------------------------------------------------------------------------

  ConfigurationRead32(offset: number, value: Out<number>): void {
    const at = this.configOffset(offset, 4);
    value.value = at < 0 ? ALL_ONES_32 : this.configView.getUint32(at, true);
  }

  ConfigurationRead16(offset: number, value: Out<number>): void {
    const at = this.configOffset(offset, 2);
    value.value = at < 0 ? 0xffff : this.configView.getUint16(at, true);
  }

  ConfigurationRead8(offset: number, value: Out<number>): void {
    const at = this.configOffset(offset, 1);
    value.value = at < 0 ? 0xff : this.config[at];
  }

  ConfigurationWrite32(offset: number, data: number): void {
    const at = this.configOffset(offset, 4);
    if (at >= 0) this.configWrite(at, data >>> 0, 4);
  }

  ConfigurationWrite16(offset: number, data: number): void {
    const at = this.configOffset(offset, 2);
    if (at >= 0) this.configWrite(at, data & 0xffff, 2);
  }

  ConfigurationWrite8(offset: number, data: number): void {
    const at = this.configOffset(offset, 1);
    if (at >= 0) this.configWrite(at, data & 0xff, 1);
  }

  // ---------------------------------------------------------------------------------------
  // Apertures (MMIO)
  //
  // `memoryIndex` indexes the ranges assigned to the device (implemented BARs in BAR order),
  // not the BAR number: use GetBARInfo to translate. Accesses must be naturally aligned.
  // A read returns all-ones of its width, and a write is dropped, when: no session is open,
  // Memory Space Enable is clear (I/O Space Enable for an I/O BAR), the index or offset is out
  // of range or misaligned, the BAR no longer holds the address the OS assigned (e.g. left
  // all-ones after size probing), or the function was surprise-removed.
  //
  // The function's registers are 32-bit only (QEMU igb: min = max access size 4):
  // - 64-bit = two 32-bit accesses, low dword then high dword (checked as a whole first, so
  //   an access is never half done); values are bigint because all-ones does not fit a double;
  // - an 8/16-bit read reads the containing dword and extracts the lane (so it has the side
  //   effects of a 32-bit read, e.g. a read-to-clear register is cleared);
  // - an 8/16-bit write is a 32-bit write of the value shifted into its lane with the other
  //   bytes zero (a dword-only device ignores byte enables).
  // The MSI-X table BAR is served here and honours byte lanes.
  // MemoryRead32/MemoryWrite32 are the driver's hot path: they allocate nothing.
  // ---------------------------------------------------------------------------------------

  MemoryRead64(memoryIndex: number, offset: number, value: Out<bigint>): void {
    if (!this.apertureOk(memoryIndex, offset, 8)) {
      value.value = ALL_ONES_64;
      return;
    }
    const lo = this.apertureRead32(memoryIndex, offset);
    const hi = this.apertureRead32(memoryIndex, offset + 4);
    value.value = (BigInt(hi) << 32n) | BigInt(lo);
  }

  MemoryRead32(memoryIndex: number, offset: number, value: Out<number>): void {
    value.value = this.apertureOk(memoryIndex, offset, 4)
      ? this.apertureRead32(memoryIndex, offset)
      : ALL_ONES_32;
  }

  MemoryRead16(memoryIndex: number, offset: number, value: Out<number>): void {
    if (!this.apertureOk(memoryIndex, offset, 2)) {
      value.value = 0xffff;
      return;
    }
    value.value = (this.apertureRead32(memoryIndex, offset - (offset % 4)) >>> ((offset % 4) * 8)) & 0xffff;
  }

  MemoryRead8(memoryIndex: number, offset: number, value: Out<number>): void {
    if (!this.apertureOk(memoryIndex, offset, 1)) {
      value.value = 0xff;
      return;
    }
    value.value = (this.apertureRead32(memoryIndex, offset - (offset % 4)) >>> ((offset % 4) * 8)) & 0xff;
  }

  MemoryWrite64(memoryIndex: number, offset: number, data: bigint): void {
    if (!this.apertureOk(memoryIndex, offset, 8)) return;
    this.apertureWrite32(memoryIndex, offset, Number(data & 0xffff_ffffn), 0xffff_ffff);
    this.apertureWrite32(memoryIndex, offset + 4, Number((data >> 32n) & 0xffff_ffffn), 0xffff_ffff);
  }

  MemoryWrite32(memoryIndex: number, offset: number, data: number): void {
    if (this.apertureOk(memoryIndex, offset, 4))
      this.apertureWrite32(memoryIndex, offset, data >>> 0, 0xffff_ffff);
  }

  MemoryWrite16(memoryIndex: number, offset: number, data: number): void {
    if (!this.apertureOk(memoryIndex, offset, 2)) return;
    const shift = (offset % 4) * 8;
    this.apertureWrite32(
      memoryIndex,
      offset - (offset % 4),
      ((data & 0xffff) << shift) >>> 0,
      (0xffff << shift) >>> 0,
    );
  }

  MemoryWrite8(memoryIndex: number, offset: number, data: number): void {
    if (!this.apertureOk(memoryIndex, offset, 1)) return;
    const shift = (offset % 4) * 8;
    this.apertureWrite32(
      memoryIndex,
      offset - (offset % 4),
      ((data & 0xff) << shift) >>> 0,
      (0xff << shift) >>> 0,
    );
  }

  /**
   * Translates a BAR number to its memory index, size and kPCIBARType*. An implemented BAR
   * gives kIOReturnSuccess; a BAR number outside 0..5 gives kIOReturnBadArgument; a BAR that
   * is not implemented (or is the upper half of a 64-bit BAR) gives kIOReturnNotFound, so a
   * caller can tell "wrong question" from "no such aperture". Needs no session, like
   * GetBusDeviceFunction: it reads the registry, not the device.
   */
  GetBARInfo(
    barIndex: number,
    memoryIndex: Out<number>,
    barSize: Out<number>,
    barType: Out<number>,
  ): IOReturn {
    if (!Number.isInteger(barIndex) || barIndex < 0 || barIndex > 5) return kIOReturnBadArgument;
    const r = this.barToRange[barIndex];
    if (r < 0) return kIOReturnNotFound;
    memoryIndex.value = r;
    barSize.value = this.rangeSize[r];
    barType.value = this.barTypeOf(r);
    return kIOReturnSuccess;
  }

  // ---------------------------------------------------------------------------------------
  // Capabilities, location, interrupts, reset
  // ---------------------------------------------------------------------------------------

  /**
   * Walks the capability list for `capabilityID` (negated: the extended list from 0x100).
   * `searchOffset` 0 starts at the list head; otherwise the search continues after the
   * capability at `searchOffset`, so passing a found offset back finds the next instance.
   * kIOReturnNotFound (and foundOffset 0) when absent or when the function is gone.
   */
  FindPCICapability(capabilityID: number, searchOffset: number, foundOffset: Out<number>): IOReturn {
    foundOffset.value = 0;
    if (this.fn.removed || !Number.isInteger(capabilityID) || !Number.isInteger(searchOffset))
      return kIOReturnNotFound;
    const extended = capabilityID < 0;
    const wanted = extended ? -capabilityID : capabilityID;
    let at = this.capabilitySearchStart(extended, searchOffset);
    if (at < 0) return kIOReturnNotFound;
    for (let i = 0; i < MAX_CAP_WALK && at !== 0; i++) {
      if (extended) {
        if (at < EXTENDED_CAP_START || at > kIOPCIConfigSpaceSize - 4) break;
        const header = this.configView.getUint32(at & ~3, true);
        if (header === 0) break;
        if ((header & 0xffff) === wanted) {
          foundOffset.value = at & ~3;
          return kIOReturnSuccess;
        }
        at = header >>> 20;
      } else {
        at &= 0xfc;
        if (at < 0x40) break;
        if (this.config[at] === wanted) {
          foundOffset.value = at;
          return kIOReturnSuccess;
        }
        at = this.config[at + 1];
      }
    }
    return kIOReturnNotFound;
  }

  /** Where a capability walk starts: the list head, or the next pointer of `searchOffset`; −1 if invalid. */
  private capabilitySearchStart(extended: boolean, searchOffset: number): number {
    if (extended) {
      if (searchOffset === 0) return EXTENDED_CAP_START;
      if (searchOffset < EXTENDED_CAP_START || searchOffset > kIOPCIConfigSpaceSize - 4) return -1;
      return this.configView.getUint32(searchOffset & ~3, true) >>> 20;
    }
    const status = this.configView.getUint16(kIOPCIConfigurationOffsetStatus, true);
    if ((status & kIOPCIStatusCapabilitiesList) === 0) return -1;
    if (searchOffset === 0) return this.config[kIOPCIConfigurationOffsetCapabilitiesPtr];
    if (searchOffset < 0x40 || searchOffset > 0xfe) return -1;
    return this.config[searchOffset + 1];
  }

  GetBusDeviceFunction(bus: Out<number>, device: Out<number>, fn: Out<number>): IOReturn {
    bus.value = this.location.bus;
    device.value = this.location.device;
    fn.value = this.location.function;
    return kIOReturnSuccess;
  }

  /**
   * Only MSI-X is offered (driverkit.md §5.2: IOPCIDevice supports only MSI sources, and our
   * function has no MSI capability, so kIOInterruptTypePCIMessaged is kIOReturnUnsupported —
   * drivers then fall back, as public dexts do).
   *
   * For kIOInterruptTypePCIMessagedX: numRequired must be 1..numRequested (else
   * kIOReturnBadArgument) and at most the table size (else kIOReturnNoResources). The OS then
   * grants min(numRequested, table size) vectors and does what its interrupt controller
   * does: programs address/data of those entries, unmasks them, and sets MSI-X Enable.
   * Vectors beyond the grant stay masked. Calling it again re-grants.
   */
  ConfigureInterrupts(
    interruptType: number,
    numRequired: number,
    numRequested: number,
    _options: number,
  ): IOReturn {
    if (interruptType !== kIOInterruptTypePCIMessagedX || this.msixVectors === 0) return kIOReturnUnsupported;
    if (this.fn.removed) return kIOReturnNoDevice;
    if (
      !Number.isInteger(numRequired) ||
      !Number.isInteger(numRequested) ||
      numRequired < 1 ||
      numRequired > numRequested
    ) {
      return kIOReturnBadArgument;
    }
    if (numRequired > this.msixVectors) return kIOReturnNoResources;
    this.grantedVectors = Math.min(numRequested, this.msixVectors);
    for (let v = 0; v < this.msixVectors; v++) {
      const granted = v < this.grantedVectors;
      // Address/data are what a host bridge would decode; any distinct values do here.
      this.msixTable[v * 4] = granted ? 0xfee0_0000 : 0;
      this.msixTable[v * 4 + 1] = 0;
      this.msixTable[v * 4 + 2] = granted ? 0x4000 + v : 0;
      this.msixTable[v * 4 + 3] = granted ? 0 : kMSIXVectorControlMask;
    }
    this.setMsixControl(this.msixControl() | kMSIXControlEnable);
    this.deliverPending();
    return kIOReturnSuccess;
  }

  /** Vectors granted by the last successful ConfigureInterrupts (0 before). Not DriverKit API. */
  get configuredVectorCount(): number {
    return this.grantedVectors;
  }

  /**
   * Function-level reset, OS-mediated: like IOPCIFamily, the OS saves config space, resets the
   * function and restores config space. So `fn.reset()` runs (its registers go to reset
   * values), while command register, BARs, MSI-X control and the MSI-X table keep what the
   * driver and OS set; pending MSI-X messages are dropped (the function lost them in the
   * reset). Options are accepted and ignored. Needs an open session.
   */
  Reset(_options: number): IOReturn {
    if (this.client === null) return kIOReturnNotOpen;
    if (this.fn.removed) return kIOReturnNoDevice;
    this.fn.reset();
    this.msixPending.fill(0);
    this.stats.resets++;
    return kIOReturnSuccess;
  }

  // ---- InterruptProvider (IOInterruptDispatchSource::Create / Cancel call these) ----

  /** One source per vector; index ≥ table size → kIOReturnBadArgument, taken → kIOReturnExclusiveAccess. */
  registerInterrupt(index: number, source: IOInterruptDispatchSource): IOReturn {
    if (!Number.isInteger(index) || index < 0 || index >= this.msixVectors) return kIOReturnBadArgument;
    if (this.sources[index] !== null) return kIOReturnExclusiveAccess;
    // Not retained: the source retains us and unregisters itself in Cancel/free.
    this.sources[index] = source;
    return kIOReturnSuccess;
  }

  unregisterInterrupt(index: number, source: IOInterruptDispatchSource): void {
    if (index >= 0 && index < this.msixVectors && this.sources[index] === source) this.sources[index] = null;
  }

  /** Whether vector `v` has a message waiting in the PBA (not DriverKit API; for tests). */
  isMsixPending(vector: number): boolean {
    return (
      vector >= 0 &&
      vector < this.msixVectors &&
      (this.msixPending[vector >>> 5] & (1 << (vector & 31))) !== 0
    );
  }

  // ---------------------------------------------------------------------------------------
  // Bus side (the function calls these through its PciBusPort)
  // ---------------------------------------------------------------------------------------

  private busMasterEnabled(): boolean {
    return !this.fn.removed && (this.config[kIOPCIConfigurationOffsetCommand] & kIOPCICommandBusMaster) !== 0;
  }

  /** An MSI-X message from the function; per PCIe 3.0 §6.1.4, masked messages set the pending bit. */
  private signalMsix(vector: number): void {
    if (
      this.isFreed ||
      this.fn.removed ||
      !(vector >= 0 && vector < this.msixVectors) ||
      (vector | 0) !== vector
    )
      return;
    if (this.vectorDeliverable(vector)) {
      this.deliver(vector);
    } else {
      this.msixPending[vector >>> 5] |= 1 << (vector & 31);
      this.stats.msixDeferred++;
    }
  }

  private vectorDeliverable(vector: number): boolean {
    const control = this.msixControl();
    return (
      (control & kMSIXControlEnable) !== 0 &&
      (control & kMSIXControlFunctionMask) === 0 &&
      (this.msixTable[vector * 4 + 3] & kMSIXVectorControlMask) === 0
    );
  }

  private deliver(vector: number): void {
    const source = this.sources[vector];
    if (source === null) {
      this.stats.msixUnclaimed++;
      return;
    }
    this.stats.msixDelivered++;
    source.interruptAsserted(this.runtime.scheduler.now);
  }

  /** Sends every pending message whose vector became deliverable (after an unmask or enable). */
  private deliverPending(): void {
    for (let w = 0; w < this.msixPending.length; w++) {
      if (this.msixPending[w] === 0) continue;
      for (let b = 0; b < 32; b++) {
        const v = w * 32 + b;
        if ((this.msixPending[w] & (1 << b)) === 0 || !this.vectorDeliverable(v)) continue;
        this.msixPending[w] &= ~(1 << b);
        this.deliver(v);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------------------------

  /** Aligned config offset for an access of `width` bytes, or −1 on error. */
  private configOffset(offset: number, width: number): number {
    if (
      this.client === null ||
      this.fn.removed ||
      !Number.isInteger(offset) ||
      offset < 0 ||
      offset >= kIOPCIConfigSpaceSize
    ) {
      this.stats.accessErrors++;
      return -1;
    }
    return offset - (offset % width);
  }

  private configWrite(at: number, data: number, width: number): void {
    const before = this.configView.getUint16(kIOPCIConfigurationOffsetCommand, true);
    const controlBefore = this.msixVectors > 0 ? this.msixControl() : 0;
    for (let i = 0; i < width; i++) {
      const a = at + i;
      const byte = (data >>> (8 * i)) & 0xff;
      const w = this.wmask[a];
      this.config[a] = ((this.config[a] & ~w) | (byte & w)) & ~(byte & this.w1cmask[a]);
    }
    if (at < kIOPCIConfigurationOffsetBaseAddress0 + 24 && at + width > kIOPCIConfigurationOffsetBaseAddress0)
      this.updateDecoding();
    const command = this.configView.getUint16(kIOPCIConfigurationOffsetCommand, true);
    if (command !== before) {
      this.runtime.tracer.info(
        'IOPCIDevice',
        `command 0x${before.toString(16)} -> 0x${command.toString(16)}`,
      );
    }
    if (this.msixVectors > 0 && this.msixControl() !== controlBefore) this.deliverPending();
  }

  /** A range answers only while its BAR holds the address the OS assigned and mapped. */
  private updateDecoding(): void {
    for (let r = 0; r < this.rangeCount; r++) {
      const bar = this.rangeBar[r];
      const reg = kIOPCIConfigurationOffsetBaseAddress0 + bar * 4;
      const lowMask = this.rangeIsIO[r] ? 0xffff_fffc : 0xffff_fff0;
      let address = (this.configView.getUint32(reg, true) & lowMask) >>> 0;
      const type = this.barTypeOf(r);
      if (type === kPCIBARTypeM64 || type === kPCIBARTypeM64PF)
        address += this.configView.getUint32(reg + 4, true) * 2 ** 32;
      this.rangeDecodes[r] = address === this.rangeAddress[r] ? 1 : 0;
    }
  }

  private apertureOk(index: number, offset: number, width: number): boolean {
    // Ordered cheapest first; every check reads fields or typed arrays only (hot path).
    if (
      this.client === null ||
      !(index >= 0 && index < this.rangeCount) ||
      !(offset >= 0 && offset + width <= this.rangeSize[index | 0]) ||
      offset % width !== 0 ||
      (index | 0) !== index ||
      this.rangeDecodes[index] === 0 ||
      (this.config[kIOPCIConfigurationOffsetCommand] &
        (this.rangeIsIO[index] ? kIOPCICommandIOSpace : kIOPCICommandMemorySpace)) ===
        0 ||
      this.fn.removed
    ) {
      this.stats.accessErrors++;
      return false;
    }
    return true;
  }

  /** Dword read from a checked, dword-aligned offset. */
  private apertureRead32(index: number, offset: number): number {
    if (this.rangeKind[index] === RANGE_MSIX) return this.msixRead32(offset);
    return this.fn.mmioRead32(this.rangeBar[index], offset) >>> 0;
  }

  /** Dword write to a checked, dword-aligned offset; `laneMask` marks the bytes really written. */
  private apertureWrite32(index: number, offset: number, data: number, laneMask: number): void {
    if (this.rangeKind[index] === RANGE_MSIX) this.msixWrite32(offset, data, laneMask);
    else this.fn.mmioWrite32(this.rangeBar[index], offset, data);
  }

  private msixRead32(offset: number): number {
    if (offset < this.msixVectors * kMSIXTableEntrySize) return this.msixTable[offset >>> 2];
    if (offset >= this.msixPbaOffset) {
      const word = (offset - this.msixPbaOffset) >>> 2;
      if (word < this.msixPending.length) return this.msixPending[word];
    }
    return 0;
  }

  private msixWrite32(offset: number, data: number, laneMask: number): void {
    // The PBA is read-only; reserved space ignores writes.
    if (offset >= this.msixVectors * kMSIXTableEntrySize) return;
    const i = offset >>> 2;
    const isControl = (i & 3) === 3;
    // Vector Control: only the mask bit is implemented (the rest is reserved, reads 0).
    const writable = (isControl ? kMSIXVectorControlMask : 0xffff_ffff) & laneMask;
    const before = this.msixTable[i];
    this.msixTable[i] = ((before & ~writable) | (data & writable)) >>> 0;
    if (
      isControl &&
      (before & kMSIXVectorControlMask) !== 0 &&
      (this.msixTable[i] & kMSIXVectorControlMask) === 0
    ) {
      this.deliverPending();
    }
  }

  private msixControl(): number {
    return this.configView.getUint16(MSIX_CAP_OFFSET + 2, true);
  }

  private setMsixControl(value: number): void {
    this.configView.setUint16(MSIX_CAP_OFFSET + 2, value, true);
  }

  /** MSI-X table after reset: every vector masked, address and data zero (PCIe 3.0 §7.7). */
  private resetMsixTable(): void {
    this.msixTable.fill(0);
    for (let v = 0; v < this.msixVectors; v++) this.msixTable[v * 4 + 3] = kMSIXVectorControlMask;
    this.msixPending.fill(0);
  }

  private barTypeOf(range: number): number {
    const bar = this.rangeBar[range];
    const low = this.config[kIOPCIConfigurationOffsetBaseAddress0 + bar * 4];
    if (low & 1) return kPCIBARTypeIO;
    const is64 = (low & 0x6) === 0x4;
    const prefetchable = (low & 0x8) !== 0;
    if (is64) return prefetchable ? kPCIBARTypeM64PF : kPCIBARTypeM64;
    return prefetchable ? kPCIBARTypeM32PF : kPCIBARTypeM32;
  }

  private buildConfigSpace(
    bars: readonly { bar: number; size: number; type: number }[],
    msixBar: number,
  ): void {
    const id = this.fn.identity;
    const v = this.configView;
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
    this.config[kIOPCIConfigurationOffsetRevisionID] = id.revisionId & 0xff;
    this.config[kIOPCIConfigurationOffsetClassCode] = id.classCode & 0xff;
    this.config[kIOPCIConfigurationOffsetClassCode + 1] = (id.classCode >>> 8) & 0xff;
    this.config[kIOPCIConfigurationOffsetClassCode + 2] = (id.classCode >>> 16) & 0xff;
    this.wmask[kIOPCIConfigurationOffsetCacheLineSize] = 0xff;
    this.config[kIOPCIConfigurationOffsetHeaderType] = 0x00;
    v.setUint16(kIOPCIConfigurationOffsetSubSystemVendorID, id.subsystemVendorId, true);
    v.setUint16(kIOPCIConfigurationOffsetSubSystemID, id.subsystemId, true);
    this.wmask[kIOPCIConfigurationOffsetInterruptLine] = 0xff;
    this.config[kIOPCIConfigurationOffsetInterruptPin] = 0x01;

    // BARs: the writable bits are the address bits above the size, so writing all-ones and
    // reading back gives ~(size − 1) | type bits — the standard size probe.
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
      this.rangeKind[r] = this.msixVectors > 0 && b.bar === msixBar ? RANGE_MSIX : RANGE_FUNCTION;
      this.rangeAddress[r] = address;
    });

    // Capability list: MSI-X (if any) → PCI Express.
    this.config[kIOPCIConfigurationOffsetCapabilitiesPtr] =
      this.msixVectors > 0 ? MSIX_CAP_OFFSET : PCIE_CAP_OFFSET;
    if (this.msixVectors > 0) {
      this.config[MSIX_CAP_OFFSET] = kIOPCICapabilityIDMSIX;
      this.config[MSIX_CAP_OFFSET + 1] = PCIE_CAP_OFFSET;
      v.setUint16(MSIX_CAP_OFFSET + 2, (this.msixVectors - 1) & kMSIXControlTableSizeMask, true);
      this.setWmask(MSIX_CAP_OFFSET + 2, 2, kMSIXControlEnable | kMSIXControlFunctionMask);
      // Table Offset/BIR and PBA Offset/BIR: BAR number in bits 2:0, offset above.
      v.setUint32(MSIX_CAP_OFFSET + 4, 0 | msixBar, true);
      v.setUint32(MSIX_CAP_OFFSET + 8, this.msixPbaOffset | msixBar, true);
    }
    // PCI Express capability v2, endpoint; link x1 at 5 GT/s (as an I210).
    this.config[PCIE_CAP_OFFSET] = kIOPCICapabilityIDPCIExpress;
    this.config[PCIE_CAP_OFFSET + 1] = 0;
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

  protected override free(): void {
    // Sources hold a reference on us, so none can still be registered here; the function
    // may still call its bus port, and `signalMsix` drops messages once we are freed.
    this.client = null;
    super.free();
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function alignUp(x: number, align: number): number {
  return Math.ceil(x / align) * align;
}
