/**
 * What the NIC sees of the machine it is plugged into — its side of the PCIe slot, and
 * nothing else. The device model imports no DriverKit or PCIDriverKit code (as QEMU's
 * igb_core.c knows nothing of QOM): the bus side (`pci/`) hands it an object of this shape,
 * and TypeScript checks the fit where the two are wired together (`host/`).
 */
import type { HostMemory } from '../sim/host-memory.ts';
import type { Scheduler } from '../sim/scheduler.ts';

export type DeviceTraceLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the device's trace lines go (QEMU's trace events; `warn` marks guest mistakes). */
export interface DeviceTrace {
  log(level: DeviceTraceLevel, source: string, message: string): void;
  info(source: string, message: string): void;
  warn(source: string, message: string): void;
}

/** The slot: DMA to host memory, MSI-X messages, the machine's clock, a trace sink. */
export interface NicBusPort {
  readonly scheduler: Scheduler;
  /** Host memory as DMA reaches it: physical addresses only, bounds-checked by `translate`. */
  readonly memory: HostMemory;
  readonly tracer: DeviceTrace;
  /** Bus Master Enable in the command register: without it the device must not DMA. */
  busMasterEnabled(): boolean;
  /** Sends MSI-X message `vector` (the bus applies MSI-X enable and per-vector masks). */
  signalMsix(vector: number): void;
}

/** One BAR as the device presents it in config space. */
export interface NicBar {
  bar: number;
  size: number;
  /** Aperture type; our BARs are 32-bit memory (the PCIDriverKit kPCIBARTypeM32 value). */
  type: number;
}

/** Identity and layout the device presents in config space. */
export interface NicIdentity {
  vendorId: number;
  deviceId: number;
  subsystemVendorId: number;
  subsystemId: number;
  revisionId: number;
  /** 24-bit class code: 0x020000 is an Ethernet controller. */
  classCode: number;
  bars: readonly NicBar[];
  /** MSI-X table size (vectors). */
  msixVectors: number;
  /** BAR holding the MSI-X table and PBA, served by the bus side. */
  msixTableBar?: number;
}
