import type { EventHandler } from '../sim/scheduler.ts';
import { kIOReturnSuccess, type IOReturn } from './io-return.ts';
import { OSObject, type Out } from './os-object.ts';
import type { DextRuntime } from './runtime.ts';
import { currentRuntime } from './runtime.ts';

/**
 * IODispatchQueue: a serial queue whose work runs in virtual time. Items queued at time t
 * run at t + `latencyNs` (0 by default) in FIFO order, one after another, as scheduler
 * events — so a driver handler never runs inside the device call that triggered it.
 *
 * Hot-path users post `(EventHandler, arg)` pairs with `post`, which allocates nothing;
 * `DispatchAsync(block)` is the convenience form for control-plane work.
 *
 * OURS: `latencyNs` (0 unless a test or host sets it) stands for thread wake-up and
 * scheduling; `DispatchSync` runs the block at once (one simulated thread, so nothing can be
 * ahead of it); `Cancel` drops work not yet run and calls its handler immediately.
 */
export class IODispatchQueue extends OSObject implements EventHandler {
  readonly name: string;
  latencyNs = 0;
  /** Items run so far. */
  itemsRun = 0;

  // Ring of pending items; grows by doubling, never shrinks, so steady state allocates nothing.
  private handlers: (EventHandler | null)[] = new Array<EventHandler | null>(64).fill(null);
  private args = new Float64Array(64);
  private head = 0;
  private count = 0;
  private scheduled = false;
  private cancelled = false;

  private constructor(name: string, runtime: DextRuntime) {
    super(runtime);
    this.name = name;
  }

  /** Options and priority are accepted and ignored (the docs say to pass 0; all queues are serial). */
  static Create(name: string, _options: number, _priority: number, queue: Out<IODispatchQueue>): IOReturn {
    queue.value = new IODispatchQueue(name, currentRuntime());
    return kIOReturnSuccess;
  }

  /** Creates a queue in a given runtime (for host code outside `withRuntime`). */
  static createIn(runtime: DextRuntime, name: string): IODispatchQueue {
    return new IODispatchQueue(name, runtime);
  }

  get pendingItems(): number {
    return this.count;
  }

  /** After Cancel the queue drops new work (not DriverKit API; OSAction.Create checks it). */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Queues `handler.onEvent(arg)`. */
  post(handler: EventHandler, arg = 0): void {
    if (this.cancelled) return;
    if (this.count === this.handlers.length) this.grow();
    const i = (this.head + this.count) & (this.handlers.length - 1);
    this.handlers[i] = handler;
    this.args[i] = arg;
    this.count++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.runtime.scheduler.after(this.latencyNs, this, 0);
    }
  }

  DispatchAsync(block: () => void): void {
    this.post(new BlockHandler(block));
  }

  /** Runs `block` at once: the caller already is the only thread of this simulated process. */
  DispatchSync(block: () => void): void {
    block();
  }

  /** Drops queued work; `done` runs immediately after (nothing else can be in flight). */
  Cancel(done?: () => void): void {
    this.cancelled = true;
    this.handlers.fill(null);
    this.count = 0;
    done?.();
  }

  onEvent(): void {
    this.scheduled = false;
    // Items queued while draining run in this same pass: the queue is serial, not re-entrant.
    while (this.count > 0 && !this.cancelled) {
      const i = this.head;
      const handler = this.handlers[i]!;
      const arg = this.args[i];
      this.handlers[i] = null;
      this.head = (i + 1) & (this.handlers.length - 1);
      this.count--;
      this.itemsRun++;
      handler.onEvent(arg);
    }
  }

  private grow(): void {
    const size = this.handlers.length;
    const handlers = new Array<EventHandler | null>(size * 2).fill(null);
    const args = new Float64Array(size * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (size - 1);
      handlers[k] = this.handlers[i];
      args[k] = this.args[i];
    }
    this.handlers = handlers;
    this.args = args;
    this.head = 0;
  }

  protected override free(): void {
    this.Cancel();
  }
}

class BlockHandler implements EventHandler {
  constructor(private readonly block: () => void) {}
  onEvent(): void {
    this.block();
  }
}
