import { kIOReturnSuccess, type IOReturn } from '../kit/io-return.ts';
import { OSAction } from '../kit/os-action.ts';
import { out, safeRelease, type OSObject } from '../kit/os-object.ts';
import type { IODispatchQueue } from '../kit/dispatch-queue.ts';
import { IOInterruptDispatchSource } from '../kit/interrupt-source.ts';
import { IOTimerDispatchSource } from '../kit/timer-source.ts';
import type { IODataQueueDispatchSource } from '../kit/data-queue-source.ts';
import {
  IOBufferMemoryDescriptor,
  kIOMemoryDirectionInOut,
  kIOMemoryMapClientShared,
} from '../memory/buffer-memory-descriptor.ts';
import { CAPTURE_BYTES, COMMAND_BUFFER_BYTES, RING_STATE_BYTES } from '../abi/netlanes-abi.ts';
import { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import {
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from '../networking/packet-queue.ts';
import { StatsView, statsLayout } from '../abi/stats-layout.ts';
import type { DriverOptions } from './driver-options.ts';
import * as R from './hw-regs.ts';
import type { Mmio } from './mmio.ts';
import type { PciProvider } from './pci-provider.ts';
import { RxRing } from './rx-ring.ts';
import { TxRing } from './tx-ring.ts';

/** Everything the driver holds, made in Start and released in Stop (DriverKit ivars). */
export interface Ivars {
  pci: PciProvider | null;
  mmio: Mmio | null;
  queue: IODispatchQueue | null;
  pool: IOUserNetworkPacketBufferPool | null;
  txs: IOUserNetworkTxSubmissionQueue | null;
  txc: IOUserNetworkTxCompletionQueue | null;
  rxs: IOUserNetworkRxSubmissionQueue | null;
  rxc: IOUserNetworkRxCompletionQueue | null;
  txsSource: IODataQueueDispatchSource | null;
  rxsSource: IODataQueueDispatchSource | null;
  txAvailableAction: OSAction<[]> | null;
  rxAvailableAction: OSAction<[]> | null;
  interruptSources: IOInterruptDispatchSource[];
  interruptActions: OSAction<[number, number]>[];
  watchdog: IOTimerDispatchSource | null;
  watchdogAction: OSAction<[number]> | null;
  shaperTimer: IOTimerDispatchSource | null;
  shaperAction: OSAction<[number]> | null;
  pollTimer: IOTimerDispatchSource | null;
  pollAction: OSAction<[number]> | null;
  txRings: TxRing[];
  rxRings: RxRing[];
  statsMemory: IOBufferMemoryDescriptor | null;
  statsView: StatsView | null;
  ringStateMemory: IOBufferMemoryDescriptor | null;
  captureMemory: IOBufferMemoryDescriptor | null;
  commandMemory: IOBufferMemoryDescriptor | null;
}

export function emptyIvars(): Ivars {
  return {
    pci: null,
    mmio: null,
    queue: null,
    pool: null,
    txs: null,
    txc: null,
    rxs: null,
    rxc: null,
    txsSource: null,
    rxsSource: null,
    txAvailableAction: null,
    rxAvailableAction: null,
    interruptSources: [],
    interruptActions: [],
    watchdog: null,
    watchdogAction: null,
    shaperTimer: null,
    shaperAction: null,
    pollTimer: null,
    pollAction: null,
    txRings: [],
    rxRings: [],
    statsMemory: null,
    statsView: null,
    ringStateMemory: null,
    captureMemory: null,
    commandMemory: null,
  };
}

/** The driver's handlers the event sources call (all on the driver's default queue). */
export interface DriverHandlers {
  txPacketAvailable(): void;
  rxBuffersAvailable(): void;
  queueInterrupt(vector: number): void;
  otherInterrupt(): void;
  watchdog(): void;
  shaper(): void;
  poll(): void;
}

/** The pool and the four NetworkingDriverKit queues, with data-available on both submission queues. */
export function createPoolAndQueues(
  owner: OSObject,
  iv: Ivars,
  o: DriverOptions,
  h: DriverHandlers,
): IOReturn {
  const pool = out<IOUserNetworkPacketBufferPool>();
  let ret = IOUserNetworkPacketBufferPool.Create(
    owner,
    'netlanes-pool',
    o.poolPackets,
    o.poolPackets,
    o.bufferSize,
    pool,
  );
  if (ret !== kIOReturnSuccess) return ret;
  iv.pool = pool.value!;
  const txs = out<IOUserNetworkTxSubmissionQueue>();
  const txc = out<IOUserNetworkTxCompletionQueue>();
  const rxs = out<IOUserNetworkRxSubmissionQueue>();
  const rxc = out<IOUserNetworkRxCompletionQueue>();
  ret = IOUserNetworkTxSubmissionQueue.Create(iv.pool, owner, o.txSubmissionCapacity, 0, iv.queue, txs);
  if (ret === kIOReturnSuccess)
    ret = IOUserNetworkTxCompletionQueue.Create(iv.pool, owner, o.poolPackets, 0, iv.queue, txc);
  if (ret === kIOReturnSuccess)
    ret = IOUserNetworkRxSubmissionQueue.Create(iv.pool, owner, o.rxSubmissionCapacity, 0, iv.queue, rxs);
  if (ret === kIOReturnSuccess)
    ret = IOUserNetworkRxCompletionQueue.Create(iv.pool, owner, o.rxCompletionCapacity, 0, iv.queue, rxc);
  iv.txs = txs.value;
  iv.txc = txc.value;
  iv.rxs = rxs.value;
  iv.rxc = rxc.value;
  if (ret !== kIOReturnSuccess) return ret;

  // Tx: dequeue in bursts when the stack submits (the Apple sample's TxPacketAvailable).
  const txAvailable = out<OSAction<[]>>();
  const rxAvailable = out<OSAction<[]>>();
  ret = OSAction.Create<[]>(owner, iv.queue, () => h.txPacketAvailable(), 0, txAvailable);
  if (ret === kIOReturnSuccess)
    ret = OSAction.Create<[]>(owner, iv.queue, () => h.rxBuffersAvailable(), 0, rxAvailable);
  iv.txAvailableAction = txAvailable.value;
  iv.rxAvailableAction = rxAvailable.value;
  if (ret !== kIOReturnSuccess) return ret;
  const txsSource = out<IODataQueueDispatchSource>();
  const rxsSource = out<IODataQueueDispatchSource>();
  iv.txs!.CopyDataQueue(txsSource);
  iv.rxs!.CopyDataQueue(rxsSource);
  iv.txsSource = txsSource.value!;
  iv.rxsSource = rxsSource.value!;
  iv.txsSource.SetDataAvailableHandler(iv.txAvailableAction!);
  iv.rxsSource.SetDataAvailableHandler(iv.rxAvailableAction!);
  return kIOReturnSuccess;
}

/** Descriptor memory for the four Tx and four Rx rings. */
export function createRings(iv: Ivars, o: DriverOptions, txByteLimit: number): IOReturn {
  for (let q = 0; q < R.NUM_QUEUES; q++) {
    const txMem = out<IOBufferMemoryDescriptor>();
    const rxMem = out<IOBufferMemoryDescriptor>();
    let ret = IOBufferMemoryDescriptor.Create(0, o.txRingSize * R.DESCRIPTOR_BYTES, 128, txMem);
    if (ret !== kIOReturnSuccess) return ret;
    ret = IOBufferMemoryDescriptor.Create(0, o.rxRingSize * R.DESCRIPTOR_BYTES, 128, rxMem);
    if (ret !== kIOReturnSuccess) {
      txMem.value!.release();
      return ret;
    }
    iv.txRings.push(new TxRing(q, o.txRingSize, txMem.value!, txByteLimit));
    iv.rxRings.push(new RxRing(q, o.rxRingSize, rxMem.value!));
  }
  return kIOReturnSuccess;
}

function createTimer(
  owner: OSObject,
  queue: IODispatchQueue,
  handler: () => void,
): { timer: IOTimerDispatchSource; action: OSAction<[number]> } | IOReturn {
  const action = out<OSAction<[number]>>();
  let ret = OSAction.Create<[number]>(owner, queue, handler, 0, action);
  if (ret !== kIOReturnSuccess) return ret;
  const timer = out<IOTimerDispatchSource>();
  ret = IOTimerDispatchSource.Create(queue, timer);
  if (ret !== kIOReturnSuccess) {
    action.value!.release();
    return ret;
  }
  timer.value!.SetHandler(action.value!);
  return { timer: timer.value!, action: action.value! };
}

/** MSI-X vectors 0..3 (queue pairs) and 4 (other causes), the watchdog, shaper and poll timers. */
export function createEventSources(owner: OSObject, iv: Ivars, h: DriverHandlers): IOReturn {
  const queue = iv.queue!;
  for (let v = 0; v <= R.OTHER_VECTOR; v++) {
    const vector = v;
    const action = out<OSAction<[number, number]>>();
    let ret = OSAction.Create<[number, number]>(
      owner,
      queue,
      () => (vector === R.OTHER_VECTOR ? h.otherInterrupt() : h.queueInterrupt(vector)),
      0,
      action,
    );
    if (ret !== kIOReturnSuccess) return ret;
    iv.interruptActions.push(action.value!);
    const source = out<IOInterruptDispatchSource>();
    ret = IOInterruptDispatchSource.Create(iv.pci!, v, queue, source);
    if (ret !== kIOReturnSuccess) return ret;
    source.value!.SetHandler(action.value!);
    iv.interruptSources.push(source.value!);
  }
  const watchdog = createTimer(owner, queue, () => h.watchdog());
  if (typeof watchdog === 'number') return watchdog;
  iv.watchdog = watchdog.timer;
  iv.watchdogAction = watchdog.action;
  const shaper = createTimer(owner, queue, () => h.shaper());
  if (typeof shaper === 'number') return shaper;
  iv.shaperTimer = shaper.timer;
  iv.shaperAction = shaper.action;
  const poll = createTimer(owner, queue, () => h.poll());
  if (typeof poll === 'number') return poll;
  iv.pollTimer = poll.timer;
  iv.pollAction = poll.action;
  return kIOReturnSuccess;
}

function createClientBuffer(bytes: number, into: (m: IOBufferMemoryDescriptor) => void): IOReturn {
  const memory = out<IOBufferMemoryDescriptor>();
  const ret = IOBufferMemoryDescriptor.Create(
    kIOMemoryMapClientShared | kIOMemoryDirectionInOut,
    bytes,
    4096,
    memory,
  );
  if (ret === kIOReturnSuccess) into(memory.value!);
  return ret;
}

/**
 * The memory clients map (IOConnectMapMemory64): the statistics region, ring state, the
 * capture ring and the command buffer — each a buffer of its own, so a mapping sees its bytes
 * and nothing else.
 */
export function createClientRegions(iv: Ivars, appCapacity: number): IOReturn {
  let ret = createClientBuffer(statsLayout(appCapacity).bytes, (m) => {
    iv.statsMemory = m;
    iv.statsView = new StatsView(m.memory.buffer, m.offset, appCapacity);
    iv.statsView.initHeader();
  });
  if (ret === kIOReturnSuccess) ret = createClientBuffer(RING_STATE_BYTES, (m) => (iv.ringStateMemory = m));
  if (ret === kIOReturnSuccess) ret = createClientBuffer(CAPTURE_BYTES, (m) => (iv.captureMemory = m));
  if (ret === kIOReturnSuccess) ret = createClientBuffer(COMMAND_BUFFER_BYTES, (m) => (iv.commandMemory = m));
  return ret;
}

/** Undoes the create functions in reverse; safe on a partly built driver. */
export function releaseIvars(owner: Parameters<PciProvider['Close']>[0], iv: Ivars): void {
  for (const timer of [iv.watchdog, iv.pollTimer, iv.shaperTimer]) timer?.Cancel();
  iv.watchdog = safeRelease(iv.watchdog);
  iv.watchdogAction = safeRelease(iv.watchdogAction);
  iv.pollTimer = safeRelease(iv.pollTimer);
  iv.pollAction = safeRelease(iv.pollAction);
  iv.shaperTimer = safeRelease(iv.shaperTimer);
  iv.shaperAction = safeRelease(iv.shaperAction);
  iv.statsMemory = safeRelease(iv.statsMemory);
  iv.statsView = null;
  iv.ringStateMemory = safeRelease(iv.ringStateMemory);
  iv.captureMemory = safeRelease(iv.captureMemory);
  iv.commandMemory = safeRelease(iv.commandMemory);
  for (const s of iv.interruptSources) {
    s.Cancel();
    s.release();
  }
  for (const a of iv.interruptActions) a.release();
  iv.interruptSources = [];
  iv.interruptActions = [];
  iv.txsSource?.Cancel();
  iv.rxsSource?.Cancel();
  iv.txsSource = safeRelease(iv.txsSource);
  iv.rxsSource = safeRelease(iv.rxsSource);
  iv.txAvailableAction = safeRelease(iv.txAvailableAction);
  iv.rxAvailableAction = safeRelease(iv.rxAvailableAction);
  for (const r of iv.txRings) r.descriptors.release();
  for (const r of iv.rxRings) r.descriptors.release();
  iv.txRings = [];
  iv.rxRings = [];
  iv.txs = safeRelease(iv.txs);
  iv.txc = safeRelease(iv.txc);
  iv.rxs = safeRelease(iv.rxs);
  iv.rxc = safeRelease(iv.rxc);
  iv.pool = safeRelease(iv.pool);
  iv.queue = safeRelease(iv.queue);
  if (iv.pci) {
    if (iv.mmio && !iv.mmio.removed) iv.mmio.wr32(R.CTRL_EXT, 0);
    iv.pci.Close(owner, 0);
  }
  iv.mmio = null;
  iv.pci = safeRelease(iv.pci);
}
