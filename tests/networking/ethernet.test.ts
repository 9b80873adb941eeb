import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import {
  createRuntime,
  liveObjectCount,
  withRuntime,
  type DextRuntime,
} from '../../driver-runtime/kit/runtime.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSObject, out } from '../../driver-runtime/kit/os-object.ts';
import type { IODataQueueDispatchSource } from '../../driver-runtime/kit/data-queue-source.ts';
import { IOTimerDispatchSource } from '../../driver-runtime/kit/timer-source.ts';
import {
  kIOReturnBadArgument,
  kIOReturnSuccess,
  kIOReturnUnsupported,
} from '../../driver-runtime/kit/io-return.ts';
import {
  IOUserNetworkEthernet,
  IOUserNetworkPacketBufferPool,
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
  SERVICE_CLASS_NAMES,
  kIOUserNetworkLinkStatusActive,
  kIOUserNetworkMediaEthernet1000BaseT,
  serviceClassToQueue,
  type EthernetInterfaceListener,
  type IOUserNetworkPacketQueue,
} from '../../driver-runtime/networking/index.ts';

let rt: DextRuntime;

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 4 << 20 }));
});

interface Interface {
  pool: IOUserNetworkPacketBufferPool;
  txs: IOUserNetworkTxSubmissionQueue;
  txc: IOUserNetworkTxCompletionQueue;
  rxs: IOUserNetworkRxSubmissionQueue;
  rxc: IOUserNetworkRxCompletionQueue;
}

/** What a driver's Start makes: a pool and the four queues on one dispatch queue. */
function makeInterface(owner: OSObject, queue: IODispatchQueue): Interface {
  return withRuntime(rt, () => {
    const pool = out<IOUserNetworkPacketBufferPool>();
    expect(IOUserNetworkPacketBufferPool.Create(owner, 'pool', 32, 32, 2048, pool)).toBe(kIOReturnSuccess);
    const p = pool.value!;
    const txs = out<IOUserNetworkTxSubmissionQueue>();
    const txc = out<IOUserNetworkTxCompletionQueue>();
    const rxs = out<IOUserNetworkRxSubmissionQueue>();
    const rxc = out<IOUserNetworkRxCompletionQueue>();
    expect(IOUserNetworkTxSubmissionQueue.Create(p, owner, 8, 0, queue, txs)).toBe(kIOReturnSuccess);
    expect(IOUserNetworkTxCompletionQueue.Create(p, owner, 8, 0, queue, txc)).toBe(kIOReturnSuccess);
    expect(IOUserNetworkRxSubmissionQueue.Create(p, owner, 8, 0, queue, rxs)).toBe(kIOReturnSuccess);
    expect(IOUserNetworkRxCompletionQueue.Create(p, owner, 8, 0, queue, rxc)).toBe(kIOReturnSuccess);
    return { pool: p, txs: txs.value!, txc: txc.value!, rxs: rxs.value!, rxc: rxc.value! };
  });
}

function releaseInterface(i: Interface): void {
  i.txs.release();
  i.txc.release();
  i.rxs.release();
  i.rxc.release();
  i.pool.release();
}

const MAC = Uint8Array.from([0x10, 0x22, 0x33, 0x44, 0x55, 0x66]);

describe('IOUserNetworkEthernet', () => {
  let owner: OSObject;
  let queue: IODispatchQueue;
  let eth: IOUserNetworkEthernet;
  let i: Interface;

  beforeEach(() => {
    owner = new OSObject(rt);
    queue = IODispatchQueue.createIn(rt, 'Default');
    eth = new IOUserNetworkEthernet(rt);
    eth.Start(null);
    i = makeInterface(owner, queue);
  });

  it('RegisterEthernetInterface takes one queue of each kind, in any order', () => {
    const events: string[] = [];
    const listener: EthernetInterfaceListener = {
      interfaceRegistered: () => events.push('registered'),
      linkStatusChanged: (_e, status, media) => events.push(`link ${status} ${media}`),
      interfaceUnregistered: () => events.push('unregistered'),
    };
    eth.listener = listener;
    const queues: IOUserNetworkPacketQueue[] = [i.rxc, i.txs, i.rxs, i.txc];
    expect(eth.RegisterEthernetInterface(MAC, i.pool, queues, 4)).toBe(kIOReturnSuccess);
    expect(eth.registeredQueues?.txSubmission).toBe(i.txs);
    expect(eth.registeredQueues?.rxCompletion).toBe(i.rxc);
    expect(Array.from(eth.macAddress)).toEqual(Array.from(MAC));
    expect(eth.packetPool).toBe(i.pool);
    expect(i.txs.getRetainCount()).toBe(2);
    expect(i.pool.getRetainCount()).toBe(6); // its own, four queues', the interface's
    // Only once.
    expect(eth.RegisterEthernetInterface(MAC, i.pool, queues, 4)).toBe(kIOReturnBadArgument);
    eth.ReportLinkStatus(kIOUserNetworkLinkStatusActive, kIOUserNetworkMediaEthernet1000BaseT);
    expect(eth.currentLinkStatus).toEqual({ status: 3, media: 0x30 });
    eth.Stop(null);
    expect(events).toEqual(['registered', 'link 3 48', 'unregistered']);
    expect(i.txs.getRetainCount()).toBe(1);
    expect(i.pool.getRetainCount()).toBe(5);
  });

  it.each([
    ['three queues', (x: Interface) => [x.txs, x.txc, x.rxs], 3],
    ['count 3 with four queues', (x: Interface) => [x.txs, x.txc, x.rxs, x.rxc], 3],
    ['count 5', (x: Interface) => [x.txs, x.txc, x.rxs, x.rxc, x.rxc], 5],
    ['count 4 but fewer queues', (x: Interface) => [x.txs, x.txc, x.rxs], 4],
    ['a duplicated kind', (x: Interface) => [x.txs, x.txc, x.rxs, x.rxs], 4],
    ['the same queue four times', (x: Interface) => [x.txs, x.txs, x.txs, x.txs], 4],
  ])('RegisterEthernetInterface refuses %s with kIOReturnBadArgument', (_what, pick, count) => {
    expect(eth.RegisterEthernetInterface(MAC, i.pool, pick(i), count)).toBe(kIOReturnBadArgument);
    expect(eth.registeredQueues).toBeNull();
    expect(i.txs.getRetainCount()).toBe(1);
  });

  it('RegisterEthernetInterface refuses a MAC that is not 6 bytes', () => {
    expect(eth.RegisterEthernetInterface(new Uint8Array(5), i.pool, [i.txs, i.txc, i.rxs, i.rxc], 4)).toBe(
      kIOReturnBadArgument,
    );
  });

  it('driver-overridden methods default to kIOReturnUnsupported', () => {
    const mtu = out<number>();
    expect(eth.GetMaxTransferUnit(mtu)).toBe(kIOReturnUnsupported);
    expect(mtu.value).toBeNull();
    expect(eth.SetInterfaceEnable(true)).toBe(kIOReturnUnsupported);
    expect(eth.SetMTU(9000)).toBe(kIOReturnUnsupported);
    expect(eth.SelectMediaType(kIOUserNetworkMediaEthernet1000BaseT)).toBe(kIOReturnUnsupported);
  });

  it('records what the driver reports', () => {
    expect(eth.ReportAvailableMediaTypes([0x20, 0x26, 0x30], 2)).toBe(kIOReturnSuccess);
    expect(eth.supportedMedia).toEqual([0x20, 0x26]);
    expect(eth.ReportAvailableMediaTypes([0x20], 2)).toBe(kIOReturnBadArgument);
    eth.SetTxPacketHeadroom(8);
    eth.SetTxPacketTailroom(16);
    expect(eth.txPacketRoom).toEqual({ headroom: 8, tailroom: 16 });
  });
});

describe('serviceClassToQueue', () => {
  it.each([
    ['BK_SYS', 0],
    ['BK', 0],
    ['BE', 1],
    ['RD', 1],
    ['OAM', 1],
    ['AV', 2],
    ['RV', 2],
    ['VI', 2],
    ['SIG', 2],
    ['VO', 3],
    ['CTL', 3],
  ])('%s → queue %i', (name, expected) => {
    expect(serviceClassToQueue(SERVICE_CLASS_NAMES[name])).toBe(expected);
  });

  it('covers all eleven service classes with distinct values', () => {
    expect(new Set(Object.values(SERVICE_CLASS_NAMES)).size).toBe(11);
  });

  it('folds an unknown class to BE, as xnu does by default', () => {
    expect(serviceClassToQueue(123)).toBe(1);
  });
});

describe('lifecycle', () => {
  it('create and release a pool, four queues and their sources 1000 times without leaking', () => {
    const baseline = rt.memory.allocationCount;
    const owner = new OSObject(rt);
    const queue = IODispatchQueue.createIn(rt, 'Default');
    const ownerAndQueue = 2;
    for (let n = 0; n < 1000; n++) {
      const i = makeInterface(owner, queue);
      // What a driver installs: a data-available action on TxSubmission, a timer.
      const dq = out<IODataQueueDispatchSource>();
      i.txs.CopyDataQueue(dq);
      const action = new OSAction<[]>(owner, queue, () => undefined);
      dq.value!.SetDataAvailableHandler(action);
      const timer = out<IOTimerDispatchSource>();
      IOTimerDispatchSource.Create(queue, timer);
      const timerAction = new OSAction<[number]>(owner, queue, () => undefined);
      timer.value!.SetHandler(timerAction);
      timer.value!.WakeAtTime(0, rt.scheduler.now + 1000, 0);
      // Traffic: a few packets through the Tx path.
      i.txs.SetEnable(true);
      i.txc.SetEnable(true);
      const h = new Int32Array(4);
      const got = i.pool.allocatePackets(h, 4);
      i.txs.EnqueuePackets(h, got);
      rt.scheduler.runUntil(rt.scheduler.now + 10);
      const n2 = i.txs.DequeuePackets(h, 4);
      i.txc.EnqueuePackets(h, n2);
      i.txc.DequeuePackets(h, 4);
      i.pool.DeallocatePackets(h, n2);
      // Teardown in reverse.
      timer.value!.Cancel();
      timer.value!.release();
      timerAction.release();
      action.release();
      dq.value!.release();
      releaseInterface(i);
      expect(liveObjectCount(rt)).toBe(ownerAndQueue);
    }
    rt.scheduler.runUntilIdle();
    queue.release();
    owner.release();
    expect([...rt.liveObjects.entries()]).toEqual([]);
    expect(rt.memory.allocationCount).toBe(baseline);
  });
});
