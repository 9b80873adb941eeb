import { OSObject } from './os-object.ts';
import type { IODispatchQueue } from './dispatch-queue.ts';

/**
 * OSAction: a retained "call this method on that target" with a reference area, as the
 * iig `CreateAction<Method>` factories make. The handler runs on `queue` (the target
 * method's queue), never inline, which is how DriverKit delivers dispatch-source events.
 */
export class OSAction<A extends unknown[] = unknown[]> extends OSObject {
  private cancelled = false;
  private readonly reference: Uint8Array;

  constructor(
    readonly target: OSObject,
    readonly queue: IODispatchQueue,
    private readonly handler: (action: OSAction<A>, ...args: A) => void,
    referenceSize = 0,
  ) {
    super(target.runtime);
    this.reference = new Uint8Array(referenceSize);
  }

  /** The reference area passed at creation (`CreateActionX(sizeof(T), ...)`). */
  GetReference(): Uint8Array {
    return this.reference;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Stops future deliveries; `done` runs on the queue once pending work has drained. */
  Cancel(done?: () => void): void {
    this.cancelled = true;
    if (done) this.queue.DispatchAsync(done);
  }

  /** Runs the handler now, on the caller's stack; sources call this from their queue event. */
  invoke(...args: A): void {
    if (!this.cancelled) this.handler(this, ...args);
  }
}
