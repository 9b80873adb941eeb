/**
 * The seam between a simulated PCIe function (our NIC in `device/`) and the PCIDriverKit
 * model (`IOPCIDevice`). Like QEMU's split of igb.c and igb_core.c: the function knows
 * registers and DMA, the bus side knows config space, BAR apertures and MSI-X delivery.
 */
import type { Scheduler } from '../sim/scheduler.ts';
import type { HostMemory } from '../sim/host-memory.ts';
import type { Tracer } from '../kit/tracer.ts';

/**
 * OURS: the IOPCIBARType names are real (driverkit.md §5.1) but their numeric values were not
 * found (§7); these follow the order the docs list them in.
 */
export const kPCIBARTypeIO = 0;
export const kPCIBARTypeM32 = 1;
export const kPCIBARTypeM32PF = 2;
export const kPCIBARTypeM64 = 3;
export const kPCIBARTypeM64PF = 4;

export interface PciBarDescription {
  /** BAR number 0..5. */
  bar: number;
  size: number;
  type: number;
}

/** Identity and layout a function presents in config space. */
export interface PciFunctionIdentity {
  vendorId: number;
  deviceId: number;
  subsystemVendorId: number;
  subsystemId: number;
  revisionId: number;
  /** 24-bit class code, e.g. 0x020000 for an Ethernet controller. */
  classCode: number;
  bars: readonly PciBarDescription[];
  /** MSI-X table size (number of vectors); 0 means no MSI-X capability. */
  msixVectors: number;
  /**
   * BAR that holds the MSI-X table (offset 0) and PBA (second half of the BAR). The bus side
   * (IOPCIDevice) serves that BAR itself, as QEMU's msix.c does; the function never sees
   * accesses to it. Defaults to 3, where the I210 keeps it.
   */
  msixTableBar?: number;
}

/** What the bus gives a function: DMA to host memory, interrupts, time, tracing. */
export interface PciBusPort {
  readonly scheduler: Scheduler;
  readonly memory: HostMemory;
  readonly tracer: Tracer;
  /** Bus Master Enable in the command register: without it the function must not DMA. */
  busMasterEnabled(): boolean;
  /** Sends MSI-X message `vector` (the bus applies MSI-X enable and per-vector masks). */
  signalMsix(vector: number): void;
}

/** A simulated PCIe function. All MMIO is 32-bit; a 64-bit access is two 32-bit ones. */
export interface PciFunction {
  readonly identity: PciFunctionIdentity;
  attach(bus: PciBusPort): void;
  mmioRead32(bar: number, offset: number): number;
  mmioWrite32(bar: number, offset: number, value: number): void;
  /** Function-level reset (FLR) or power-on. */
  reset(): void;
  /** True after a surprise removal: the bus then returns all-ones and drops writes. */
  readonly removed: boolean;
}
