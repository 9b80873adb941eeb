import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OS_ACTION_MAX_REFERENCE_BYTES, OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSObject, out, type Out } from '../../driver-runtime/kit/os-object.ts';
import { IOTimerDispatchSource } from '../../driver-runtime/kit/timer-source.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNoMemory,
  kIOReturnSuccess,
  type IOReturn,
} from '../../driver-runtime/kit/io-return.ts';

let rt: DextRuntime;
let queue: IODispatchQueue;
let target: OSObject;
let calls: number[];

const handler = (_a: OSAction<[number]>, time: number): void => {
  calls.push(time);
};

function create(referenceSize = 0): OSAction<[number]> {
  const a = out<OSAction<[number]>>();
  expect(OSAction.Create(target, queue, handler, referenceSize, a)).toBe(kIOReturnSuccess);
  return a.value!;
}

function timerWith(action: OSAction<[number]>): IOTimerDispatchSource {
  const t = out<IOTimerDispatchSource>();
  expect(IOTimerDispatchSource.Create(queue, t)).toBe(kIOReturnSuccess);
  t.value!.SetHandler(action);
  return t.value!;
}

function live(name: string): number {
  return rt.liveObjects.get(name) ?? 0;
}

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 1 << 20 }));
  queue = IODispatchQueue.createIn(rt, 'actions');
  target = new OSObject(rt);
  calls = [];
});

describe('OSAction.Create', () => {
  it('makes an action holding its target and queue, with a zero-filled reference area', () => {
    const a = create(24);
    expect(a.GetReference()).toEqual(new Uint8Array(24));
    expect(target.getRetainCount()).toBe(2);
    expect(queue.getRetainCount()).toBe(2);
    a.GetReference()![0] = 7; // the creator's own storage
    expect(a.GetReference()![0]).toBe(7);
    a.release();
    expect(target.getRetainCount()).toBe(1);
    expect(queue.getRetainCount()).toBe(1);
    expect(live('OSAction')).toBe(0);
  });

  it('gives no reference area when referenceSize is 0', () => {
    const a = create(0);
    expect(a.GetReference()).toBeNull();
    a.release();
  });

  it.each<[string, () => IOReturn]>([
    ['a negative size', () => OSAction.Create(target, queue, handler, -1, out())],
    ['a fractional size', () => OSAction.Create(target, queue, handler, 1.5, out())],
    ['NaN', () => OSAction.Create(target, queue, handler, NaN, out())],
    ['a size past 2^53 (size_t overflow)', () => OSAction.Create(target, queue, handler, 2 ** 60, out())],
    ['a null target', () => OSAction.Create(null, queue, handler, 8, out())],
    ['a null queue', () => OSAction.Create(target, null, handler, 8, out())],
    ['a null handler', () => OSAction.Create<[number]>(target, queue, null, 8, out())],
  ])('refuses %s with kIOReturnBadArgument', (_what, call) => {
    expect(call()).toBe(kIOReturnBadArgument);
    expect(live('OSAction')).toBe(0);
    expect(target.getRetainCount()).toBe(1);
    expect(queue.getRetainCount()).toBe(1);
  });

  it('answers an absurd reference size with kIOReturnNoMemory and leaves the out-parameter null', () => {
    const a: Out<OSAction<[number]>> = out();
    expect(OSAction.Create(target, queue, handler, OS_ACTION_MAX_REFERENCE_BYTES + 1, a)).toBe(
      kIOReturnNoMemory,
    );
    expect(a.value).toBeNull();
    expect(live('OSAction')).toBe(0);
  });

  it('refuses a target or queue that is no longer alive, and a cancelled queue', () => {
    const a: Out<OSAction<[number]>> = out();
    const gone = new OSObject(rt);
    gone.release();
    expect(OSAction.Create(gone, queue, handler, 0, a)).toBe(kIOReturnBadArgument);
    const cancelled = IODispatchQueue.createIn(rt, 'cancelled');
    cancelled.Cancel();
    expect(OSAction.Create(target, cancelled, handler, 0, a)).toBe(kIOReturnBadArgument);
    cancelled.release();
    expect(OSAction.Create(target, cancelled, handler, 0, a)).toBe(kIOReturnBadArgument);
    expect(a.value).toBeNull();
    expect(target.getRetainCount()).toBe(1);
  });
});

describe('OSAction delivery and Cancel', () => {
  it('delivers through a source on its queue, never inline', () => {
    const a = create();
    const timer = timerWith(a);
    timer.WakeAtTime(0, 1000, 0);
    expect(calls).toEqual([]);
    rt.scheduler.runUntilIdle();
    expect(calls).toEqual([1000]);
    timer.release();
    a.release();
  });

  it('delivers nothing after Cancel, and runs the cancel handler on the queue', () => {
    const a = create();
    const timer = timerWith(a);
    timer.WakeAtTime(0, 1000, 0);
    let done = 0;
    expect(a.Cancel(() => done++)).toBe(kIOReturnSuccess);
    expect(a.isCancelled).toBe(true);
    expect(done).toBe(0);
    rt.scheduler.runUntilIdle();
    expect(calls).toEqual([]);
    expect(done).toBe(1);
    a.invoke(5); // a direct call is refused too
    expect(calls).toEqual([]);
    timer.release();
    a.release();
    expect(live('OSAction')).toBe(0);
  });

  it('a delivery already queued finds the action cancelled', () => {
    const a = create();
    queue.DispatchAsync(() => a.invoke(1));
    a.Cancel();
    rt.scheduler.runUntilIdle();
    expect(calls).toEqual([]);
    a.release();
  });
});

describe('OSAction.SetAbortedHandler', () => {
  it('runs once, on the queue, when the last holder releases the action; then the action is freed', () => {
    const a = create();
    let aborted = 0;
    expect(a.SetAbortedHandler(() => aborted++)).toBe(kIOReturnSuccess);
    const timer = timerWith(a);
    a.release(); // the creator lets go; the timer still holds it
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(0);
    expect(live('OSAction')).toBe(1);
    timer.Cancel(); // the timer releases its handler: no one references the action now
    expect(aborted).toBe(0); // not inline
    expect(a.isCancelled).toBe(true);
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(1);
    expect(live('OSAction')).toBe(0);
    expect(target.getRetainCount()).toBe(1);
    timer.release();
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(1);
  });

  it('runs once after Cancel too, when the creator releases its reference', () => {
    const a = create();
    let aborted = 0;
    a.SetAbortedHandler(() => aborted++);
    a.Cancel();
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(0); // cancelled, but the creator still references it
    a.release();
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(1);
    expect(live('OSAction')).toBe(0);
  });

  it('lets the handler keep the action by retaining it; it stays cancelled and never aborts again', () => {
    const a = create();
    let aborted = 0;
    a.SetAbortedHandler(() => {
      aborted++;
      a.retain();
    });
    a.release();
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(1);
    expect(a.isFreed).toBe(false);
    a.invoke(3);
    expect(calls).toEqual([]);
    a.release();
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(1);
    expect(a.isFreed).toBe(true);
  });

  it('is removed with null; without one, the last release frees at once as before', () => {
    const a = create();
    let aborted = 0;
    a.SetAbortedHandler(() => aborted++);
    a.SetAbortedHandler(null);
    a.release();
    expect(a.isFreed).toBe(true);
    rt.scheduler.runUntilIdle();
    expect(aborted).toBe(0);
  });

  it('runs at once when the queue can no longer run anything', () => {
    const legacy = new OSAction<[number]>(target, queue, handler);
    let aborted = 0;
    legacy.SetAbortedHandler(() => aborted++);
    queue.Cancel();
    legacy.release();
    expect(aborted).toBe(1);
    expect(legacy.isFreed).toBe(true);
  });
});
