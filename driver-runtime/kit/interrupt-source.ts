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
 * IOInterruptDispatchSource: the provider calls `interruptAsserted(time)`; the handler runs
 * on the queue with the count of interrupts coalesced since the last delivery and the time
 * of the first one — a storm collapses into one delivery with a large count.
 */
export class IOInterruptDispatchSource extends OSObject {
  private handler: InterruptOccurred | null = null;
  private enabled = false;
  private cancelled = false;
  private pendingCount = 0;
  private firstTime = 0;
  readonly index: number;
  /** Interrupts seen and deliveries made, for tests and stats. */
  asserted = 0;
  delivered = 0;

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

  /** Called by the provider when the line/vector fires. */
  interruptAsserted(time: number): void {
    this.asserted++;
    if (!this.enabled || this.cancelled) return;
    if (this.pendingCount++ === 0) {
      this.firstTime = time;
      this.queue.post(this.delivery, 0);
    }
  }

  private readonly delivery: EventHandler = {
    onEvent: () => {
      const count = this.pendingCount;
      this.pendingCount = 0;
      if (count === 0 || this.cancelled || this.handler === null) return;
      this.delivered++;
      this.handler.invoke(count, this.firstTime);
    },
  };

  protected override free(): void {
    this.Cancel();
    this.queue.release();
    this.provider.release();
  }
}
