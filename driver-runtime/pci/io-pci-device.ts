/**
 * IOPCIDevice: the PCIDriverKit provider a PCI dext opens (driverkit.md §5.1). This file is
 * its PCIDriverKit face — sessions, configuration and aperture accessors, GetBARInfo,
 * FindPCICapability, ConfigureInterrupts, Reset — and the `InterruptProvider` that interrupt
 * sources register with. The jobs behind it live apart, as QEMU keeps igb.c apart from
 * pci.c, msix.c and memory-region dispatch: `PciConfigSpace` (registers, masks, BAR decoding,
 * capability list), `MsixController` (vector table, PBA, delivery) and `PciApertures` (BAR
 * access routing and widths). The function (`PciFunction`, igb_core.c's role) signals vectors
 * through the `PciBusPort` this class gives it.
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
import { MsixController, type MsixStats } from './msix.ts';
import { PciApertures } from './pci-apertures.ts';
import { PciConfigSpace } from './pci-config-space.ts';
import {
  kIOInterruptTypePCIMessagedX,
  kIOPCICommandBusMaster,
  kIOPCICommandMemorySpace,
  kIOPCIConfigSpaceSize,
  kIOPCIConfigurationOffsetCommand,
} from './pci-constants.ts';
import type { PciBusPort, PciFunction } from './pci-function.ts';

// Code outside pci/ (the driver, tests) imports the constants from this path.
export * from './pci-constants.ts';

const ALL_ONES_32 = 0xffff_ffff;
const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn;

/** Bus/device/function of the function on its bus. */
export interface PciLocation {
  bus: number;
  device: number;
  function: number;
}

/** Counters the host and tests can read (not DriverKit API). */
export interface IOPCIDeviceStats extends MsixStats {
  /** MMIO or config accesses that failed (all-ones read or dropped write). */
  accessErrors: number;
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

  private readonly cfg: PciConfigSpace;
  private readonly msix: MsixController;
  private readonly ap: PciApertures;
  /** The config bytes, for the one-byte checks on hot paths. */
  private readonly config: Uint8Array;

  private client: IOService | null = null;
  private readonly bus: PciBusPort;

  private constructor(runtime: DextRuntime, fn: PciFunction, location: PciLocation) {
    super(runtime);
    this.fn = fn;
    this.location = { bus: location.bus, device: location.device, function: location.function };
    const bars = PciConfigSpace.validateBars(fn.identity);
    const layout = MsixController.layoutFor(fn.identity, bars);
    this.cfg = new PciConfigSpace(fn.identity, bars, layout);
    this.msix = new MsixController(layout, this.cfg, this.stats, runtime.scheduler);
    this.ap = new PciApertures(this.cfg, this.msix, fn);
    this.config = this.cfg.bytes;

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
    this.cfg.clearCommandBits(kIOPCICommandBusMaster | kIOPCICommandMemorySpace);
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
    value.value = at < 0 ? ALL_ONES_32 : this.cfg.view.getUint32(at, true);
  }

  ConfigurationRead16(offset: number, value: Out<number>): void {
    const at = this.configOffset(offset, 2);
    value.value = at < 0 ? 0xffff : this.cfg.view.getUint16(at, true);
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
  // Apertures (MMIO): forwarders into PciApertures, which documents the access rules. A
  // failed access (no session, not decoded, misaligned, function gone) reads all-ones of its
  // width and drops writes. MemoryRead32/MemoryWrite32 are the hot path: they allocate nothing.
  // ---------------------------------------------------------------------------------------

  MemoryRead64(memoryIndex: number, offset: number, value: Out<bigint>): void {
    value.value = this.reaches(memoryIndex, offset, 8) ? this.ap.read64(memoryIndex, offset) : ALL_ONES_64;
  }

  MemoryRead32(memoryIndex: number, offset: number, value: Out<number>): void {
    value.value = this.reaches(memoryIndex, offset, 4) ? this.ap.read32(memoryIndex, offset) : ALL_ONES_32;
  }

  MemoryRead16(memoryIndex: number, offset: number, value: Out<number>): void {
    value.value = this.reaches(memoryIndex, offset, 2)
      ? this.ap.readLane(memoryIndex, offset, 0xffff)
      : 0xffff;
  }

  MemoryRead8(memoryIndex: number, offset: number, value: Out<number>): void {
    value.value = this.reaches(memoryIndex, offset, 1) ? this.ap.readLane(memoryIndex, offset, 0xff) : 0xff;
  }

  MemoryWrite64(memoryIndex: number, offset: number, data: bigint): void {
    if (this.reaches(memoryIndex, offset, 8)) this.ap.write64(memoryIndex, offset, data);
  }

  MemoryWrite32(memoryIndex: number, offset: number, data: number): void {
    if (this.reaches(memoryIndex, offset, 4)) this.ap.write32(memoryIndex, offset, data >>> 0, 0xffff_ffff);
  }

  MemoryWrite16(memoryIndex: number, offset: number, data: number): void {
    if (this.reaches(memoryIndex, offset, 2)) this.ap.writeLane(memoryIndex, offset, data, 0xffff);
  }

  MemoryWrite8(memoryIndex: number, offset: number, data: number): void {
    if (this.reaches(memoryIndex, offset, 1)) this.ap.writeLane(memoryIndex, offset, data, 0xff);
  }

  /**
   * Translates a BAR number to its memory index, size and kPCIBARType*. An implemented BAR
   * gives kIOReturnSuccess. OURS (error codes not documented): a BAR number outside 0..5 gives
   * kIOReturnBadArgument; a BAR that is not implemented (or is the upper half of a 64-bit BAR)
   * gives kIOReturnNotFound, so a caller can tell "wrong question" from "no such aperture".
   * Needs no session, like GetBusDeviceFunction: it reads the registry, not the device.
   */
  GetBARInfo(
    barIndex: number,
    memoryIndex: Out<number>,
    barSize: Out<number>,
    barType: Out<number>,
  ): IOReturn {
    if (!Number.isInteger(barIndex) || barIndex < 0 || barIndex > 5) return kIOReturnBadArgument;
    const r = this.cfg.barToRange[barIndex];
    if (r < 0) return kIOReturnNotFound;
    memoryIndex.value = r;
    barSize.value = this.cfg.rangeSize[r];
    barType.value = this.cfg.barTypeOf(r);
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
    const at = this.cfg.findCapability(capabilityID, searchOffset);
    if (at === 0) return kIOReturnNotFound;
    foundOffset.value = at;
    return kIOReturnSuccess;
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
   * For kIOInterruptTypePCIMessagedX (OURS, the codes are not documented): numRequired must be
   * 1..numRequested (else kIOReturnBadArgument) and at most the table size (else
   * kIOReturnNoResources); a removed function gives kIOReturnNoDevice. The OS then
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
    if (interruptType !== kIOInterruptTypePCIMessagedX || this.msix.vectors === 0)
      return kIOReturnUnsupported;
    if (this.fn.removed) return kIOReturnNoDevice;
    if (
      !Number.isInteger(numRequired) ||
      !Number.isInteger(numRequested) ||
      numRequired < 1 ||
      numRequired > numRequested
    ) {
      return kIOReturnBadArgument;
    }
    if (numRequired > this.msix.vectors) return kIOReturnNoResources;
    this.msix.grant(numRequested);
    return kIOReturnSuccess;
  }

  /** Vectors granted by the last successful ConfigureInterrupts (0 before). Not DriverKit API. */
  get configuredVectorCount(): number {
    return this.msix.granted;
  }

  /**
   * Function-level reset, OS-mediated: like IOPCIFamily, the OS saves config space, resets the
   * function and restores config space. So `fn.reset()` runs (its registers go to reset
   * values), while command register, BARs, MSI-X control and the MSI-X table keep what the
   * driver and OS set. OURS: pending MSI-X messages are dropped (the function lost them in the
   * reset); options are accepted and ignored; without a session, kIOReturnNotOpen.
   */
  Reset(_options: number): IOReturn {
    if (this.client === null) return kIOReturnNotOpen;
    if (this.fn.removed) return kIOReturnNoDevice;
    this.fn.reset();
    this.msix.dropPending();
    this.stats.resets++;
    return kIOReturnSuccess;
  }

  // ---- InterruptProvider (IOInterruptDispatchSource::Create / Cancel call these) ----

  /** One source per vector; index ≥ table size → kIOReturnBadArgument, taken → kIOReturnExclusiveAccess. */
  registerInterrupt(index: number, source: IOInterruptDispatchSource): IOReturn {
    // Not retained: the source retains us and unregisters itself in Cancel/free.
    return this.msix.register(index, source);
  }

  unregisterInterrupt(index: number, source: IOInterruptDispatchSource): void {
    this.msix.unregister(index, source);
  }

  /** Whether vector `v` has a message waiting in the PBA (not DriverKit API; for tests). */
  isMsixPending(vector: number): boolean {
    return this.msix.isPending(vector);
  }

  /**
   * The interrupt source registered for `vector`, or null (not DriverKit API: the host and
   * tests read its counters to see what was coalesced).
   */
  interruptSourceFor(vector: number): IOInterruptDispatchSource | null {
    return this.msix.sourceFor(vector);
  }

  // ---------------------------------------------------------------------------------------
  // Bus side (the function calls these through its PciBusPort)
  // ---------------------------------------------------------------------------------------

  private busMasterEnabled(): boolean {
    return !this.fn.removed && (this.config[kIOPCIConfigurationOffsetCommand] & kIOPCICommandBusMaster) !== 0;
  }

  /** An MSI-X message from the function; dropped once we are freed or the function is gone. */
  private signalMsix(vector: number): void {
    if (
      this.isFreed ||
      this.fn.removed ||
      !(vector >= 0 && vector < this.msix.vectors) ||
      (vector | 0) !== vector
    )
      return;
    this.msix.signal(vector);
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

  /** A config write, then what it set off: a command trace, pending MSI-X on a control change. */
  private configWrite(at: number, data: number, width: number): void {
    const before = this.cfg.command;
    const controlBefore = this.msix.vectors > 0 ? this.cfg.msixControl() : 0;
    this.cfg.write(at, data, width);
    const command = this.cfg.command;
    if (command !== before) {
      this.runtime.tracer.info(
        'IOPCIDevice',
        `command 0x${before.toString(16)} -> 0x${command.toString(16)}`,
      );
    }
    if (this.msix.vectors > 0 && this.cfg.msixControl() !== controlBefore) this.msix.deliverPending();
  }

  /** Whether an aperture access goes through; counts the ones that do not. */
  private reaches(index: number, offset: number, width: number): boolean {
    if (this.client !== null && this.ap.reaches(index, offset, width)) return true;
    this.stats.accessErrors++;
    return false;
  }

  protected override free(): void {
    // Sources hold a reference on us, so none can still be registered here; the function
    // may still call its bus port, and `signalMsix` drops messages once we are freed.
    this.client = null;
    super.free();
  }
}
