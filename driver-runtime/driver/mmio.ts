import type { Out } from '../kit/os-object.ts';
import type { Tracer } from '../kit/tracer.ts';
import { ALL_ONES, STATUS } from './hw-regs.ts';

/** The part of IOPCIDevice the register accessors need. */
export interface MemoryAperture {
  MemoryRead32(memoryIndex: number, offset: number, value: Out<number>): void;
  MemoryWrite32(memoryIndex: number, offset: number, data: number): void;
}

/**
 * igb_rd32/wr32: BAR0 accessors that notice a surprise removal. An all-ones read is
 * suspicious; if it was STATUS, or a re-read of STATUS is all-ones too, the device is gone:
 * say "PCIe link lost" once and never touch it again (writes are skipped, reads give 0).
 */
export class Mmio {
  private readonly box: Out<number> = { value: 0 };
  private gone = false;
  onRemoved: (() => void) | null = null;

  constructor(
    private readonly pci: MemoryAperture,
    private readonly memoryIndex: number,
    private readonly tracer: Tracer,
  ) {}

  get removed(): boolean {
    return this.gone;
  }

  rd32(offset: number): number {
    if (this.gone) return 0;
    this.pci.MemoryRead32(this.memoryIndex, offset, this.box);
    const value = (this.box.value ?? ALL_ONES) >>> 0;
    if (value !== ALL_ONES) return value;
    if (offset !== STATUS) {
      this.pci.MemoryRead32(this.memoryIndex, STATUS, this.box);
      if ((this.box.value ?? ALL_ONES) >>> 0 !== ALL_ONES) return value;
    }
    this.markRemoved();
    return 0;
  }

  wr32(offset: number, value: number): void {
    if (this.gone) return;
    this.pci.MemoryWrite32(this.memoryIndex, offset, value >>> 0);
  }

  private markRemoved(): void {
    this.gone = true;
    this.tracer.error('driver', 'PCIe link lost, device now detached');
    this.onRemoved?.();
  }
}
