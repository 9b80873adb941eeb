import type { IOReturn } from '../kit/io-return.ts';
import type { IOService } from '../kit/io-service.ts';
import type { InterruptProvider } from '../kit/interrupt-source.ts';
import type { OSObject, Out } from '../kit/os-object.ts';
import type { MemoryAperture } from './mmio.ts';

/** The IOPCIDevice calls the driver makes (PCIDriverKit names). */
export interface PciProvider extends MemoryAperture, InterruptProvider, OSObject {
  Open(forClient: IOService, options: number): IOReturn;
  Close(forClient: IOService, options: number): void;
  ConfigurationRead16(offset: number, value: Out<number>): void;
  ConfigurationWrite16(offset: number, data: number): void;
  GetBARInfo(
    barIndex: number,
    memoryIndex: Out<number>,
    barSize: Out<number>,
    barType: Out<number>,
  ): IOReturn;
  ConfigureInterrupts(
    interruptType: number,
    numRequired: number,
    numRequested: number,
    options: number,
  ): IOReturn;
}
