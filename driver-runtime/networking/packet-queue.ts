import type { EventHandler } from '../sim/scheduler.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotReady,
  kIOReturnOverrun,
  kIOReturnSuccess,
  kIOReturnUnderrun,
  type IOReturn,
} from '../kit/io-return.ts';
import { OSObject, type Out } from '../kit/os-object.ts';
import { IODataQueueDispatchSource } from '../kit/data-queue-source.ts';
import type { IODispatchQueue } from '../kit/dispatch-queue.ts';
import type { IOUserNetworkPacketBufferPool } from './packet-buffer-pool.ts';

export type PacketQueueKind = 'TxSubmission' | 'TxCompletion' | 'RxSubmission' | 'RxCompletion';

/** The driver consumes submission queues and produces completion queues; the system does the opposite. */
export function driverConsumes(kind: PacketQueueKind): boolean {
  return kind === 'TxSubmission' || kind === 'RxSubmission';
}

/**
 * IOUserNetworkPacketQueue: a ring of packet handles between the system (network stack)
 * and the driver. DPDK grid: `EnqueuePackets`/`DequeuePackets` are bursts that return a
 * count and may be partial; single-packet calls return an IOReturn.
 *
 * Notifications: when the producer adds packets, the consumer is told (coalesced) — the
 * driver through its data-queue dispatch source's data-available action, the system
 * through a plain handler. When a producer found the ring full, the next dequeue tells it
 * space is back (data-serviced).
 *
 * OURS: the return codes the reference leaves open — EnqueuePacket on a disabled queue
 * kIOReturnNotReady, on a full one kIOReturnOverrun, DequeuePacket on an empty one
 * kIOReturnUnderrun (IODataQueueDispatchSource's codes); capacity 1..65536, rounded up to a
 * power of two inside; SetDataQueue accepted and ignored.
 */
export class IOUserNetworkPacketQueue extends OSObject {
  readonly kind: PacketQueueKind;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly queueId: number;
  readonly capacity: number;
  private readonly ring: Int32Array;
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  private enabled = false;
  private readonly dataSource: IODataQueueDispatchSource;

  // System side (the kernel's half of the queue; not DriverKit API).
  private systemAvailable: EventHandler | null = null;
  private systemServiced: EventHandler | null = null;
  private systemAvailablePending = false;
  private systemServicedPending = false;
  private systemProducerWaiting = false;

  /** Lifetime counters. */
  enqueued = 0;
  dequeued = 0;
  enqueueRefused = 0;

  /** Use the subclasses' `Create`; public only so the shared factory can construct them. */
  constructor(
    kind: PacketQueueKind,
    pool: IOUserNetworkPacketBufferPool,
    capacity: number,
    queueId: number,
    dispatchQueue: IODispatchQueue,
  ) {
    super(pool.runtime);
    this.kind = kind;
    this.pool = pool.retain();
    this.queueId = queueId;
    this.capacity = capacity;
    let size = 1;
    while (size < capacity) size <<= 1;
    this.ring = new Int32Array(size);
    this.mask = size - 1;
    const source = { value: null as IODataQueueDispatchSource | null };
    IODataQueueDispatchSource.Create(0, dispatchQueue, source);
    this.dataSource = source.value!;
  }

  get count(): number {
    return this.tail - this.head;
  }

  get freeSpace(): number {
    return this.capacity - (this.tail - this.head);
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** True when the consumer is told of new packets: a driver-side data-available handler, or a system handler. */
  get hasConsumer(): boolean {
    return driverConsumes(this.kind)
      ? this.dataSource.hasDataAvailableHandler
      : this.systemAvailable !== null;
  }

  /** Causes already logged, so each refusal reaches the system log once until it clears. */
  private readonly logged = new Set<string>();

  /** Logs a refusal once per cause, as the system log would, naming the queue and what is wrong. */
  private logOnce(cause: string, message: string): void {
    if (this.logged.has(cause)) return;
    this.logged.add(cause);
    this.runtime.tracer.warn('networking', `${this.kind} queue ${this.queueId}: ${message}`);
  }

  SetEnable(enable: boolean): IOReturn {
    if (enable) this.logged.delete('disabled');
    this.enabled = enable;
    this.dataSource.SetEnable(enable);
    if (enable && this.count > 0) this.notifyConsumer();
    return kIOReturnSuccess;
  }

  /** Returns the queue's data-queue dispatch source, retained, for handler installation. */
  CopyDataQueue(source: Out<IODataQueueDispatchSource>): IOReturn {
    source.value = this.dataSource.retain();
    return kIOReturnSuccess;
  }

  SetDataQueue(_source: IODataQueueDispatchSource): IOReturn {
    return kIOReturnSuccess;
  }

  /** Enqueues up to `count` handles from `handles[offset..]`; returns how many went in. */
  EnqueuePackets(handles: Int32Array, count: number, offset = 0): number {
    if (!this.enabled) {
      this.enqueueRefused += count;
      this.logOnce(
        'disabled',
        'enqueue refused: the queue is not enabled (SetEnable(true) not called, or the interface is down)',
      );
      return 0;
    }
    const room = this.capacity - (this.tail - this.head);
    const n = count < room ? count : room;
    const ring = this.ring;
    const mask = this.mask;
    let t = this.tail;
    for (let i = 0; i < n; i++) ring[t++ & mask] = handles[offset + i];
    this.tail = t;
    this.enqueued += n;
    if (n < count) {
      this.enqueueRefused += count - n;
      this.noteProducerWaiting();
    }
    if (n > 0) this.notifyConsumer();
    if (n > 0 && !this.hasConsumer)
      this.logOnce(
        'no-consumer',
        'packets enqueued but no data-available handler is installed: nothing will dequeue them',
      );
    return n;
  }

  EnqueuePacket(handle: number): IOReturn {
    if (!this.enabled) return kIOReturnNotReady;
    if (this.tail - this.head >= this.capacity) {
      this.enqueueRefused++;
      this.noteProducerWaiting();
      return kIOReturnOverrun;
    }
    this.ring[this.tail++ & this.mask] = handle;
    this.enqueued++;
    this.notifyConsumer();
    return kIOReturnSuccess;
  }

  /** Dequeues up to `max` handles into `handles[offset..]`; returns how many. */
  DequeuePackets(handles: Int32Array, max: number, offset = 0): number {
    const available = this.tail - this.head;
    const room = handles.length - offset;
    // Never take more than the caller's array holds: those handles would be lost.
    const limit = max < room ? max : room;
    const n = limit < available ? limit : available;
    const ring = this.ring;
    const mask = this.mask;
    let h = this.head;
    for (let i = 0; i < n; i++) handles[offset + i] = ring[h++ & mask];
    this.head = h;
    this.dequeued += n;
    if (n > 0) this.notifyProducerSpace();
    return n;
  }

  DequeuePacket(handle: Out<number>): IOReturn {
    if (this.tail === this.head) return kIOReturnUnderrun;
    handle.value = this.ring[this.head++ & this.mask];
    this.dequeued++;
    this.notifyProducerSpace();
    return kIOReturnSuccess;
  }

  /** Removes everything (disable/stop paths); returns the handles so the caller can free them. */
  drainAll(handles: Int32Array): number {
    return this.DequeuePackets(handles, this.count);
  }

  // ---- system side ----

  /** The stack installs these; they run as scheduler events (coalesced). */
  setSystemHandlers(dataAvailable: EventHandler | null, dataServiced: EventHandler | null): void {
    this.systemAvailable = dataAvailable;
    this.systemServiced = dataServiced;
  }

  private noteProducerWaiting(): void {
    if (driverConsumes(this.kind)) this.systemProducerWaiting = true;
    else this.dataSource.noteEnqueueFailed();
  }

  private notifyConsumer(): void {
    if (driverConsumes(this.kind)) {
      if (this.enabled) this.dataSource.SendDataAvailable();
    } else if (this.systemAvailable !== null && !this.systemAvailablePending) {
      this.systemAvailablePending = true;
      this.runtime.scheduler.after(0, this.systemAvailableDelivery, 0);
    }
  }

  private notifyProducerSpace(): void {
    if (!driverConsumes(this.kind)) {
      this.dataSource.noteSpaceFreed();
      return;
    }
    if (!this.systemProducerWaiting || this.systemServiced === null || this.systemServicedPending) return;
    this.systemProducerWaiting = false;
    this.systemServicedPending = true;
    this.runtime.scheduler.after(0, this.systemServicedDelivery, 0);
  }

  private readonly systemAvailableDelivery: EventHandler = {
    onEvent: (arg) => {
      this.systemAvailablePending = false;
      this.systemAvailable?.onEvent(arg);
    },
  };

  private readonly systemServicedDelivery: EventHandler = {
    onEvent: (arg) => {
      this.systemServicedPending = false;
      this.systemServiced?.onEvent(arg);
    },
  };

  protected override free(): void {
    this.dataSource.Cancel();
    this.dataSource.release();
    this.pool.release();
  }
}

type QueueCtor<T> = new (
  kind: PacketQueueKind,
  pool: IOUserNetworkPacketBufferPool,
  capacity: number,
  queueId: number,
  dispatchQueue: IODispatchQueue,
) => T;

/**
 * The DriverKit `Create(pool, owner, capacity, queueId, dispatchQueue, &queue)` of one queue
 * class; the four classes differ only in their role.
 */
function queueFactory<T extends IOUserNetworkPacketQueue>(ctor: QueueCtor<T>, kind: PacketQueueKind) {
  return (
    pool: IOUserNetworkPacketBufferPool | null,
    _owner: OSObject,
    capacity: number,
    queueId: number,
    dispatchQueue: IODispatchQueue | null,
    queue: Out<T>,
  ): IOReturn => {
    if (dispatchQueue === null || pool === null || pool.isFreed) return kIOReturnBadArgument;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65536) return kIOReturnBadArgument;
    queue.value = new ctor(kind, pool, capacity, queueId, dispatchQueue);
    return kIOReturnSuccess;
  };
}

/** Stack → driver: packets to send. */
export class IOUserNetworkTxSubmissionQueue extends IOUserNetworkPacketQueue {
  static Create = queueFactory(IOUserNetworkTxSubmissionQueue, 'TxSubmission');
}

/** Driver → stack: sent packets coming back. */
export class IOUserNetworkTxCompletionQueue extends IOUserNetworkPacketQueue {
  static Create = queueFactory(IOUserNetworkTxCompletionQueue, 'TxCompletion');
}

/** Stack → driver: empty buffers to receive into. */
export class IOUserNetworkRxSubmissionQueue extends IOUserNetworkPacketQueue {
  static Create = queueFactory(IOUserNetworkRxSubmissionQueue, 'RxSubmission');
}

/** Driver → stack: received packets. */
export class IOUserNetworkRxCompletionQueue extends IOUserNetworkPacketQueue {
  static Create = queueFactory(IOUserNetworkRxCompletionQueue, 'RxCompletion');
}
