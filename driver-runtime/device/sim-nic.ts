/**
 * SimNic: the thin PCI adapter around NicCore (the igb.c of NetLanes). Presents identity and
 * BARs, forwards BAR0 MMIO to the core, keeps BAR3 (MSI-X table) as plain storage for the bus
 * side, and exposes the wire, link and fault APIs.
 */
import type { NicBusPort, NicIdentity } from './bus-port.ts';
import type { LinkSpeed } from '../sim/units.ts';
import { NicFaults } from './faults.ts';
import { NicCore } from './nic-core.ts';
import { BAR0_SIZE, MSIX_VECTORS } from './registers.ts';
import type { WirePeer } from '../net/wire.ts';

export interface SimNicOptions {
  /** 6-byte station address, pre-loaded into RAL0/RAH0 as the EEPROM would. */
  mac: Uint8Array;
  linkSpeed: LinkSpeed;
}

export const SIM_NIC_VENDOR_ID = 0xfab1;
export const SIM_NIC_DEVICE_ID = 0x0210;
export const MSIX_BAR = 3;
/** PCIDriverKit's kPCIBARTypeM32 (device/ imports nothing from pci/; a test checks they agree). */
export const BAR_TYPE_M32 = 1;
export const MSIX_BAR_SIZE = 16 * 1024;

export const SIM_NIC_IDENTITY: NicIdentity = {
  vendorId: SIM_NIC_VENDOR_ID,
  deviceId: SIM_NIC_DEVICE_ID,
  subsystemVendorId: SIM_NIC_VENDOR_ID,
  subsystemId: 0x0001,
  revisionId: 0x01,
  classCode: 0x020000,
  bars: [
    { bar: 0, size: BAR0_SIZE, type: BAR_TYPE_M32 },
    { bar: MSIX_BAR, size: MSIX_BAR_SIZE, type: BAR_TYPE_M32 },
  ],
  msixVectors: MSIX_VECTORS,
};

export class SimNic {
  readonly identity: NicIdentity = SIM_NIC_IDENTITY;
  readonly faults: NicFaults;
  private readonly nic: NicCore;
  private readonly msixTable = new Uint32Array(MSIX_BAR_SIZE >>> 2);
  private bus: NicBusPort | null = null;
  private removedFlag = false;

  constructor(options: SimNicOptions) {
    this.nic = new NicCore(options);
    this.faults = new NicFaults(this.nic, () => {
      this.removedFlag = true;
    });
  }

  attach(bus: NicBusPort): void {
    this.bus = bus;
    this.nic.attach(bus);
  }

  get removed(): boolean {
    return this.removedFlag;
  }

  /** White-box access for tests and the UI; drivers must use MMIO. */
  get core(): NicCore {
    return this.nic;
  }

  mmioRead32(bar: number, offset: number): number {
    if (this.removedFlag) return 0xffffffff;
    if (!this.aligned(bar, offset, 'read')) return 0;
    if (bar === 0) return this.nic.read(offset);
    return this.msixTable[offset >>> 2];
  }

  mmioWrite32(bar: number, offset: number, value: number): void {
    if (this.removedFlag || !this.aligned(bar, offset, 'write')) return;
    if (bar === 0) this.nic.write(offset, value);
    else this.msixTable[offset >>> 2] = value >>> 0;
  }

  /** Only 32-bit aligned accesses inside BAR0 / BAR3 are valid (QEMU igb: min=max size 4). */
  private aligned(bar: number, offset: number, what: string): boolean {
    const size = bar === 0 ? BAR0_SIZE : bar === MSIX_BAR ? MSIX_BAR_SIZE : 0;
    if ((offset & 3) === 0 && offset >= 0 && offset < size) return true;
    this.bus?.tracer.warn('nic', `bad MMIO ${what} bar ${bar} offset 0x${offset.toString(16)}`);
    return false;
  }

  /** Function-level reset / power-on: everything to reset values, EITR included. */
  reset(): void {
    if (this.removedFlag) return;
    this.nic.reset(false);
    this.msixTable.fill(0);
  }

  connectWire(peer: WirePeer | null): void {
    this.nic.connectWire(peer);
  }

  receiveFromWire(frame: Uint8Array, offset: number, length: number): void {
    this.nic.receiveFromWire(frame, offset, length);
  }

  setLink(up: boolean, speed?: LinkSpeed): void {
    this.nic.setLink(up, speed);
  }
}
