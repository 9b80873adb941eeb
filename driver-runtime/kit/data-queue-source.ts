import type { EventHandler } from '../sim/scheduler.ts';
import {
  kIOReturnBadArgument,
  kIOReturnOverrun,
  kIOReturnSuccess,
  kIOReturnUnderrun,
  type IOReturn,
} from './io-return.ts';
import type { OSAction } from './os-action.ts';
import { OSObject, type Out } from './os-object.ts';
import type { IODispatchQueue } from './dispatch-queue.ts';

export type DataAvailable = OSAction<[]>;
export type DataServiced = OSAction<[]>;

/** Each entry starts with its uint32 size, as IODataQueueEntry does. */
const ENTRY_HEADER_BYTES = 4;

/**
 * IODataQueueDispatchSource: a byte queue of variable-size entries with two notifications —
 * data-available for the consumer (sent when the queue goes non-empty) and data-serviced
 * for the producer (sent when space frees up after an enqueue failed). Handlers run on
 * their action's queue. Packet queues reuse the notification half through
 * `SendDataAvailable` / `SendDataServiced` and keep their handles in their own ring.
 *
 * OURS: the byte layout. An entry here may wrap around the end of the buffer, and
 * `CanEnqueueData` is a plain space count; the real shared-memory queue keeps each entry
 * contiguous (wrapping to the start) and lives in memory shared with the other side.
 */
export class IODataQueueDispatchSource extends OSObject {
  private availableHandler: DataAvailable | null = null;
  private servicedHandler: DataServiced | null = null;
  private availablePending = false;
  private servicedPending = false;
  private enabled = true;
  private cancelled = false;
  /** Set when an enqueue failed for lack of space; the next dequeue then sends data-serviced. */
  private producerWaiting = false;

  private readonly bytes: Uint8Array;
  private head = 0;
  private used = 0;
  private entries = 0;

  private constructor(
    queueByteCount: number,
    private readonly queue: IODispatchQueue,
  ) {
    super(queue.runtime);
    queue.retain();
    this.bytes = new Uint8Array(queueByteCount);
  }

  static Create(
    queueByteCount: number,
    queue: IODispatchQueue,
    source: Out<IODataQueueDispatchSource>,
  ): IOReturn {
    if (!Number.isInteger(queueByteCount) || queueByteCount < 0) return kIOReturnBadArgument;
    source.value = new IODataQueueDispatchSource(queueByteCount, queue);
    return kIOReturnSuccess;
  }

  SetDataAvailableHandler(action: DataAvailable): IOReturn {
    action.retain();
    this.availableHandler?.release();
    this.availableHandler = action;
    return kIOReturnSuccess;
  }

  SetDataServicedHandler(action: DataServiced): IOReturn {
    action.retain();
    this.servicedHandler?.release();
    this.servicedHandler = action;
    return kIOReturnSuccess;
  }

  SetEnable(enable: boolean): IOReturn {
    const wasEnabled = this.enabled;
    this.enabled = enable;
    // Data enqueued while disabled sent no notification, and later enqueues are not an
    // empty → non-empty transition: without this the consumer would never be told.
    if (enable && !wasEnabled && this.entries > 0) this.SendDataAvailable();
    return kIOReturnSuccess;
  }

  get isEnabled(): boolean {
    return this.enabled && !this.cancelled;
  }

  /** True once a data-available action is installed (bring-up diagnostics ask). */
  get hasDataAvailableHandler(): boolean {
    return this.availableHandler !== null && !this.cancelled;
  }

  /** Asks for a data-available delivery (coalesced until the handler runs). */
  SendDataAvailable(): void {
    if (this.availablePending || this.cancelled || this.availableHandler === null) return;
    this.availablePending = true;
    this.availableHandler.queue.post(this.availableDelivery, 0);
  }

  /** Asks for a data-serviced delivery (coalesced until the handler runs). */
  SendDataServiced(): void {
    if (this.servicedPending || this.cancelled || this.servicedHandler === null) return;
    this.servicedPending = true;
    this.servicedHandler.queue.post(this.servicedDelivery, 0);
  }

  /** Marks that a producer failed to enqueue; the next freed space sends data-serviced. */
  noteEnqueueFailed(): void {
    this.producerWaiting = true;
  }

  /** Called by the consumer side after it freed space. */
  noteSpaceFreed(): void {
    if (!this.producerWaiting) return;
    this.producerWaiting = false;
    this.SendDataServiced();
  }

  IsDataAvailable(): boolean {
    return this.entries > 0;
  }

  CanEnqueueData(size: number, count = 1): IOReturn {
    return this.used + (size + ENTRY_HEADER_BYTES) * count <= this.bytes.length
      ? kIOReturnSuccess
      : kIOReturnOverrun;
  }

  /** Copies `size` bytes written by `fill` into a new entry. */
  Enqueue(size: number, fill: (data: Uint8Array) => void): IOReturn {
    if (this.CanEnqueueData(size) !== kIOReturnSuccess) {
      this.noteEnqueueFailed();
      return kIOReturnOverrun;
    }
    const entry = new Uint8Array(size);
    fill(entry);
    const tail = (this.head + this.used) % this.bytes.length;
    this.writeWrapped(tail, size);
    this.copyIn((tail + ENTRY_HEADER_BYTES) % this.bytes.length, entry);
    this.used += size + ENTRY_HEADER_BYTES;
    const wasEmpty = this.entries++ === 0;
    if (wasEmpty && this.enabled) this.SendDataAvailable();
    return kIOReturnSuccess;
  }

  Peek(read: (data: Uint8Array) => void): IOReturn {
    if (this.entries === 0) return kIOReturnUnderrun;
    read(this.copyOut());
    return kIOReturnSuccess;
  }

  Dequeue(read: (data: Uint8Array) => void): IOReturn {
    if (this.entries === 0) return kIOReturnUnderrun;
    const data = this.copyOut();
    this.head = (this.head + data.length + ENTRY_HEADER_BYTES) % this.bytes.length;
    this.used -= data.length + ENTRY_HEADER_BYTES;
    this.entries--;
    read(data);
    this.noteSpaceFreed();
    return kIOReturnSuccess;
  }

  Cancel(done?: () => void): IOReturn {
    this.cancelled = true;
    this.availableHandler?.release();
    this.availableHandler = null;
    this.servicedHandler?.release();
    this.servicedHandler = null;
    if (done) this.queue.DispatchAsync(done);
    return kIOReturnSuccess;
  }

  private readonly availableDelivery: EventHandler = {
    onEvent: () => {
      this.availablePending = false;
      if (this.enabled && !this.cancelled) this.availableHandler?.invoke();
    },
  };

  private readonly servicedDelivery: EventHandler = {
    onEvent: () => {
      this.servicedPending = false;
      if (!this.cancelled) this.servicedHandler?.invoke();
    },
  };

  private writeWrapped(at: number, size: number): void {
    const tmp = new Uint8Array(ENTRY_HEADER_BYTES);
    new DataView(tmp.buffer).setUint32(0, size, true);
    this.copyIn(at, tmp);
  }

  private copyIn(at: number, src: Uint8Array): void {
    const cap = this.bytes.length;
    for (let i = 0; i < src.length; i++) this.bytes[(at + i) % cap] = src[i];
  }

  private copyOut(): Uint8Array {
    const cap = this.bytes.length;
    let size = 0;
    for (let i = 0; i < ENTRY_HEADER_BYTES; i++) size |= this.bytes[(this.head + i) % cap] << (8 * i);
    const out = new Uint8Array(size >>> 0);
    const start = this.head + ENTRY_HEADER_BYTES;
    for (let i = 0; i < out.length; i++) out[i] = this.bytes[(start + i) % cap];
    return out;
  }

  protected override free(): void {
    this.Cancel();
    this.queue.release();
  }
}
