import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IOService } from '../../driver-runtime/kit/io-service.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { out } from '../../driver-runtime/kit/os-object.ts';
import { IOInterruptDispatchSource } from '../../driver-runtime/kit/interrupt-source.ts';
import {
  kIOReturnBadArgument,
  kIOReturnExclusiveAccess,
  kIOReturnNoResources,
  kIOReturnNotFound,
  kIOReturnNotOpen,
  kIOReturnSuccess,
  kIOReturnUnsupported,
} from '../../driver-runtime/kit/io-return.ts';
import {
  IOPCIDevice,
  kIOInterruptTypePCIMessaged,
  kIOInterruptTypePCIMessagedX,
  kIOPCICapabilityIDMSIX,
  kIOPCICapabilityIDPCIExpress,
  kIOPCICommandBusMaster,
  kIOPCICommandMemorySpace,
  kIOPCIConfigurationOffsetBaseAddress0,
  kIOPCIConfigurationOffsetCommand,
  kMSIXControlEnable,
  kMSIXControlFunctionMask,
  kPCIBARTypeM32,
  kPCIBARTypeM64,
} from '../../driver-runtime/pci/index.ts';
import { FAKE_DEVICE, FAKE_VENDOR, FakeFunction } from './fake-function.ts';

const BAR0 = kIOPCIConfigurationOffsetBaseAddress0;
const BAR1 = BAR0 + 4;
const BAR3 = BAR0 + 12;
/** Memory indexes for the fake: BAR0 → 0, BAR3 (MSI-X table) → 1. */
const REGS = 0;
const MSIX = 1;
const PBA_OFFSET = 0x2000;

let runtime: DextRuntime;
let fn: FakeFunction;
let pci: IOPCIDevice;
let driver: IOService;

function cfg32(offset: number): number {
  const v = out<number>();
  pci.ConfigurationRead32(offset, v);
  return v.value!;
}
function cfg16(offset: number): number {
  const v = out<number>();
  pci.ConfigurationRead16(offset, v);
  return v.value!;
}
function cfg8(offset: number): number {
  const v = out<number>();
  pci.ConfigurationRead8(offset, v);
  return v.value!;
}
function mem32(index: number, offset: number): number {
  const v = out<number>();
  pci.MemoryRead32(index, offset, v);
  return v.value!;
}
function enable(bits = kIOPCICommandMemorySpace | kIOPCICommandBusMaster): void {
  pci.ConfigurationWrite16(kIOPCIConfigurationOffsetCommand, cfg16(kIOPCIConfigurationOffsetCommand) | bits);
}
function msixCap(): number {
  const found = out<number>();
  expect(pci.FindPCICapability(kIOPCICapabilityIDMSIX, 0, found)).toBe(kIOReturnSuccess);
  return found.value!;
}

beforeEach(() => {
  runtime = createRuntime(new Scheduler(), new HostMemory({ size: 4 << 20 }));
  fn = new FakeFunction();
  pci = IOPCIDevice.createFor(runtime, fn, { bus: 2, device: 0, function: 1 });
  driver = new IOService(runtime);
});

describe('IOPCIDevice configuration space', () => {
  it('presents the identity: IDs, revision, class code, header type, subsystem, capability list', () => {
    expect(pci.Open(driver, 0)).toBe(kIOReturnSuccess);
    expect(cfg16(0x00)).toBe(FAKE_VENDOR);
    expect(cfg16(0x02)).toBe(FAKE_DEVICE);
    expect(cfg32(0x00)).toBe(((FAKE_DEVICE << 16) | FAKE_VENDOR) >>> 0);
    expect(cfg8(0x08)).toBe(0x03);
    expect(cfg32(0x08) >>> 8).toBe(0x020000);
    expect(cfg8(0x0e)).toBe(0x00);
    expect(cfg16(0x2c)).toBe(0x1e5b);
    expect(cfg16(0x2e)).toBe(0x0001);
    expect(cfg16(0x06) & 0x0010).toBe(0x0010);
    expect(cfg8(0x34)).not.toBe(0);
  });

  it('a 32-bit access ignores offset bits 0-1; 16-bit ignores bit 0; 8-bit uses every bit', () => {
    pci.Open(driver, 0);
    expect(cfg32(0x03)).toBe(cfg32(0x00));
    expect(cfg16(0x03)).toBe(FAKE_DEVICE);
    expect(cfg8(0x01)).toBe(FAKE_VENDOR >>> 8);
  });

  it('returns all-ones and drops writes when no session is open', () => {
    expect(cfg32(0x00)).toBe(0xffffffff);
    expect(cfg16(0x00)).toBe(0xffff);
    expect(cfg8(0x00)).toBe(0xff);
    pci.ConfigurationWrite16(kIOPCIConfigurationOffsetCommand, kIOPCICommandMemorySpace);
    pci.Open(driver, 0);
    expect(cfg16(kIOPCIConfigurationOffsetCommand) & kIOPCICommandMemorySpace).toBe(0);
  });

  it('returns all-ones outside the 4 KiB space and after surprise removal', () => {
    pci.Open(driver, 0);
    expect(cfg32(4096)).toBe(0xffffffff);
    expect(cfg32(-4)).toBe(0xffffffff);
    expect(cfg32(0xffc)).toBe(0);
    fn.removed = true;
    expect(cfg16(0x00)).toBe(0xffff);
  });

  it('keeps read-only registers read-only', () => {
    pci.Open(driver, 0);
    pci.ConfigurationWrite32(0x00, 0x12345678);
    expect(cfg16(0x00)).toBe(FAKE_VENDOR);
    expect(cfg16(0x02)).toBe(FAKE_DEVICE);
  });

  it('BAR size probing: all-ones written reads back the size mask and type bits', () => {
    pci.Open(driver, 0);
    const original0 = cfg32(BAR0);
    const original3 = cfg32(BAR3);
    expect(original0 & 0xf).toBe(0); // 32-bit, non-prefetchable memory
    expect(original0 % (128 * 1024)).toBe(0); // naturally aligned assignment
    pci.ConfigurationWrite32(BAR0, 0xffffffff);
    expect(cfg32(BAR0)).toBe(0xfffe0000); // 128 KiB
    pci.ConfigurationWrite32(BAR3, 0xffffffff);
    expect(cfg32(BAR3)).toBe(0xffffc000); // 16 KiB
    pci.ConfigurationWrite32(BAR1, 0xffffffff);
    expect(cfg32(BAR1)).toBe(0); // not implemented
    pci.ConfigurationWrite32(BAR0, original0);
    pci.ConfigurationWrite32(BAR3, original3);
    expect(cfg32(BAR0)).toBe(original0);
    expect(cfg32(BAR3)).toBe(original3);
  });

  it('an aperture whose BAR was left probed does not answer until the address is restored', () => {
    pci.Open(driver, 0);
    enable();
    fn.regs[4] = 0xcafe;
    const original = cfg32(BAR0);
    pci.ConfigurationWrite32(BAR0, 0xffffffff);
    expect(mem32(REGS, 0x10)).toBe(0xffffffff);
    pci.ConfigurationWrite32(BAR0, original);
    expect(mem32(REGS, 0x10)).toBe(0xcafe);
  });

  it('GetBusDeviceFunction reports the location given at creation', () => {
    const b = out<number>();
    const d = out<number>();
    const f = out<number>();
    expect(pci.GetBusDeviceFunction(b, d, f)).toBe(kIOReturnSuccess);
    expect([b.value, d.value, f.value]).toEqual([2, 0, 1]);
  });
});

describe('IOPCIDevice sessions', () => {
  it('Open is exclusive; the holder may re-open; another client gets kIOReturnExclusiveAccess', () => {
    const other = new IOService(runtime);
    expect(pci.Open(driver, 0)).toBe(kIOReturnSuccess);
    expect(pci.Open(other, 0)).toBe(kIOReturnExclusiveAccess);
    expect(pci.Open(driver, 0)).toBe(kIOReturnSuccess);
    pci.Close(other, 0); // not the holder: ignored
    expect(cfg16(0)).toBe(FAKE_VENDOR);
    pci.Close(driver, 0);
    expect(pci.Open(other, 0)).toBe(kIOReturnSuccess);
  });

  it('Close clears Bus Master Enable and Memory Space Enable', () => {
    pci.Open(driver, 0);
    enable();
    expect(fn.bus!.busMasterEnabled()).toBe(true);
    pci.Close(driver, 0);
    expect(fn.bus!.busMasterEnabled()).toBe(false);
    pci.Open(driver, 0);
    expect(
      cfg16(kIOPCIConfigurationOffsetCommand) & (kIOPCICommandBusMaster | kIOPCICommandMemorySpace),
    ).toBe(0);
    expect(mem32(REGS, 0)).toBe(0xffffffff);
  });

  it('Reset resets the function but keeps the configuration the OS restores', () => {
    expect(pci.Reset(0)).toBe(kIOReturnNotOpen);
    pci.Open(driver, 0);
    enable();
    pci.MemoryWrite32(REGS, 0x100, 7);
    expect(pci.Reset(0)).toBe(kIOReturnSuccess);
    expect(fn.resets).toBe(1);
    expect(mem32(REGS, 0x100)).toBe(0);
    expect(cfg16(kIOPCIConfigurationOffsetCommand) & kIOPCICommandMemorySpace).toBe(kIOPCICommandMemorySpace);
  });
});

describe('IOPCIDevice apertures', () => {
  it('GetBARInfo translates BAR numbers to memory indexes', () => {
    const index = out<number>();
    const size = out<number>();
    const type = out<number>();
    expect(pci.GetBARInfo(0, index, size, type)).toBe(kIOReturnSuccess);
    expect([index.value, size.value, type.value]).toEqual([0, 128 * 1024, kPCIBARTypeM32]);
    expect(pci.GetBARInfo(3, index, size, type)).toBe(kIOReturnSuccess);
    expect([index.value, size.value, type.value]).toEqual([1, 16 * 1024, kPCIBARTypeM32]);
    // An unimplemented BAR is "not found"; a number that cannot be a BAR is a bad argument.
    expect(pci.GetBARInfo(1, index, size, type)).toBe(kIOReturnNotFound);
    expect(pci.GetBARInfo(6, index, size, type)).toBe(kIOReturnBadArgument);
  });

  it('MemoryRead32/MemoryWrite32 reach the function by memory index, not BAR number', () => {
    pci.Open(driver, 0);
    enable(kIOPCICommandMemorySpace);
    pci.MemoryWrite32(REGS, 0x3818, 0xdeadbeef);
    expect(fn.regs[0x3818 / 4]).toBe(0xdeadbeef);
    expect(mem32(REGS, 0x3818)).toBe(0xdeadbeef);
    expect(fn.log).toEqual(['w0:3818=deadbeef', 'r0:3818']);
    // Memory index 1 is the MSI-X BAR, served by IOPCIDevice: the function never sees it.
    fn.log.length = 0;
    pci.MemoryWrite32(MSIX, 0, 0x1234);
    expect(mem32(MSIX, 0)).toBe(0x1234);
    expect(fn.log).toEqual([]);
  });

  it('reads all-ones and drops writes without a session', () => {
    fn.regs[1] = 5;
    expect(mem32(REGS, 4)).toBe(0xffffffff);
    pci.MemoryWrite32(REGS, 4, 9);
    expect(fn.regs[1]).toBe(5);
    expect(fn.log).toEqual([]);
  });

  it('reads all-ones and drops writes while Memory Space Enable is clear', () => {
    pci.Open(driver, 0);
    fn.regs[1] = 5;
    expect(mem32(REGS, 4)).toBe(0xffffffff);
    pci.MemoryWrite32(REGS, 4, 9);
    expect(fn.regs[1]).toBe(5);
    enable(kIOPCICommandMemorySpace);
    expect(mem32(REGS, 4)).toBe(5);
  });

  it('reads all-ones and drops writes after surprise removal', () => {
    pci.Open(driver, 0);
    enable();
    fn.regs[1] = 5;
    fn.removed = true;
    expect(mem32(REGS, 4)).toBe(0xffffffff);
    pci.MemoryWrite32(REGS, 4, 9);
    expect(fn.regs[1]).toBe(5);
    expect(fn.bus!.busMasterEnabled()).toBe(false);
  });

  it('reads all-ones for a bad index, an offset past the end, or a misaligned offset', () => {
    pci.Open(driver, 0);
    enable();
    fn.regs[0] = 1;
    expect(mem32(REGS, 0)).toBe(1);
    expect(mem32(2, 0)).toBe(0xffffffff);
    expect(mem32(-1, 0)).toBe(0xffffffff);
    expect(mem32(REGS, 128 * 1024)).toBe(0xffffffff);
    expect(mem32(REGS, 128 * 1024 - 4)).toBe(0);
    expect(mem32(REGS, 2)).toBe(0xffffffff);
    expect(mem32(MSIX, 16 * 1024)).toBe(0xffffffff);
  });

  it('64-bit accesses are two 32-bit accesses, low dword first', () => {
    pci.Open(driver, 0);
    enable();
    pci.MemoryWrite64(REGS, 0x2800, 0x0000_0001_8000_0040n);
    expect(fn.log).toEqual(['w0:2800=80000040', 'w0:2804=1']);
    const v = out<bigint>();
    pci.MemoryRead64(REGS, 0x2800, v);
    expect(v.value).toBe(0x0000_0001_8000_0040n);
    expect(fn.log.slice(2)).toEqual(['r0:2800', 'r0:2804']);
    pci.MemoryRead64(REGS, 128 * 1024 - 4, v);
    expect(v.value).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('8/16-bit reads extract from the containing dword; narrow writes fill other lanes with zero', () => {
    pci.Open(driver, 0);
    enable();
    fn.regs[2] = 0xa1b2c3d4;
    const v = out<number>();
    pci.MemoryRead16(REGS, 10, v);
    expect(v.value).toBe(0xa1b2);
    pci.MemoryRead8(REGS, 9, v);
    expect(v.value).toBe(0xc3);
    expect(fn.log).toEqual(['r0:8', 'r0:8']);
    pci.MemoryWrite16(REGS, 10, 0x5566);
    expect(fn.regs[2]).toBe(0x55660000);
    pci.MemoryWrite8(REGS, 8, 0x77);
    expect(fn.regs[2]).toBe(0x77);
    pci.MemoryRead16(REGS, 9, v); // misaligned 16-bit
    expect(v.value).toBe(0xffff);
  });
});

describe('IOPCIDevice MSI-X', () => {
  let queue: IODispatchQueue;
  let deliveries: number[];

  function source(vector: number): IOInterruptDispatchSource {
    const s = out<IOInterruptDispatchSource>();
    expect(IOInterruptDispatchSource.Create(pci, vector, queue, s)).toBe(kIOReturnSuccess);
    const action = new OSAction<[number, number]>(driver, queue, (_a, count) => deliveries.push(count));
    s.value!.SetHandler(action);
    action.release();
    s.value!.SetEnable(true);
    return s.value!;
  }
  function run(): void {
    runtime.scheduler.runUntilIdle();
  }

  beforeEach(() => {
    queue = IODispatchQueue.createIn(runtime, 'irq');
    deliveries = [];
    pci.Open(driver, 0);
    enable();
  });

  it('FindPCICapability finds MSI-X (0x11) with the table size, and PCI Express', () => {
    const at = msixCap();
    expect(cfg8(at)).toBe(0x11);
    expect(cfg16(at + 2) & 0x7ff).toBe(4); // N − 1
    expect(cfg32(at + 4) & 7).toBe(3); // table BIR = BAR3
    expect(cfg32(at + 8)).toBe(PBA_OFFSET | 3);
    const found = out<number>();
    expect(pci.FindPCICapability(kIOPCICapabilityIDPCIExpress, 0, found)).toBe(kIOReturnSuccess);
    expect(cfg8(found.value!)).toBe(0x10);
    // Continuing after the only MSI-X capability finds no other; absent IDs are not found.
    expect(pci.FindPCICapability(kIOPCICapabilityIDMSIX, at, found)).toBe(kIOReturnNotFound);
    expect(pci.FindPCICapability(0x05, 0, found)).toBe(kIOReturnNotFound);
    expect(pci.FindPCICapability(-0x0001, 0, found)).toBe(kIOReturnNotFound);
  });

  it('names the source registered for a vector (host side), and forgets it on Cancel', () => {
    const s = source(1);
    expect(pci.interruptSourceFor(1)).toBe(s);
    expect(pci.interruptSourceFor(0)).toBeNull();
    expect(pci.interruptSourceFor(99)).toBeNull();
    s.Cancel();
    expect(pci.interruptSourceFor(1)).toBeNull();
    s.release();
  });

  it('holds a message as pending while MSI-X is disabled and delivers it when enabled', () => {
    source(2);
    fn.bus!.signalMsix(2);
    run();
    expect(deliveries).toEqual([]);
    expect(pci.isMsixPending(2)).toBe(true);
    expect(mem32(MSIX, PBA_OFFSET)).toBe(1 << 2);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 5, 0)).toBe(kIOReturnSuccess);
    run();
    expect(deliveries).toEqual([1]);
    expect(mem32(MSIX, PBA_OFFSET)).toBe(0);
    expect(cfg16(msixCap() + 2) & kMSIXControlEnable).toBe(kMSIXControlEnable);
  });

  it('delivers only when enabled, function unmasked and vector unmasked', () => {
    source(1);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 5, 0)).toBe(kIOReturnSuccess);
    fn.bus!.signalMsix(1);
    run();
    expect(deliveries).toEqual([1]);

    // Function Mask: held, then delivered on clear.
    const control = msixCap() + 2;
    pci.ConfigurationWrite16(control, kMSIXControlEnable | kMSIXControlFunctionMask);
    fn.bus!.signalMsix(1);
    run();
    expect(deliveries).toEqual([1]);
    expect(pci.isMsixPending(1)).toBe(true);
    pci.ConfigurationWrite16(control, kMSIXControlEnable);
    run();
    expect(deliveries).toEqual([1, 1]);

    // Per-vector mask in the table (entry 1, vector control at +12).
    pci.MemoryWrite32(MSIX, 16 + 12, 1);
    fn.bus!.signalMsix(1);
    fn.bus!.signalMsix(1);
    run();
    expect(deliveries).toEqual([1, 1]);
    pci.MemoryWrite32(MSIX, 16 + 12, 0);
    run();
    expect(deliveries).toEqual([1, 1, 1]); // one pending bit, one message
    expect(pci.isMsixPending(1)).toBe(false);
  });

  it('vectors beyond the granted count stay masked', () => {
    source(4);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 2, 0)).toBe(kIOReturnSuccess);
    expect(pci.configuredVectorCount).toBe(2);
    expect(mem32(MSIX, 4 * 16 + 12) & 1).toBe(1);
    fn.bus!.signalMsix(4);
    run();
    expect(deliveries).toEqual([]);
    expect(pci.isMsixPending(4)).toBe(true);
  });

  it('ConfigureInterrupts checks type and counts against the table size', () => {
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessaged, 1, 1, 0)).toBe(kIOReturnUnsupported);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 6, 6, 0)).toBe(kIOReturnNoResources);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 3, 2, 0)).toBe(kIOReturnBadArgument);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 0, 2, 0)).toBe(kIOReturnBadArgument);
    expect(pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 64, 0)).toBe(kIOReturnSuccess);
    expect(pci.configuredVectorCount).toBe(5);
  });

  it('one source per vector; an index past the table is a bad argument', () => {
    const first = source(0);
    const s = out<IOInterruptDispatchSource>();
    expect(IOInterruptDispatchSource.Create(pci, 0, queue, s)).toBe(kIOReturnExclusiveAccess);
    expect(IOInterruptDispatchSource.Create(pci, 5, queue, s)).toBe(kIOReturnBadArgument);
    expect(s.value).toBeNull();
    first.Cancel();
    expect(IOInterruptDispatchSource.Create(pci, 0, queue, s)).toBe(kIOReturnSuccess);
    s.value!.release();
    first.release();
  });

  it('a removed function cannot interrupt', () => {
    source(0);
    pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 5, 0);
    fn.removed = true;
    fn.bus!.signalMsix(0);
    run();
    expect(deliveries).toEqual([]);
  });

  it('sources, queue and device release cleanly', () => {
    const s = source(3);
    s.Cancel();
    s.release();
    queue.release();
    pci.Close(driver, 0);
    pci.release();
    driver.release();
    expect([...runtime.liveObjects.entries()]).toEqual([]);
  });
});

describe('IOPCIDevice.createFor', () => {
  it('lays out a 64-bit BAR over two registers and honours msixTableBar', () => {
    const f = new FakeFunction();
    Object.assign(f, {
      identity: {
        ...f.identity,
        bars: [
          { bar: 0, size: 1 << 20, type: kPCIBARTypeM64 },
          { bar: 2, size: 16 * 1024, type: kPCIBARTypeM32 },
        ],
        msixTableBar: 2,
      },
    });
    const dev = IOPCIDevice.createFor(runtime, f);
    dev.Open(driver, 0);
    const v = out<number>();
    dev.ConfigurationRead32(BAR0, v);
    expect(v.value! & 0xf).toBe(0x4); // memory, 64-bit, non-prefetchable
    dev.ConfigurationWrite32(BAR0, 0xffffffff);
    dev.ConfigurationWrite32(BAR1, 0xffffffff);
    dev.ConfigurationRead32(BAR0, v);
    expect(v.value).toBe(0xfff00004);
    dev.ConfigurationRead32(BAR1, v);
    expect(v.value).toBe(0xffffffff);
    const index = out<number>();
    const size = out<number>();
    const type = out<number>();
    expect(dev.GetBARInfo(0, index, size, type)).toBe(kIOReturnSuccess);
    expect([index.value, size.value, type.value]).toEqual([0, 1 << 20, kPCIBARTypeM64]);
    expect(dev.GetBARInfo(1, index, size, type)).toBe(kIOReturnNotFound); // upper half
    expect(dev.GetBARInfo(2, index, size, type)).toBe(kIOReturnSuccess);
    expect(index.value).toBe(1);
    const cap = out<number>();
    expect(dev.FindPCICapability(kIOPCICapabilityIDMSIX, 0, cap)).toBe(kIOReturnSuccess);
    dev.ConfigurationRead32(cap.value! + 4, v);
    expect(v.value! & 7).toBe(2); // table BIR
    dev.release();
  });

  it('refuses an identity it cannot present', () => {
    const base = new FakeFunction().identity;
    const withIdentity = (identity: object) =>
      Object.assign(new FakeFunction(), { identity: { ...base, ...identity } });
    // MSI-X vectors but no table BAR.
    expect(() => IOPCIDevice.createFor(runtime, withIdentity({ bars: [base.bars[0]] }))).toThrow(/MSI-X/);
    // A size that is not a power of two.
    expect(() =>
      IOPCIDevice.createFor(
        runtime,
        withIdentity({ bars: [{ bar: 0, size: 3000, type: kPCIBARTypeM32 }], msixVectors: 0 }),
      ),
    ).toThrow(/power of two/);
    // Two descriptions of one BAR (a 64-bit BAR 0 also takes BAR 1).
    expect(() =>
      IOPCIDevice.createFor(
        runtime,
        withIdentity({
          bars: [
            { bar: 0, size: 4096, type: kPCIBARTypeM64 },
            { bar: 1, size: 4096, type: kPCIBARTypeM32 },
          ],
          msixVectors: 0,
        }),
      ),
    ).toThrow(/twice/);
    // A table too large for its BAR (2048 vectors × 16 B > 8 KiB).
    expect(() => IOPCIDevice.createFor(runtime, withIdentity({ msixVectors: 2048 }))).toThrow(/too small/);
  });

  it('a function without MSI-X has no MSI-X capability and refuses ConfigureInterrupts', () => {
    const f = Object.assign(new FakeFunction(), {
      identity: { ...new FakeFunction().identity, msixVectors: 0 },
    });
    const dev = IOPCIDevice.createFor(runtime, f);
    const cap = out<number>();
    expect(dev.FindPCICapability(kIOPCICapabilityIDMSIX, 0, cap)).toBe(kIOReturnNotFound);
    expect(dev.FindPCICapability(kIOPCICapabilityIDPCIExpress, 0, cap)).toBe(kIOReturnSuccess);
    expect(dev.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, 1, 1, 0)).toBe(kIOReturnUnsupported);
    dev.release();
  });

  it('attaches the function to a bus port over the runtime', () => {
    expect(fn.bus).not.toBeNull();
    expect(fn.bus!.scheduler).toBe(runtime.scheduler);
    expect(fn.bus!.memory).toBe(runtime.memory);
    expect(fn.bus!.busMasterEnabled()).toBe(false); // command register starts at 0
  });
});
