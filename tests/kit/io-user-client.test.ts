/**
 * IOUserClient's base ExternalMethod (driverkit.md §1.3): the dispatch entry's checks — the
 * completion, scalar counts, struct sizes with kIOUserClientVariableStructureSize as "don't
 * care" — each refused with kIOReturnBadArgument (the kernel's answer, which the reference
 * recommends mirroring), a missing entry refused likewise, and a null function after passing
 * checks answering kIOReturnNoCompletion. AsyncCompletion (§1.6) sends at most 16 values,
 * later, on the completion's queue, and drops what the kernel would refuse.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSData, out } from '../../driver-runtime/kit/os-object.ts';
import {
  IOUserClient,
  kIOUserClientAsyncArgumentsCountMax,
  kIOUserClientCompletionDontCare,
  kIOUserClientMethodArgumentsCurrentVersion,
  kIOUserClientScalarArrayCountMax,
  kIOUserClientVariableStructureSize,
  newMethodArguments,
  type IOUserClientMemory,
  type IOUserClientMethodArguments,
  type IOUserClientMethodDispatch,
} from '../../driver-runtime/kit/io-user-client.ts';
import { IOBufferMemoryDescriptor } from '../../driver-runtime/memory/buffer-memory-descriptor.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNoCompletion,
  kIOReturnNotReady,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../../driver-runtime/kit/io-return.ts';

type Completion = OSAction<[IOReturn, readonly number[]]>;

let rt: DextRuntime;
let uc: IOUserClient;
let queue: IODispatchQueue;
let called: { target: unknown; reference: unknown; args: IOUserClientMethodArguments }[];
let delivered: [IOReturn, readonly number[]][];

const fn = (target: unknown, reference: unknown, args: IOUserClientMethodArguments): IOReturn => {
  called.push({ target, reference, args });
  return kIOReturnNotReady; // a distinctive answer: the function's own, passed through
};

function entry(o: Partial<IOUserClientMethodDispatch> = {}): IOUserClientMethodDispatch {
  return {
    function: fn,
    checkCompletionExists: 0,
    checkScalarInputCount: 0,
    checkStructureInputSize: 0,
    checkScalarOutputCount: 0,
    checkStructureOutputSize: 0,
    ...o,
  };
}

function completion(): Completion {
  return new OSAction<[IOReturn, readonly number[]]>(uc, queue, (_a, status, args) =>
    delivered.push([status, args]),
  );
}

function argsWith(o: Partial<IOUserClientMethodArguments> = {}): IOUserClientMethodArguments {
  return { ...newMethodArguments(5), ...o };
}

function descriptor(length: number): IOUserClientMemory {
  const d = out<IOBufferMemoryDescriptor>();
  expect(IOBufferMemoryDescriptor.Create(0, length, 0, d)).toBe(kIOReturnSuccess);
  return d.value!;
}

function call(dispatch: IOUserClientMethodDispatch | null, args = argsWith()): IOReturn {
  return withRuntime(rt, () => uc.ExternalMethod(5, args, dispatch, 'target', 'ref'));
}

const run = () => rt.scheduler.runUntil(rt.scheduler.now);

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 1 << 20 }));
  withRuntime(rt, () => {
    uc = new IOUserClient();
    queue = IODispatchQueue.createIn(rt, 'completions');
  });
  called = [];
  delivered = [];
});

describe('newMethodArguments', () => {
  it('is an empty record of the current version with room for 16 scalars', () => {
    const a = newMethodArguments(7);
    expect(a.version).toBe(kIOUserClientMethodArgumentsCurrentVersion);
    expect(a.version).toBe(2);
    expect(a.selector).toBe(7);
    expect(a.scalarOutput).toEqual(new Array(kIOUserClientScalarArrayCountMax).fill(0));
    expect(a.scalarOutput).toHaveLength(16);
    expect([a.completion, a.structureInput, a.structureInputDescriptor, a.structureOutput]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(a.structureOutputDescriptor).toBeNull();
    expect([a.scalarInputCount, a.scalarOutputCount, a.structureOutputMaximumSize]).toEqual([0, 0, 0]);
  });
});

describe('IOUserClient.ExternalMethod: the dispatch checks', () => {
  it('passing every check calls the function with target, reference and arguments, and returns its answer', () => {
    const args = argsWith();
    expect(call(entry(), args)).toBe(kIOReturnNotReady);
    expect(called).toHaveLength(1);
    expect(called[0]).toEqual({ target: 'target', reference: 'ref', args });
    expect(called[0].args).toBe(args);
  });

  it('no dispatch entry (a selector beyond the table) is kIOReturnBadArgument', () => {
    expect(call(null)).toBe(kIOReturnBadArgument);
    expect(called).toHaveLength(0);
  });

  it('a wrong scalar input count is kIOReturnBadArgument, too many or too few', () => {
    const d = entry({ checkScalarInputCount: 2 });
    expect(call(d, argsWith({ scalarInput: [1], scalarInputCount: 1 }))).toBe(kIOReturnBadArgument);
    expect(call(d, argsWith({ scalarInput: [1, 2, 3], scalarInputCount: 3 }))).toBe(kIOReturnBadArgument);
    expect(called).toHaveLength(0);
    expect(call(d, argsWith({ scalarInput: [1, 2], scalarInputCount: 2 }))).toBe(kIOReturnNotReady);
  });

  it('a wrong scalar output count is kIOReturnBadArgument', () => {
    const d = entry({ checkScalarOutputCount: 1 });
    expect(call(d, argsWith({ scalarOutputCount: 0 }))).toBe(kIOReturnBadArgument);
    expect(call(d, argsWith({ scalarOutputCount: 2 }))).toBe(kIOReturnBadArgument);
    expect(called).toHaveLength(0);
    expect(call(d, argsWith({ scalarOutputCount: 1 }))).toBe(kIOReturnNotReady);
  });

  it('a wrong struct input size is kIOReturnBadArgument, in-band or out-of-line', () => {
    withRuntime(rt, () => {
      const d = entry({ checkStructureInputSize: 16 });
      expect(call(d, argsWith({ structureInput: OSData.withBytes(new Uint8Array(15)) }))).toBe(
        kIOReturnBadArgument,
      );
      expect(call(d, argsWith({ structureInput: OSData.withBytes(new Uint8Array(17)) }))).toBe(
        kIOReturnBadArgument,
      );
      expect(call(d)).toBe(kIOReturnBadArgument); // no input at all is size 0
      expect(called).toHaveLength(0);
      expect(call(d, argsWith({ structureInput: OSData.withBytes(new Uint8Array(16)) }))).toBe(
        kIOReturnNotReady,
      );
      // A descriptor is measured by its length.
      const big = entry({ checkStructureInputSize: 5000 });
      expect(call(big, argsWith({ structureInputDescriptor: descriptor(4999) }))).toBe(kIOReturnBadArgument);
      expect(call(big, argsWith({ structureInputDescriptor: descriptor(5000) }))).toBe(kIOReturnNotReady);
    });
  });

  it('a wrong struct output size is kIOReturnBadArgument', () => {
    const d = entry({ checkStructureOutputSize: 128 });
    expect(call(d, argsWith({ structureOutputMaximumSize: 127 }))).toBe(kIOReturnBadArgument);
    expect(call(d, argsWith({ structureOutputMaximumSize: 129 }))).toBe(kIOReturnBadArgument);
    expect(call(d, argsWith({ structureOutputMaximumSize: kIOUserClientVariableStructureSize }))).toBe(
      kIOReturnBadArgument,
    );
    expect(called).toHaveLength(0);
    expect(call(d, argsWith({ structureOutputMaximumSize: 128 }))).toBe(kIOReturnNotReady);
  });

  it('kIOUserClientVariableStructureSize accepts any count and size', () => {
    withRuntime(rt, () => {
      const V = kIOUserClientVariableStructureSize;
      const d = entry({
        checkScalarInputCount: V,
        checkStructureInputSize: V,
        checkScalarOutputCount: V,
        checkStructureOutputSize: V,
      });
      for (const a of [
        argsWith(),
        argsWith({ scalarInput: [1, 2, 3], scalarInputCount: 3, scalarOutputCount: 16 }),
        argsWith({ structureInput: OSData.withBytes(new Uint8Array(4096)), structureOutputMaximumSize: 1 }),
        argsWith({ structureInputDescriptor: descriptor(70_000), structureOutputMaximumSize: V }),
      ])
        expect(call(d, a)).toBe(kIOReturnNotReady);
      expect(called).toHaveLength(4);
    });
  });

  it('an async method (completion required) called without one is kIOReturnBadArgument', () => {
    const d = entry({ checkCompletionExists: 1 });
    expect(call(d)).toBe(kIOReturnBadArgument);
    expect(called).toHaveLength(0);
    expect(call(d, argsWith({ completion: completion() }))).toBe(kIOReturnNotReady);
  });

  it('a sync method (completion forbidden) called with one is kIOReturnBadArgument', () => {
    const d = entry({ checkCompletionExists: 0 });
    expect(call(d, argsWith({ completion: completion() }))).toBe(kIOReturnBadArgument);
    expect(called).toHaveLength(0);
    expect(call(d)).toBe(kIOReturnNotReady);
  });

  it("completion don't-care accepts both", () => {
    const d = entry({ checkCompletionExists: kIOUserClientCompletionDontCare });
    expect(kIOUserClientCompletionDontCare).toBe(0xffffffff);
    expect(call(d)).toBe(kIOReturnNotReady);
    expect(call(d, argsWith({ completion: completion() }))).toBe(kIOReturnNotReady);
    expect(called).toHaveLength(2);
  });

  it('a null function after every check passes is kIOReturnNoCompletion; a failed check still wins', () => {
    expect(call(entry({ function: null }))).toBe(kIOReturnNoCompletion);
    expect(call(entry({ function: null, checkScalarInputCount: 1 }))).toBe(kIOReturnBadArgument);
    expect(call(entry({ function: null, checkCompletionExists: 1 }))).toBe(kIOReturnBadArgument);
  });

  it('the base CopyClientMemoryForType serves nothing', () => {
    const options = out<number>();
    const memory = out<IOUserClientMemory>();
    expect(uc.CopyClientMemoryForType(0, options, memory)).toBe(kIOReturnUnsupported);
    expect(memory.value).toBeNull();
  });
});

describe('IOUserClient.AsyncCompletion', () => {
  it('delivers status and values later, on the completion’s queue, never inline', () => {
    const c = completion();
    uc.AsyncCompletion(c, kIOReturnSuccess, [1, 2, 3], 3);
    expect(delivered).toEqual([]);
    run();
    expect(delivered).toEqual([[kIOReturnSuccess, [1, 2, 3]]]);
  });

  it('sends up to 16 values; 17 is dropped whole (kIOReturnMessageTooLarge cannot be reported)', () => {
    expect(kIOUserClientAsyncArgumentsCountMax).toBe(16);
    const c = completion();
    const sixteen = Array.from({ length: 16 }, (_, i) => i + 100);
    const seventeen = [...sixteen, 117];
    uc.AsyncCompletion(c, kIOReturnSuccess, seventeen, 17);
    run();
    expect(delivered).toEqual([]);
    uc.AsyncCompletion(c, kIOReturnSuccess, sixteen, 16);
    run();
    expect(delivered).toEqual([[kIOReturnSuccess, sixteen]]);
  });

  it('sends only asyncDataCount values; a count beyond the data or below 0 is dropped', () => {
    const c = completion();
    uc.AsyncCompletion(c, kIOReturnSuccess, [1, 2, 3, 4], 2);
    uc.AsyncCompletion(c, kIOReturnSuccess, [1, 2], 3);
    uc.AsyncCompletion(c, kIOReturnSuccess, [1, 2], -1);
    uc.AsyncCompletion(c, kIOReturnNotReady, [], 0);
    run();
    expect(delivered).toEqual([
      [kIOReturnSuccess, [1, 2]],
      [kIOReturnNotReady, []],
    ]);
  });

  it('the values are copied when sent: later changes to the array are not seen', () => {
    const c = completion();
    const data = [1, 2];
    uc.AsyncCompletion(c, kIOReturnSuccess, data, 2);
    data[0] = 99;
    run();
    expect(delivered).toEqual([[kIOReturnSuccess, [1, 2]]]);
  });

  it('a completion can fire more than once while retained', () => {
    const c = completion();
    uc.AsyncCompletion(c, kIOReturnSuccess, [1], 1);
    run();
    uc.AsyncCompletion(c, kIOReturnSuccess, [2], 1);
    run();
    expect(delivered.map(([, a]) => a[0])).toEqual([1, 2]);
  });

  it('the message holds the completion until delivered; a cancelled one gets nothing', () => {
    const c = completion();
    uc.AsyncCompletion(c, kIOReturnSuccess, [7], 1);
    expect(c.getRetainCount()).toBe(2);
    c.release(); // the driver lets go before the message is delivered
    expect(c.isFreed).toBe(false);
    run();
    expect(delivered).toEqual([[kIOReturnSuccess, [7]]]);
    expect(c.isFreed).toBe(true);

    const cancelled = completion();
    cancelled.Cancel();
    uc.AsyncCompletion(cancelled, kIOReturnSuccess, [8], 1);
    expect(cancelled.getRetainCount()).toBe(1);
    run();
    expect(delivered).toHaveLength(1);
    // Cancelled after sending, before delivery: the message finds it cancelled.
    const late = completion();
    uc.AsyncCompletion(late, kIOReturnSuccess, [9], 1);
    late.Cancel();
    run();
    expect(delivered).toHaveLength(1);
    expect(late.getRetainCount()).toBe(1); // the message's reference went with it
  });
});
