import {
  kPCIBARTypeM32,
  type PciBusPort,
  type PciFunction,
  type PciFunctionIdentity,
} from '../../driver-runtime/pci/pci-function.ts';

export const FAKE_VENDOR = 0x1e5a;
export const FAKE_DEVICE = 0x0a10;

/**
 * The smallest PciFunction that lets IOPCIDevice be tested black-box: a 128 KiB register
 * file behind BAR0 that logs every access, BAR3 for the MSI-X table, 5 vectors.
 */
export class FakeFunction implements PciFunction {
  readonly identity: PciFunctionIdentity = {
    vendorId: FAKE_VENDOR,
    deviceId: FAKE_DEVICE,
    subsystemVendorId: 0x1e5b,
    subsystemId: 0x0001,
    revisionId: 0x03,
    classCode: 0x020000,
    bars: [
      { bar: 0, size: 128 * 1024, type: kPCIBARTypeM32 },
      { bar: 3, size: 16 * 1024, type: kPCIBARTypeM32 },
    ],
    msixVectors: 5,
  };
  readonly regs = new Uint32Array((128 * 1024) / 4);
  readonly log: string[] = [];
  bus: PciBusPort | null = null;
  resets = 0;
  removed = false;

  attach(bus: PciBusPort): void {
    this.bus = bus;
  }

  mmioRead32(bar: number, offset: number): number {
    this.log.push(`r${bar}:${offset.toString(16)}`);
    return this.regs[offset >>> 2];
  }

  mmioWrite32(bar: number, offset: number, value: number): void {
    this.log.push(`w${bar}:${offset.toString(16)}=${value.toString(16)}`);
    this.regs[offset >>> 2] = value;
  }

  reset(): void {
    this.resets++;
    this.regs.fill(0);
  }
}
