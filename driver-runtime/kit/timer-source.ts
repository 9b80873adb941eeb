import { NO_EVENT, type EventHandler, type EventId } from '../sim/scheduler.ts';
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from './io-return.ts';
import type { OSAction } from './os-action.ts';
import { OSObject, type Out } from './os-object.ts';
import type { IODispatchQueue } from './dispatch-queue.ts';

/**
 * OURS: the kIOTimerClock* names are real (driverkit.md §5.4) but their numeric values were
 * not found (§7). These are placeholders; WakeAtTime ignores its options, so no behaviour
 * depends on them.
 */
export const kIOTimerClockMachAbsoluteTime = 0x08;
export const kIOTimerClockMonotonicRaw = 0x10;
export const kIOTimerClockUptimeRaw = 0x20;

/** `TimerOccurred(action, time)`. */
export type TimerOccurred = OSAction<[time: number]>;

/**
 * IOTimerDispatchSource: one-shot. `WakeAtTime` replaces any pending deadline (so a
 * re-arm cannot double-fire); `Cancel` stops it. Deadlines are virtual ns, which is
 * mach absolute time in this simulation (1 tick = 1 ns).
 *
 * OURS: every clock is the one virtual clock (options ignored); the handler runs exactly at
 * the deadline, which the real "by deadline + leeway" guarantee allows; `SetEnable(false)`
 * drops the pending deadline (re-enabling does not restore it); `WakeAtTime` after `Cancel`
 * answers kIOReturnBadArgument.
 */
export class IOTimerDispatchSource extends OSObject implements EventHandler {
  private handler: TimerOccurred | null = null;
  private pending: EventId = NO_EVENT;
  private enabled = true;
  private cancelled = false;
  /** Times the handler ran. */
  fired = 0;

  private constructor(private readonly queue: IODispatchQueue) {
    super(queue.runtime);
    queue.retain();
  }

  static Create(queue: IODispatchQueue, source: Out<IOTimerDispatchSource>): IOReturn {
    source.value = new IOTimerDispatchSource(queue);
    return kIOReturnSuccess;
  }

  SetHandler(action: TimerOccurred): IOReturn {
    action.retain();
    this.handler?.release();
    this.handler = action;
    return kIOReturnSuccess;
  }

  get isArmed(): boolean {
    return this.pending !== NO_EVENT;
  }

  WakeAtTime(_options: number, deadline: number, _leeway: number): IOReturn {
    if (this.cancelled) return kIOReturnBadArgument;
    this.runtime.scheduler.cancel(this.pending);
    this.pending = this.runtime.scheduler.schedule(deadline, this, 0);
    return kIOReturnSuccess;
  }

  SetEnable(enable: boolean): IOReturn {
    this.enabled = enable;
    if (!enable) this.disarm();
    return kIOReturnSuccess;
  }

  Cancel(done?: () => void): IOReturn {
    this.cancelled = true;
    this.disarm();
    this.handler = releaseAction(this.handler);
    if (done) this.queue.DispatchAsync(done);
    return kIOReturnSuccess;
  }

  onEvent(): void {
    this.pending = NO_EVENT;
    if (!this.enabled || this.cancelled || this.handler === null) return;
    // Deliver on the handler's queue, as DriverKit does; the time is the deadline reached.
    this.queue.post(this.delivery, this.runtime.scheduler.now);
  }

  /** Made once, so a delivery allocates nothing. */
  private readonly delivery: EventHandler = {
    onEvent: (deadline: number) => {
      if (this.cancelled || this.handler === null) return;
      this.fired++;
      this.handler.invoke(deadline);
    },
  };

  private disarm(): void {
    this.runtime.scheduler.cancel(this.pending);
    this.pending = NO_EVENT;
  }

  protected override free(): void {
    this.Cancel();
    this.queue.release();
  }
}

function releaseAction<T extends OSObject>(a: T | null): null {
  a?.release();
  return null;
}
