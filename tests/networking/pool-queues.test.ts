import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler, type EventHandler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSObject, out } from '../../driver-runtime/kit/os-object.ts';
import type { IODataQueueDispatchSource } from '../../driver-runtime/kit/data-queue-source.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotReady,
  kIOReturnOverrun,
  kIOReturnSuccess,
  kIOReturnUnderrun,
} from '../../driver-runtime/kit/io-return.ts';
import {
  DEFAULT_DATA_OFFSET,
  IOUserNetworkPacketBufferPool,
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from '../../driver-runtime/networking/index.ts';

let rt: DextRuntime;
let owner: OSObject;
let dispatch: IODispatchQueue;

/** Runs `fn` inside the test runtime (DriverKit static Create calls need a current one). */
function dk<T>(fn: () => T): T {
  return withRuntime(rt, fn);
}

function makePool(packets = 16, buffers = packets, size = 2048): IOUserNetworkPacketBufferPool {
  const p = out<IOUserNetworkPacketBufferPool>();
  expect(dk(() => IOUserNetworkPacketBufferPool.Create(owner, 'test', packets, buffers, size, p))).toBe(
    kIOReturnSuccess,
  );
  return p.value!;
}

function handles(...h: number[]): Int32Array {
  return Int32Array.from(h);
}

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 4 << 20 }));
  owner = new OSObject(rt);
  dispatch = IODispatchQueue.createIn(rt, 'Default');
});

describe('IOUserNetworkPacketBufferPool', () => {
  it.each([
    ['bufferCount < packetCount', 16, 8, 2048],
    ['packetCount 0', 0, 0, 2048],
    ['packetCount not an integer', 1.5, 2, 2048],
    ['bufferSize too small', 16, 16, 32],
    ['bufferSize too large', 16, 16, 65537],
  ])('Create refuses %s with kIOReturnBadArgument', (_what, packets, buffers, size) => {
    const p = out<IOUserNetworkPacketBufferPool>();
    const before = rt.memory.allocationCount;
    expect(dk(() => IOUserNetworkPacketBufferPool.Create(owner, 'x', packets, buffers, size, p))).toBe(
      kIOReturnBadArgument,
    );
    expect(p.value).toBeNull();
    expect(rt.memory.allocationCount).toBe(before);
  });

  it('Create refuses a name of 1024 characters or more (char name[1024])', () => {
    const p = out<IOUserNetworkPacketBufferPool>();
    expect(dk(() => IOUserNetworkPacketBufferPool.Create(owner, 'n'.repeat(1024), 4, 4, 2048, p))).toBe(
      kIOReturnBadArgument,
    );
  });

  it('reports its counts and hands out every handle exactly once', () => {
    const pool = makePool(16, 20);
    const n = out<number>();
    pool.GetPacketCount(n);
    expect(n.value).toBe(16);
    pool.GetBufferCount(n);
    expect(n.value).toBe(20);
    const got = new Set<number>();
    for (let i = 0; i < 16; i++) got.add(pool.allocatePacket());
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(pool.allocatePacket()).toBe(-1);
    expect(pool.allocationFailures).toBe(1);
    expect(pool.inUse).toBe(16);
    for (const h of got) expect(pool.DeallocatePacket(h)).toBe(kIOReturnSuccess);
    expect(pool.inUse).toBe(0);
    expect(pool.available).toBe(16);
  });

  it('burst allocation returns how many it got', () => {
    const pool = makePool(4);
    const h = new Int32Array(8);
    expect(pool.allocatePackets(h, 8)).toBe(4);
    expect(pool.allocatePackets(h, 8)).toBe(0);
  });

  it('refuses a double free and a foreign handle', () => {
    const pool = makePool(4);
    const h = pool.allocatePacket();
    expect(pool.DeallocatePacket(h)).toBe(kIOReturnSuccess);
    expect(pool.DeallocatePacket(h)).toBe(kIOReturnBadArgument);
    expect(pool.DeallocatePacket(4)).toBe(kIOReturnBadArgument);
    expect(pool.DeallocatePacket(-1)).toBe(kIOReturnBadArgument);
    expect(pool.available).toBe(4); // the refused frees did not push duplicates
    const all = new Int32Array(8);
    expect(pool.allocatePackets(all, 8)).toBe(4);
    expect(new Set(all.subarray(0, 4)).size).toBe(4);
  });

  it('SetDataLength stays within the buffer after the data offset', () => {
    const pool = makePool(4, 4, 2048);
    const h = pool.allocatePacket();
    const off = out<number>();
    pool.GetDataOffset(h, off);
    expect(off.value).toBe(DEFAULT_DATA_OFFSET);
    expect(pool.SetDataLength(h, 2048 - DEFAULT_DATA_OFFSET)).toBe(kIOReturnSuccess);
    expect(pool.SetDataLength(h, 2048 - DEFAULT_DATA_OFFSET + 1)).toBe(kIOReturnBadArgument);
    expect(pool.SetDataLength(h, -1)).toBe(kIOReturnBadArgument);
    const len = out<number>();
    pool.GetDataLength(h, len);
    expect(len.value).toBe(2048 - DEFAULT_DATA_OFFSET);
    // A moved data offset may not push the data past the end either.
    expect(pool.SetDataOffset(h, DEFAULT_DATA_OFFSET + 1)).toBe(kIOReturnBadArgument);
    expect(pool.SetDataLength(h, 100)).toBe(kIOReturnSuccess);
    expect(pool.SetDataOffset(h, 2048 - 100)).toBe(kIOReturnSuccess);
    expect(pool.SetDataLength(h, 101)).toBe(kIOReturnBadArgument);
    // A free packet cannot be touched.
    pool.DeallocatePacket(h);
    expect(pool.SetDataLength(h, 10)).toBe(kIOReturnBadArgument);
  });

  it('lays packets out contiguously in host memory and maps them to physical addresses', () => {
    const pool = makePool(4, 4, 2048);
    const h = pool.allocatePacket();
    const seg = out<number>();
    pool.GetMemorySegmentOffset(h, seg);
    expect(seg.value).toBe(h * 2048);
    expect(pool.dataStart(h)).toBe(pool.baseOffset + h * 2048 + DEFAULT_DATA_OFFSET);
    expect(pool.dataPhys(h)).toBe(rt.memory.physOf(pool.dataStart(h)));
  });

  it('frees its host memory with its last reference', () => {
    const baseline = rt.memory.allocationCount;
    const pool = makePool(32, 32, 4096);
    expect(rt.memory.allocationCount).toBe(baseline + 1);
    expect(rt.memory.allocatedBytes).toBeGreaterThanOrEqual(32 * 4096);
    const md = out<ReturnType<typeof pool.memory.retain>>();
    pool.CopyMemoryDescriptor(md);
    pool.release();
    expect(rt.memory.allocationCount).toBe(baseline + 1); // the descriptor copy keeps it
    md.value!.release();
    expect(rt.memory.allocationCount).toBe(baseline);
  });
});

describe('IOUserNetworkPacketQueue', () => {
  let pool: IOUserNetworkPacketBufferPool;

  beforeEach(() => {
    pool = makePool(32);
  });

  function txs(capacity = 8): IOUserNetworkTxSubmissionQueue {
    const q = out<IOUserNetworkTxSubmissionQueue>();
    expect(IOUserNetworkTxSubmissionQueue.Create(pool, owner, capacity, 0, dispatch, q)).toBe(
      kIOReturnSuccess,
    );
    return q.value!;
  }
  function txc(capacity = 8): IOUserNetworkTxCompletionQueue {
    const q = out<IOUserNetworkTxCompletionQueue>();
    expect(IOUserNetworkTxCompletionQueue.Create(pool, owner, capacity, 0, dispatch, q)).toBe(
      kIOReturnSuccess,
    );
    return q.value!;
  }

  it('Create checks its arguments', () => {
    const q = out<IOUserNetworkRxSubmissionQueue>();
    expect(IOUserNetworkRxSubmissionQueue.Create(null, owner, 8, 0, dispatch, q)).toBe(kIOReturnBadArgument);
    expect(IOUserNetworkRxSubmissionQueue.Create(pool, owner, 8, 0, null, q)).toBe(kIOReturnBadArgument);
    expect(IOUserNetworkRxSubmissionQueue.Create(pool, owner, 0, 0, dispatch, q)).toBe(kIOReturnBadArgument);
    expect(IOUserNetworkRxSubmissionQueue.Create(pool, owner, 65537, 0, dispatch, q)).toBe(
      kIOReturnBadArgument,
    );
    expect(q.value).toBeNull();
  });

  it('a capacity that is not a power of two (10) holds exactly 10', () => {
    const q = txs(10);
    q.SetEnable(true);
    const h = Int32Array.from({ length: 16 }, (_, i) => i);
    expect(q.EnqueuePackets(h, 16)).toBe(10);
    expect(q.count).toBe(10);
    expect(q.freeSpace).toBe(0);
    expect(q.EnqueuePacket(11)).toBe(kIOReturnOverrun);
    const outH = new Int32Array(16);
    expect(q.DequeuePackets(outH, 16)).toBe(10);
    expect(Array.from(outH.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('bursts are partial: enqueue takes what fits, dequeue returns what is there', () => {
    const q = txs(4);
    q.SetEnable(true);
    expect(q.EnqueuePackets(handles(1, 2, 3), 3)).toBe(3);
    expect(q.EnqueuePackets(handles(4, 5, 6), 3)).toBe(1);
    expect(q.enqueueRefused).toBe(2);
    const o = new Int32Array(8);
    expect(q.DequeuePackets(o, 2)).toBe(2);
    expect(Array.from(o.subarray(0, 2))).toEqual([1, 2]);
    expect(q.DequeuePackets(o, 8, 2)).toBe(2); // into o[2..]
    expect(Array.from(o.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(q.DequeuePackets(o, 8)).toBe(0);
    const one = out<number>();
    expect(q.DequeuePacket(one)).toBe(kIOReturnUnderrun);
  });

  it('FIFO order survives many wrap-arounds of the ring', () => {
    const q = txs(5);
    q.SetEnable(true);
    const one = out<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 100; round++) {
      while (q.EnqueuePacket(next % 32) === kIOReturnSuccess) next++;
      for (let k = 0; k < 3; k++) {
        expect(q.DequeuePacket(one)).toBe(kIOReturnSuccess);
        expect(one.value).toBe(expected++ % 32);
      }
    }
  });

  it('a disabled queue refuses enqueues', () => {
    const q = txs(4);
    expect(q.isEnabled).toBe(false);
    expect(q.EnqueuePacket(1)).toBe(kIOReturnNotReady);
    expect(q.EnqueuePackets(handles(1, 2), 2)).toBe(0);
    expect(q.count).toBe(0);
    q.SetEnable(true);
    expect(q.EnqueuePacket(1)).toBe(kIOReturnSuccess);
    q.SetEnable(false);
    expect(q.EnqueuePacket(2)).toBe(kIOReturnNotReady);
  });

  it('tells the driver about Tx submissions through an OSAction on the data queue, coalesced', () => {
    const q = txs(8);
    const dq = out<IODataQueueDispatchSource>();
    q.CopyDataQueue(dq);
    let notified = 0;
    const action = new OSAction<[]>(owner, dispatch, () => notified++);
    dq.value!.SetDataAvailableHandler(action);
    action.release();
    q.SetEnable(true);
    q.EnqueuePackets(handles(1, 2), 2);
    q.EnqueuePacket(3);
    expect(notified).toBe(0); // never inline
    rt.scheduler.runUntilIdle();
    expect(notified).toBe(1);
    q.EnqueuePacket(4);
    rt.scheduler.runUntilIdle();
    expect(notified).toBe(2);
    dq.value!.release();
  });

  it('enabling a queue that already holds packets notifies the driver', () => {
    const q = txs(8);
    const dq = out<IODataQueueDispatchSource>();
    q.CopyDataQueue(dq);
    let notified = 0;
    const action = new OSAction<[]>(owner, dispatch, () => notified++);
    dq.value!.SetDataAvailableHandler(action);
    action.release();
    q.SetEnable(true);
    q.EnqueuePacket(1);
    q.SetEnable(false);
    rt.scheduler.runUntilIdle();
    expect(notified).toBe(0); // disabled before the delivery ran
    q.SetEnable(true);
    rt.scheduler.runUntilIdle();
    expect(notified).toBe(1);
    dq.value!.release();
  });

  it('completion queues notify the system side through its handlers', () => {
    const q = txc(8);
    let available = 0;
    const h: EventHandler = { onEvent: () => available++ };
    q.setSystemHandlers(h, null);
    q.SetEnable(true);
    expect(q.EnqueuePacket(5)).toBe(kIOReturnSuccess);
    expect(q.EnqueuePacket(6)).toBe(kIOReturnSuccess);
    expect(available).toBe(0);
    rt.scheduler.runUntilIdle();
    expect(available).toBe(1);
  });

  it('sends data-serviced to the system producer after it found TxSubmission full', () => {
    const q = txs(2);
    let serviced = 0;
    q.setSystemHandlers(null, { onEvent: () => serviced++ });
    q.SetEnable(true);
    const o = new Int32Array(2);
    // A dequeue with no waiting producer sends nothing.
    q.EnqueuePacket(1);
    q.DequeuePackets(o, 1);
    rt.scheduler.runUntilIdle();
    expect(serviced).toBe(0);
    expect(q.EnqueuePackets(handles(1, 2, 3), 3)).toBe(2);
    rt.scheduler.runUntilIdle();
    expect(serviced).toBe(0);
    q.DequeuePackets(o, 1);
    rt.scheduler.runUntilIdle();
    expect(serviced).toBe(1);
    q.DequeuePackets(o, 1);
    rt.scheduler.runUntilIdle();
    expect(serviced).toBe(1);
  });

  it('sends data-serviced to the driver after it found a completion queue full', () => {
    const q = txc(1);
    const dq = out<IODataQueueDispatchSource>();
    q.CopyDataQueue(dq);
    let serviced = 0;
    const action = new OSAction<[]>(owner, dispatch, () => serviced++);
    dq.value!.SetDataServicedHandler(action);
    action.release();
    q.SetEnable(true);
    expect(q.EnqueuePacket(1)).toBe(kIOReturnSuccess);
    expect(q.EnqueuePacket(2)).toBe(kIOReturnOverrun);
    const one = out<number>();
    q.DequeuePacket(one); // the system reaps
    rt.scheduler.runUntilIdle();
    expect(serviced).toBe(1);
    dq.value!.release();
  });

  it('a queue keeps its pool alive, and releases it when freed', () => {
    const q = out<IOUserNetworkRxCompletionQueue>();
    IOUserNetworkRxCompletionQueue.Create(pool, owner, 4, 0, dispatch, q);
    const baseline = rt.memory.allocationCount;
    pool.release();
    expect(pool.isFreed).toBe(false);
    expect(rt.memory.allocationCount).toBe(baseline);
    q.value!.release();
    expect(pool.isFreed).toBe(true);
    expect(rt.memory.allocationCount).toBe(baseline - 1);
  });
});
