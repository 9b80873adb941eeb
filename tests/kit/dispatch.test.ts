import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSObject, out } from '../../driver-runtime/kit/os-object.ts';
import { IOTimerDispatchSource, kIOTimerClockUptimeRaw } from '../../driver-runtime/kit/timer-source.ts';
import {
  IOInterruptDispatchSource,
  type InterruptProvider,
} from '../../driver-runtime/kit/interrupt-source.ts';
import { IODataQueueDispatchSource } from '../../driver-runtime/kit/data-queue-source.ts';
import {
  IOService,
  kIOServiceDefaultQueueName,
  type ServiceRegistryHooks,
} from '../../driver-runtime/kit/io-service.ts';
import {
  kIOReturnBadArgument,
  kIOReturnExclusiveAccess,
  kIOReturnNotFound,
  kIOReturnOverrun,
  kIOReturnSuccess,
  kIOReturnUnderrun,
  type IOReturn,
} from '../../driver-runtime/kit/io-return.ts';

let rt: DextRuntime;
let queue: IODispatchQueue;
let owner: OSObject;

function run(until = Infinity): void {
  rt.scheduler.runUntil(until);
}

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 4 << 20 }));
  withRuntime(rt, () => {
    const q = out<IODispatchQueue>();
    expect(IODispatchQueue.Create('test', 0, 0, q)).toBe(kIOReturnSuccess);
    queue = q.value!;
    owner = new OSObject();
  });
});

describe('IODispatchQueue', () => {
  it('runs blocks later, in virtual time, serially and in FIFO order', () => {
    const order: string[] = [];
    queue.DispatchAsync(() => order.push('a'));
    queue.DispatchAsync(() => order.push('b'));
    queue.DispatchAsync(() => order.push('c'));
    expect(order).toEqual([]); // never inline
    run();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(queue.itemsRun).toBe(3);
  });

  it('items posted while draining run after the ones already queued', () => {
    const order: string[] = [];
    queue.DispatchAsync(() => {
      order.push('a');
      queue.DispatchAsync(() => order.push('posted-by-a'));
    });
    queue.DispatchAsync(() => order.push('b'));
    run();
    expect(order).toEqual(['a', 'b', 'posted-by-a']);
  });

  it('honours latencyNs: work queued at t runs at t + latency', () => {
    queue.latencyNs = 250;
    let at = -1;
    rt.scheduler.runUntil(1000);
    queue.DispatchAsync(() => (at = rt.scheduler.now));
    run(1249);
    expect(at).toBe(-1);
    run();
    expect(at).toBe(1250);
  });

  it('keeps FIFO order past its initial ring size', () => {
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) queue.DispatchAsync(() => seen.push(i));
    run();
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('Cancel drops queued work and refuses new work', () => {
    let ran = 0;
    queue.DispatchAsync(() => ran++);
    let done = false;
    queue.Cancel(() => (done = true));
    queue.DispatchAsync(() => ran++);
    run();
    expect(ran).toBe(0);
    expect(done).toBe(true);
  });
});

describe('IOTimerDispatchSource', () => {
  let timer: IOTimerDispatchSource;
  let fires: number[];

  beforeEach(() => {
    fires = [];
    const t = out<IOTimerDispatchSource>();
    expect(IOTimerDispatchSource.Create(queue, t)).toBe(kIOReturnSuccess);
    timer = t.value!;
    const action = new OSAction<[number]>(owner, queue, (_a, time) => fires.push(time));
    timer.SetHandler(action);
    action.release();
  });

  it('fires once at the deadline, on the queue, with the deadline as time', () => {
    timer.WakeAtTime(kIOTimerClockUptimeRaw, 5000, 0);
    run(4999);
    expect(fires).toEqual([]);
    run();
    expect(fires).toEqual([5000]);
    expect(timer.fired).toBe(1);
    expect(timer.isArmed).toBe(false);
  });

  it('WakeAtTime replaces the pending deadline (fires once, at the new time)', () => {
    timer.WakeAtTime(0, 5000, 0);
    timer.WakeAtTime(0, 8000, 0);
    run();
    expect(fires).toEqual([8000]);
    timer.WakeAtTime(0, 20_000, 0);
    timer.WakeAtTime(0, 12_000, 0); // earlier also replaces
    run();
    expect(fires).toEqual([8000, 12_000]);
  });

  it('Cancel stops a pending timer and later arming is refused', () => {
    timer.WakeAtTime(0, 5000, 0);
    let done = false;
    expect(timer.Cancel(() => (done = true))).toBe(kIOReturnSuccess);
    run();
    expect(fires).toEqual([]);
    expect(done).toBe(true);
    expect(timer.WakeAtTime(0, 9000, 0)).toBe(kIOReturnBadArgument);
  });

  it('SetEnable(false) disarms', () => {
    timer.WakeAtTime(0, 5000, 0);
    timer.SetEnable(false);
    run();
    expect(fires).toEqual([]);
  });

  it('can re-arm itself from its own handler (periodic timer)', () => {
    const t = out<IOTimerDispatchSource>();
    IOTimerDispatchSource.Create(queue, t);
    const periodic = t.value!;
    const times: number[] = [];
    const action = new OSAction<[number]>(owner, queue, (_a, time) => {
      times.push(time);
      if (times.length < 4) periodic.WakeAtTime(0, time + 1000, 0);
    });
    periodic.SetHandler(action);
    action.release();
    periodic.WakeAtTime(0, 1000, 0);
    run();
    expect(times).toEqual([1000, 2000, 3000, 4000]);
    periodic.release();
  });

  it('releasing the source cancels it and frees its action and queue reference', () => {
    timer.WakeAtTime(0, 5000, 0);
    timer.release();
    run();
    expect(fires).toEqual([]);
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
  });
});

class FakeProvider extends OSObject implements InterruptProvider {
  readonly sources = new Map<number, IOInterruptDispatchSource>();
  registerInterrupt(index: number, source: IOInterruptDispatchSource): IOReturn {
    if (index > 3) return kIOReturnBadArgument;
    if (this.sources.has(index)) return kIOReturnExclusiveAccess;
    this.sources.set(index, source);
    return kIOReturnSuccess;
  }
  unregisterInterrupt(index: number, source: IOInterruptDispatchSource): void {
    if (this.sources.get(index) === source) this.sources.delete(index);
  }
  fire(index: number): void {
    this.sources.get(index)?.interruptAsserted(this.runtime.scheduler.now);
  }
}

describe('IOInterruptDispatchSource', () => {
  let provider: FakeProvider;
  let source: IOInterruptDispatchSource;
  let calls: { count: number; time: number }[];

  beforeEach(() => {
    provider = new FakeProvider(rt);
    calls = [];
    const s = out<IOInterruptDispatchSource>();
    expect(IOInterruptDispatchSource.Create(provider, 1, queue, s)).toBe(kIOReturnSuccess);
    source = s.value!;
    const action = new OSAction<[number, number]>(owner, queue, (_a, count, time) =>
      calls.push({ count, time }),
    );
    source.SetHandler(action);
    action.release();
  });

  it('coalesces interrupts raised before the handler runs into one delivery with a count', () => {
    source.SetEnable(true);
    queue.latencyNs = 1000; // the handler runs 1 µs after the first interrupt
    // Three interrupts, at 100, 200 and 300 ns, before the queue gets to run the handler:
    // one delivery, count 3, time of the first.
    rt.scheduler.runUntil(100);
    provider.fire(1);
    rt.scheduler.runUntil(200);
    provider.fire(1);
    rt.scheduler.runUntil(300);
    provider.fire(1);
    run();
    expect(calls).toEqual([{ count: 3, time: 100 }]);
    expect(rt.scheduler.now).toBe(1100);
    rt.scheduler.runUntil(5000);
    provider.fire(1);
    run();
    expect(calls).toEqual([
      { count: 3, time: 100 },
      { count: 1, time: 5000 },
    ]);
    expect(source.messagesReceived).toBe(4);
    expect(source.handlerInvocations).toBe(2);
    expect(source.messagesHandled).toBe(4);
  });

  it('coalesces what arrives while the kernel wakes the handler thread (interruptWakeLatencyNs)', () => {
    source.SetEnable(true);
    rt.interruptWakeLatencyNs = 2000;
    // A burst at one instant and a straggler inside the wake window: one run, count 4.
    for (let i = 0; i < 3; i++) provider.fire(1);
    rt.scheduler.runUntil(1500);
    provider.fire(1);
    run();
    expect(calls).toEqual([{ count: 4, time: 0 }]);
    expect(rt.scheduler.now).toBe(2000);
    // A message after the handler ran finds it idle again: a run of its own.
    rt.scheduler.runUntil(10_000);
    provider.fire(1);
    run();
    expect(calls).toEqual([
      { count: 4, time: 0 },
      { count: 1, time: 10_000 },
    ]);
    expect(source.messagesReceived).toBe(5);
    expect(source.messagesHandled).toBe(5);
    expect(source.handlerInvocations).toBe(2);
  });

  it('counts messages that reach a disabled or cancelled source as dropped', () => {
    provider.fire(1);
    source.SetEnable(true);
    source.Cancel();
    source.interruptAsserted(0); // a provider racing the unregister
    run();
    expect(calls).toEqual([]);
    expect(source.messagesReceived).toBe(2);
    expect(source.messagesDropped).toBe(2);
    expect(source.handlerInvocations).toBe(0);
  });

  it('a disabled source drops interrupts (they are not delivered on enable)', () => {
    provider.fire(1);
    run();
    expect(calls).toEqual([]);
    source.SetEnable(true);
    run();
    expect(calls).toEqual([]);
    provider.fire(1);
    run();
    expect(calls).toEqual([{ count: 1, time: 0 }]);
  });

  it('the provider refuses a second source on the same index; Cancel unregisters', () => {
    const s = out<IOInterruptDispatchSource>();
    expect(IOInterruptDispatchSource.Create(provider, 1, queue, s)).toBe(kIOReturnExclusiveAccess);
    expect(IOInterruptDispatchSource.Create(provider, 9, queue, s)).toBe(kIOReturnBadArgument);
    source.SetEnable(true);
    source.Cancel();
    provider.fire(1);
    run();
    expect(calls).toEqual([]);
    expect(IOInterruptDispatchSource.Create(provider, 1, queue, s)).toBe(kIOReturnSuccess);
    s.value!.release();
  });

  it('leaves nothing alive once everything is released', () => {
    source.release();
    provider.release();
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
  });
});

describe('IODataQueueDispatchSource', () => {
  let dq: IODataQueueDispatchSource;
  let available: number;
  let serviced: number;

  function enqueue(bytes: number[]): IOReturn {
    return dq.Enqueue(bytes.length, (d) => d.set(bytes));
  }
  function dequeue(): number[] | IOReturn {
    let got: number[] = [];
    const ret = dq.Dequeue((d) => (got = Array.from(d)));
    return ret === kIOReturnSuccess ? got : ret;
  }

  beforeEach(() => {
    available = 0;
    serviced = 0;
    const s = out<IODataQueueDispatchSource>();
    // Entries carry a 4-byte header: 24 bytes hold three 4-byte entries.
    expect(IODataQueueDispatchSource.Create(24, queue, s)).toBe(kIOReturnSuccess);
    dq = s.value!;
    const a = new OSAction<[]>(owner, queue, () => available++);
    const b = new OSAction<[]>(owner, queue, () => serviced++);
    dq.SetDataAvailableHandler(a);
    dq.SetDataServicedHandler(b);
    a.release();
    b.release();
  });

  it('round-trips entries in order; Peek does not consume', () => {
    expect(enqueue([1, 2, 3, 4])).toBe(kIOReturnSuccess);
    expect(enqueue([5])).toBe(kIOReturnSuccess);
    let peeked: number[] = [];
    expect(dq.Peek((d) => (peeked = Array.from(d)))).toBe(kIOReturnSuccess);
    expect(peeked).toEqual([1, 2, 3, 4]);
    expect(dequeue()).toEqual([1, 2, 3, 4]);
    expect(dequeue()).toEqual([5]);
    expect(dq.IsDataAvailable()).toBe(false);
  });

  it('wraps around the end of its buffer', () => {
    for (let i = 0; i < 20; i++) {
      expect(enqueue([i, i + 1, i + 2])).toBe(kIOReturnSuccess);
      expect(enqueue([i * 2])).toBe(kIOReturnSuccess);
      expect(dequeue()).toEqual([i, i + 1, i + 2]);
      expect(dequeue()).toEqual([i * 2]);
    }
  });

  it('Dequeue and Peek on an empty queue return kIOReturnUnderrun', () => {
    expect(dequeue()).toBe(kIOReturnUnderrun);
    expect(dq.Peek(() => undefined)).toBe(kIOReturnUnderrun);
  });

  it('Enqueue on a full queue returns kIOReturnOverrun and writes nothing', () => {
    for (let i = 0; i < 3; i++) expect(enqueue([i, i, i, i])).toBe(kIOReturnSuccess);
    expect(dq.CanEnqueueData(4)).toBe(kIOReturnOverrun);
    expect(enqueue([9, 9, 9, 9])).toBe(kIOReturnOverrun);
    expect(dequeue()).toEqual([0, 0, 0, 0]);
    expect(dequeue()).toEqual([1, 1, 1, 1]);
    expect(dequeue()).toEqual([2, 2, 2, 2]);
    expect(dequeue()).toBe(kIOReturnUnderrun);
  });

  it('data-available fires once per transition to non-empty, not once per entry', () => {
    enqueue([1]);
    enqueue([2]);
    run();
    expect(available).toBe(1);
    enqueue([3]); // still non-empty: no new notification
    run();
    expect(available).toBe(1);
    dequeue();
    dequeue();
    dequeue();
    enqueue([4]); // empty → non-empty again
    run();
    expect(available).toBe(2);
  });

  it('data-serviced fires only after a failed enqueue, once space is freed', () => {
    for (let i = 0; i < 3; i++) enqueue([i, i, i, i]);
    dequeue(); // no producer waited: nothing
    run();
    expect(serviced).toBe(0);
    enqueue([7, 7, 7, 7]);
    expect(enqueue([8, 8, 8, 8])).toBe(kIOReturnOverrun);
    run();
    expect(serviced).toBe(0);
    dequeue();
    run();
    expect(serviced).toBe(1);
    dequeue(); // the wait was answered once
    run();
    expect(serviced).toBe(1);
  });

  it('a disabled source does not notify; Cancel stops notifications', () => {
    dq.SetEnable(false);
    enqueue([1]);
    run();
    expect(available).toBe(0);
    dq.SetEnable(true);
    dequeue();
    dq.Cancel();
    enqueue([2]);
    run();
    expect(available).toBe(0);
  });

  it('enabling a source that holds data notifies the consumer (no lost wake-up)', () => {
    dq.SetEnable(false);
    enqueue([1]);
    run();
    expect(available).toBe(0);
    dq.SetEnable(true);
    run();
    expect(available).toBe(1);
    enqueue([2]); // not a transition to non-empty: the consumer was told already
    run();
    expect(available).toBe(1);
  });

  it('leaves nothing alive once released', () => {
    dq.release();
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
  });
});

describe('IOService', () => {
  it('Start creates the Default queue; Stop cancels and releases it', () => {
    const svc = new IOService(rt);
    const q = out<IODispatchQueue>();
    expect(svc.CopyDispatchQueue(kIOServiceDefaultQueueName, q)).toBe(kIOReturnNotFound);
    expect(svc.Start(null)).toBe(kIOReturnSuccess);
    expect(svc.serviceState).toBe('started');
    expect(svc.Start(null)).toBe(kIOReturnBadArgument);
    expect(svc.CopyDispatchQueue('Default', q)).toBe(kIOReturnSuccess);
    const dq = q.value!;
    expect(dq.getRetainCount()).toBe(2); // the service's and ours
    let ran = false;
    dq.DispatchAsync(() => (ran = true));
    expect(svc.Stop(null)).toBe(kIOReturnSuccess);
    run();
    expect(ran).toBe(false); // Stop cancelled the queue
    expect(dq.getRetainCount()).toBe(1);
    dq.release();
    expect(svc.Stop(null)).toBe(kIOReturnBadArgument);
    svc.release();
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
  });

  it('RegisterService needs a started service and tells the registry; Stop terminates', () => {
    const events: string[] = [];
    const hooks: ServiceRegistryHooks = {
      serviceRegistered: (s) => events.push(`registered ${s.GetName()}`),
      serviceTerminated: (s) => events.push(`terminated ${s.GetName()}`),
    };
    const provider = new IOService(rt);
    const svc = new IOService(rt);
    svc.SetName('NetLanes');
    svc.registry = hooks;
    expect(svc.RegisterService()).toBe(kIOReturnBadArgument);
    svc.Start(provider);
    expect(svc.GetProvider()).toBe(provider);
    expect(provider.getRetainCount()).toBe(2);
    expect(svc.RegisterService()).toBe(kIOReturnSuccess);
    expect(svc.serviceState).toBe('registered');
    svc.Stop(provider);
    expect(events).toEqual(['registered NetLanes', 'terminated NetLanes']);
    expect(provider.getRetainCount()).toBe(1);
    expect(svc.serviceState).toBe('stopped');
  });

  it('SetDispatchQueue installs a named queue that CopyDispatchQueue returns', () => {
    const svc = new IOService(rt);
    svc.Start(null);
    expect(svc.SetDispatchQueue('Rx', queue)).toBe(kIOReturnSuccess);
    const q = out<IODispatchQueue>();
    expect(svc.CopyDispatchQueue('Rx', q)).toBe(kIOReturnSuccess);
    expect(q.value).toBe(queue);
    q.value!.release();
    expect(svc.CopyDispatchQueue('Nope', q)).toBe(kIOReturnNotFound);
  });

  it('releasing a started service stops it', () => {
    const svc = new IOService(rt);
    svc.Start(null);
    svc.release();
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
  });
});
