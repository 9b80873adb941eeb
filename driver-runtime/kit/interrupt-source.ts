import type { EventHandler } from '../sim/scheduler.ts';
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from './io-return.ts';
import type { OSAction } from './os-action.ts';
import { OSObject, type Out } from './os-object.ts';
import type { IODispatchQueue } from './dispatch-queue.ts';

export const kIOInterruptSourceContinuousTime = 0x10000;
export const kIOInterruptSourceIndexMask = 0xffff;

/** `InterruptOccurred(action, count, time)`. */
export type InterruptOccurred = OSAction<[count: number, time: number]>;

/** What a provider (IOPCIDevice) offers interrupt sources: one line per index (MSI-X vector). */
export interface InterruptProvider {
  registerInterrupt(index: number, source: IOInterruptDispatchSource): IOReturn;
  unregisterInterrupt(index: number, source: IOInterruptDispatchSource): void;
}

/**
 * IOInterruptDispatchSource: the provider calls `interruptAsserted(time)` for every message;
 * the handler runs on the queue with the count of messages coalesced since the last delivery
 * — a storm collapses into few deliveries with large counts. As in XNU (IOUserServer.cpp),
 * the kernel side only counts and wakes the dext's thread; the thread takes the whole count.
 * The wake takes `runtime.interruptWakeLatencyNs` (OURS, see there).
 *
 * OURS: `time` is the time of the first message of the batch (XNU passes the time it
 * recorded, which newer kernels update on every interrupt); messages that reach a disabled or
 * cancelled source are dropped, not saved for later.
 */
export class IOInterruptDispatchSource extends OSObject {
  private handler: InterruptOccurred | null = null;
  private enabled = false;
  private cancelled = false;
  private pendingCount = 0;
  private firstTime = 0;
  private received = 0;
  private dropped = 0;
  private handled = 0;
  private invocations = 0;
  readonly index: number;

  private constructor(
    private readonly provider: InterruptProvider & OSObject,
    index: number,
    private readonly queue: IODispatchQueue,
  ) {
    super(queue.runtime);
    this.index = index & kIOInterruptSourceIndexMask;
    provider.retain();
    queue.retain();
  }

  static Create(
    provider: InterruptProvider & OSObject,
    index: number,
    queue: IODispatchQueue,
    source: Out<IOInterruptDispatchSource>,
  ): IOReturn {
    const s = new IOInterruptDispatchSource(provider, index, queue);
    const ret = provider.registerInterrupt(s.index, s);
    if (ret !== kIOReturnSuccess) {
      s.release();
      return ret;
    }
    source.value = s;
    return kIOReturnSuccess;
  }

  // ---- counters (not DriverKit API): what arrived against what the handler saw ----

  /** Messages the provider handed to this source, dropped ones included. */
  get messagesReceived(): number {
    return this.received;
  }

  /** Messages that reached the source while it was disabled or cancelled. */
  get messagesDropped(): number {
    return this.dropped;
  }

  /** Handler runs; each reported the messages coalesced since the previous run. */
  get handlerInvocations(): number {
    return this.invocations;
  }

  /** Messages the handler was told about: the sum of the counts it was called with. */
  get messagesHandled(): number {
    return this.handled;
  }

  /** @deprecated Use `messagesReceived`. */
  get asserted(): number {
    return this.received;
  }

  /** @deprecated Use `handlerInvocations`. */
  get delivered(): number {
    return this.invocations;
  }

  /** OURS: refused with kIOReturnBadArgument once cancelled (XNU's SetHandler does not check). */
  SetHandler(action: InterruptOccurred): IOReturn {
    if (this.cancelled) return kIOReturnBadArgument;
    action.retain();
    this.handler?.release();
    this.handler = action;
    return kIOReturnSuccess;
  }

  SetEnable(enable: boolean): IOReturn {
    this.enabled = enable;
    return kIOReturnSuccess;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  Cancel(done?: () => void): IOReturn {
    if (this.cancelled) return kIOReturnSuccess;
    this.cancelled = true;
    this.enabled = false;
    this.provider.unregisterInterrupt(this.index, this);
    this.handler?.release();
    this.handler = null;
    if (done) this.queue.DispatchAsync(done);
    return kIOReturnSuccess;
  }

  /** Called by the provider for every message on this line/vector. */
  interruptAsserted(time: number): void {
    this.received++;
    if (!this.enabled || this.cancelled) {
      this.dropped++;
      return;
    }
    // Only the first message of a batch wakes the handler; the rest add to its count.
    if (this.pendingCount++ === 0) {
      this.firstTime = time;
      const wake = this.runtime.interruptWakeLatencyNs;
      if (wake > 0) this.runtime.scheduler.after(wake, this.wake, 0);
      else this.queue.post(this.delivery, 0);
    }
  }

  /** Made once, so an interrupt allocates nothing. */
  private readonly wake: EventHandler = {
    onEvent: () => {
      if (!this.cancelled) this.queue.post(this.delivery, 0);
    },
  };

  private readonly delivery: EventHandler = {
    onEvent: () => {
      const count = this.pendingCount;
      this.pendingCount = 0;
      if (count === 0 || this.cancelled || this.handler === null) return;
      this.invocations++;
      this.handled += count;
      this.handler.invoke(count, this.firstTime);
    },
  };

  protected override free(): void {
    this.Cancel();
    this.queue.release();
    this.provider.release();
  }
}
