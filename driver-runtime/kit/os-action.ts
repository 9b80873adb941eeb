import { kIOReturnBadArgument, kIOReturnNoMemory, kIOReturnSuccess, type IOReturn } from './io-return.ts';
import { OSObject, type Out } from './os-object.ts';
import type { IODispatchQueue } from './dispatch-queue.ts';

/** The block `SetAbortedHandler` installs (OSActionAbortedHandler). */
export type OSActionAbortedHandler = () => void;

/** The method an action calls: `Method(action, ...args)` on the target. */
export type OSActionHandler<A extends unknown[]> = (action: OSAction<A>, ...args: A) => void;

/**
 * OURS: the largest reference area `Create` accepts. The kernel allocates the area zeroed with
 * the action (XNU IOUserServer.cpp, OSActionCreateWithTypeNameInternal) and answers
 * kIOReturnNoMemory when that allocation fails; its real limit is whatever the allocator
 * gives. We fail above 64 MiB so an absurd size is refused instead of exhausting the heap.
 */
export const OS_ACTION_MAX_REFERENCE_BYTES = 64 * 1024 * 1024;

/**
 * OSAction (XNU OSAction.iig; driverkit.md §5.4): a retained "call this method on that
 * target" with a zero-filled reference area, as the iig `CreateAction<Method>(referenceSize,
 * &action)` factories make through `OSAction::Create`. The handler runs on `queue` (the
 * target method's queue), never inline, which is how DriverKit delivers dispatch-source events.
 *
 * Life cycle:
 * - `Create` retains the target (as the kernel does) and the queue (OURS: the queue is our
 *   stand-in for the target method's QUEUENAME, so the action keeps it alive); `free`
 *   releases both.
 * - `Cancel(handler)` stops deliveries for good; the handler runs on the queue afterwards.
 * - `SetAbortedHandler(block)`: the system calls the block "when no other objects reference
 *   the action"; the block may retain the action to keep it, otherwise "the system releases
 *   it shortly after your handler returns" (Apple's SetAbortedHandler page). NetLanes is one
 *   process, so we read that as (OURS): when the last reference is released — by the creator
 *   or by the last source that held it, cancelled or not — the action is cancelled, the
 *   system keeps that reference, runs the block once on the action's queue, then releases it.
 */
export class OSAction<A extends unknown[] = unknown[]> extends OSObject {
  private cancelled = false;
  private readonly reference: Uint8Array | null;
  private abortedHandler: OSActionAbortedHandler | null = null;
  /** Set once the aborted path has started: it runs at most once. */
  private abortStarted = false;
  /** True for actions made by `Create`, which hold their target and queue. */
  private holdsTargetAndQueue = false;

  /**
   * The constructor the driver uses today; it retains neither target nor queue. New code
   * should call `OSAction.Create`, which checks its arguments and can fail.
   */
  constructor(
    readonly target: OSObject,
    readonly queue: IODispatchQueue,
    private readonly handler: OSActionHandler<A>,
    referenceSize = 0,
  ) {
    super(target.runtime);
    this.reference = referenceSize > 0 ? new Uint8Array(referenceSize) : null;
  }

  /**
   * `OSAction::Create(target, …, referenceSize, &action)` — what `CreateAction<Method>` calls.
   * On failure `action` is left untouched (null as `out()` made it) and nothing is retained.
   * - referenceSize not a size (negative, fractional, beyond 2^53): kIOReturnBadArgument, as
   *   the kernel answers when referenceSize + sizeof(ivars) overflows;
   * - referenceSize above OS_ACTION_MAX_REFERENCE_BYTES: kIOReturnNoMemory (the kernel's answer
   *   to a failed allocation; the limit is ours);
   * - target null or freed, queue null, freed or cancelled, handler not a function:
   *   kIOReturnBadArgument (OURS: the reference is silent; the kernel trusts its caller, whose
   *   target is always `this`, and the real call takes no queue).
   */
  static Create<A extends unknown[]>(
    target: OSObject | null,
    queue: IODispatchQueue | null,
    handler: OSActionHandler<A> | null,
    referenceSize: number,
    action: Out<OSAction<A>>,
  ): IOReturn {
    if (!Number.isSafeInteger(referenceSize) || referenceSize < 0) return kIOReturnBadArgument;
    if (referenceSize > OS_ACTION_MAX_REFERENCE_BYTES) return kIOReturnNoMemory;
    if (target === null || target.isFreed) return kIOReturnBadArgument;
    if (queue === null || queue.isFreed || queue.isCancelled) return kIOReturnBadArgument;
    if (typeof handler !== 'function') return kIOReturnBadArgument;
    const created = new OSAction<A>(target, queue, handler, referenceSize);
    target.retain();
    queue.retain();
    created.holdsTargetAndQueue = true;
    action.value = created;
    return kIOReturnSuccess;
  }

  /** The zero-filled reference area of `referenceSize` bytes; null when the size was 0. */
  GetReference(): Uint8Array | null {
    return this.reference;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * Stops future deliveries; the action can then only be freed. `done` runs on the queue
   * after work already queued there (a delivery in flight finds the action cancelled).
   */
  Cancel(done?: () => void): IOReturn {
    this.cancelled = true;
    if (done) this.queue.DispatchAsync(done);
    return kIOReturnSuccess;
  }

  /** Installs (or, with null, removes) the block run once when no one references the action. */
  SetAbortedHandler(handler: OSActionAbortedHandler | null): IOReturn {
    if (handler !== null && typeof handler !== 'function') return kIOReturnBadArgument;
    this.abortedHandler = handler;
    return kIOReturnSuccess;
  }

  /** Runs the handler now, on the caller's stack; sources call this from their queue event. */
  invoke(...args: A): void {
    if (!this.cancelled) this.handler(this, ...args);
  }

  /**
   * The last reference going is what aborts an action that has an aborted handler: instead of
   * freeing it now, the system keeps that reference until the handler has run.
   */
  override release(): void {
    if (this.abortedHandler === null || this.abortStarted || this.isFreed || this.getRetainCount() !== 1) {
      super.release();
      return;
    }
    this.abortStarted = true;
    this.cancelled = true;
    const runAborted = (): void => {
      const handler = this.abortedHandler;
      this.abortedHandler = null;
      handler?.();
      if (!this.isFreed) super.release();
    };
    // OURS: with no queue left to run on (cancelled or freed), the block runs at once.
    if (this.queue.isFreed || this.queue.isCancelled) runAborted();
    else this.queue.DispatchAsync(runAborted);
  }

  protected override free(): void {
    if (this.holdsTargetAndQueue) {
      this.queue.release();
      this.target.release();
    }
  }
}
