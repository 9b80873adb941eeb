import { describe, expect, it } from 'vitest';
import * as IOR from '../../driver-runtime/kit/io-return.ts';
import { OSData, OSObject, safeRelease } from '../../driver-runtime/kit/os-object.ts';
import {
  createRuntime,
  currentRuntime,
  liveObjectCount,
  withRuntime,
} from '../../driver-runtime/kit/runtime.ts';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';

/** driverkit.md §3, copied from the table (source: XNU iokit/IOKit/IOReturn.h). */
const TABLE: Record<string, number> = {
  kIOReturnSuccess: 0x00000000,
  kIOReturnError: 0xe00002bc,
  kIOReturnNoMemory: 0xe00002bd,
  kIOReturnNoResources: 0xe00002be,
  kIOReturnIPCError: 0xe00002bf,
  kIOReturnNoDevice: 0xe00002c0,
  kIOReturnNotPrivileged: 0xe00002c1,
  kIOReturnBadArgument: 0xe00002c2,
  kIOReturnExclusiveAccess: 0xe00002c5,
  kIOReturnUnsupported: 0xe00002c7,
  kIOReturnVMError: 0xe00002c8,
  kIOReturnInternalError: 0xe00002c9,
  kIOReturnIOError: 0xe00002ca,
  kIOReturnCannotLock: 0xe00002cc,
  kIOReturnNotOpen: 0xe00002cd,
  kIOReturnDMAError: 0xe00002d4,
  kIOReturnBusy: 0xe00002d5,
  kIOReturnTimeout: 0xe00002d6,
  kIOReturnOffline: 0xe00002d7,
  kIOReturnNotReady: 0xe00002d8,
  kIOReturnNotAttached: 0xe00002d9,
  kIOReturnNoSpace: 0xe00002db,
  kIOReturnNoInterrupt: 0xe00002df,
  kIOReturnMessageTooLarge: 0xe00002e1,
  kIOReturnNotPermitted: 0xe00002e2,
  kIOReturnUnderrun: 0xe00002e7,
  kIOReturnOverrun: 0xe00002e8,
  kIOReturnDeviceError: 0xe00002e9,
  kIOReturnNoCompletion: 0xe00002ea,
  kIOReturnAborted: 0xe00002eb,
  kIOReturnNotResponding: 0xe00002ed,
  kIOReturnNotFound: 0xe00002f0,
  kIOReturnInvalid: 0xe0000001,
};

function newRuntime() {
  return createRuntime(new Scheduler(), new HostMemory({ size: 4 << 20 }));
}

describe('IOReturn', () => {
  it.each(Object.entries(TABLE))('%s matches driverkit.md §3', (name, value) => {
    const exported = (IOR as Record<string, unknown>)[name];
    expect(exported).toBe(value);
  });

  it('every error code is sys_iokit | sub_iokit_common | code', () => {
    for (const [name, value] of Object.entries(IOR)) {
      if (typeof value !== 'number' || name === 'kIOReturnSuccess') continue;
      expect((value & 0xfc000000) >>> 0, name).toBe(0xe0000000);
      expect((value >>> 14) & 0xfff, name).toBe(0);
    }
  });

  it('codes that do not exist in IOReturn.h are not exported', () => {
    expect('kIOReturnStall' in IOR).toBe(false);
    expect('kIOReturnDropped' in IOR).toBe(false);
  });

  it('ioReturnName names codes with their hex value', () => {
    expect(IOR.ioReturnName(IOR.kIOReturnBadArgument)).toBe('kIOReturnBadArgument (0xe00002c2)');
    expect(IOR.ioReturnName(IOR.kIOReturnSuccess)).toBe('kIOReturnSuccess (0x00000000)');
    // Signed int32 form, as it may come back across a C ABI.
    expect(IOR.ioReturnName(-536870174)).toBe('kIOReturnNotPermitted (0xe00002e2)');
    expect(IOR.ioReturnName(0xe0001234)).toBe('unknown IOReturn (0xe0001234)');
  });
});

class Tracked extends OSObject {
  freeCalls = 0;
  protected override free(): void {
    this.freeCalls++;
  }
}

describe('OSObject', () => {
  it('starts with one reference; release to zero frees once and drops the live count', () => {
    const rt = newRuntime();
    const o = new Tracked(rt);
    expect(o.getRetainCount()).toBe(1);
    expect(rt.liveObjects.get('Tracked')).toBe(1);
    expect(o.retain()).toBe(o);
    o.release();
    expect(o.freeCalls).toBe(0);
    expect(o.isFreed).toBe(false);
    o.release();
    expect(o.freeCalls).toBe(1);
    expect(o.isFreed).toBe(true);
    expect(rt.liveObjects.has('Tracked')).toBe(false);
  });

  it('counts live objects per class', () => {
    const rt = newRuntime();
    const a = new Tracked(rt);
    const b = new Tracked(rt);
    const d = OSData.withBytes(new Uint8Array([1, 2, 3]), rt);
    expect(rt.liveObjects.get('Tracked')).toBe(2);
    expect(rt.liveObjects.get('OSData')).toBe(1);
    expect(liveObjectCount(rt)).toBe(3);
    a.release();
    expect(rt.liveObjects.get('Tracked')).toBe(1);
    b.release();
    d.release();
    expect(liveObjectCount(rt)).toBe(0);
  });

  it('over-release and retain after free throw', () => {
    const o = new Tracked(newRuntime());
    o.release();
    expect(() => o.release()).toThrow(/over-release/);
    expect(() => o.retain()).toThrow(/after free/);
    expect(o.freeCalls).toBe(1);
  });

  it('safeRelease releases and returns null', () => {
    const o = new Tracked(newRuntime());
    expect(safeRelease(o)).toBeNull();
    expect(o.isFreed).toBe(true);
    expect(safeRelease(null)).toBeNull();
  });

  it('needs a current runtime unless given one; withRuntime nests and restores', () => {
    expect(() => new Tracked()).toThrow(/outside a runtime/);
    const outer = newRuntime();
    const inner = newRuntime();
    withRuntime(outer, () => {
      expect(currentRuntime()).toBe(outer);
      withRuntime(inner, () => expect(new Tracked().runtime).toBe(inner));
      expect(currentRuntime()).toBe(outer);
      expect(() =>
        withRuntime(inner, () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(currentRuntime()).toBe(outer);
    });
    expect(inner.liveObjects.get('Tracked')).toBe(1);
    expect(() => currentRuntime()).toThrow();
  });

  it('OSData copies its bytes', () => {
    const src = new Uint8Array([1, 2, 3]);
    const d = OSData.withBytes(src, newRuntime());
    src[0] = 9;
    expect(Array.from(d.getBytesNoCopy())).toEqual([1, 2, 3]);
    expect(d.getLength()).toBe(3);
  });
});
