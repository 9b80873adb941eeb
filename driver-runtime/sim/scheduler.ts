/**
 * Discrete-event scheduler over virtual time in nanoseconds.
 *
 * Events live in a structure of arrays indexed by slot; a binary min-heap orders slot
 * indexes by (time, sequence) so equal times run in the order they were scheduled —
 * that FIFO tie-break is what makes runs byte-identical for the same seed. Nothing is
 * allocated per event once the arrays have grown to the working-set size.
 */

/**
 * Receives events. One object serves many events; `arg` tells them apart. The time is the
 * scheduler's `now`: it is not passed, because a float64 argument to a call V8 does not inline
 * is boxed into a new HeapNumber, and every event would allocate one.
 */
export interface EventHandler {
  onEvent(arg: number): void;
}

/** An event id: slot in the low 24 bits, generation above, so a stale id cannot cancel a reused slot. */
export type EventId = number;

const SLOT_BITS = 24;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GENERATION_SCALE = 2 ** SLOT_BITS;
/**
 * Generations wrap at 2^29 so generation × 2^24 + slot stays below 2^53: beyond that a double
 * cannot hold the id exactly, its slot bits are rounded away, and cancel() misses the event
 * (a hot slot is reused every event, so a long run would get there).
 */
const GENERATION_LIMIT = 2 ** (53 - SLOT_BITS);
export const NO_EVENT: EventId = -1;

export class Scheduler {
  /** Current virtual time, ns. Only the scheduler moves it forward. */
  now = 0;
  /** Events run so far (for benchmarks and sanity checks). */
  eventsRun = 0;

  private capacity: number;
  private time: Float64Array;
  private sequence: Float64Array;
  private arg: Float64Array;
  private generation: Uint32Array;
  private handler: (EventHandler | null)[];
  private heap: Int32Array;
  private heapSize = 0;
  private freeSlots: Int32Array;
  private freeCount: number;
  private nextSequence = 0;
  private stopRequested = false;
  /** End of the current run: run-ahead (`runAhead`) may not pass it, so chunked runs match one long run. */
  private horizon = Infinity;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.time = new Float64Array(initialCapacity);
    this.sequence = new Float64Array(initialCapacity);
    this.arg = new Float64Array(initialCapacity);
    this.generation = new Uint32Array(initialCapacity);
    this.handler = new Array<EventHandler | null>(initialCapacity).fill(null);
    this.heap = new Int32Array(initialCapacity);
    this.freeSlots = new Int32Array(initialCapacity);
    for (let i = 0; i < initialCapacity; i++) this.freeSlots[i] = initialCapacity - 1 - i;
    this.freeCount = initialCapacity;
  }

  /** Number of events waiting. */
  get pending(): number {
    return this.heapSize;
  }

  /** Time of the earliest pending event, or Infinity. */
  nextEventTime(): number {
    return this.heapSize === 0 ? Infinity : this.time[this.heap[0]];
  }

  /** Schedules `handler.onEvent(arg)` at absolute time `at` (clamped to now). */
  schedule(at: number, handler: EventHandler, arg = 0): EventId {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.time[slot] = at < this.now ? this.now : at;
    this.sequence[slot] = this.nextSequence++;
    this.arg[slot] = arg;
    this.handler[slot] = handler;
    this.siftUp(this.heapSize++, slot);
    return this.generation[slot] * GENERATION_SCALE + slot;
  }

  /** Schedules `delay` ns from now. */
  after(delay: number, handler: EventHandler, arg = 0): EventId {
    return this.schedule(this.now + delay, handler, arg);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. */
  cancel(id: EventId): boolean {
    if (id < 0) return false;
    const slot = id & SLOT_MASK;
    if (slot >= this.capacity || this.generation[slot] !== Math.floor(id / GENERATION_SCALE)) return false;
    if (this.handler[slot] === null) return false;
    // Find the slot in the heap; cancellation is rare (timers re-armed), so a scan is fine.
    for (let i = 0; i < this.heapSize; i++) {
      if (this.heap[i] === slot) {
        this.removeAt(i);
        this.release(slot);
        return true;
      }
    }
    return false;
  }

  /**
   * Run-ahead target for `runAhead()`: a field, not an argument, because a float64 argument
   * to a call V8 does not inline is boxed into a new HeapNumber — and this runs per frame.
   */
  runAheadTarget = 0;

  /**
   * Advances to `runAheadTarget` only if it lies strictly before the next pending event and
   * within the run's horizon, i.e. nothing else can happen first. Returns whether it moved.
   */
  runAhead(): boolean {
    const t = this.runAheadTarget;
    if (t > this.horizon) return false;
    if (this.heapSize > 0 && t >= this.time[this.heap[0]]) return false;
    if (t > this.now) this.now = t;
    return true;
  }

  /** Runs events with time <= `until`, then sets now = until. Returns events run. */
  runUntil(until: number): number {
    const start = this.eventsRun;
    this.stopRequested = false;
    const outerHorizon = this.horizon;
    this.horizon = until < outerHorizon ? until : outerHorizon;
    while (this.heapSize > 0 && !this.stopRequested) {
      const slot = this.heap[0];
      const t = this.time[slot];
      if (t > until) break;
      this.removeAt(0);
      const handler = this.handler[slot]!;
      const arg = this.arg[slot];
      this.release(slot);
      this.now = t;
      this.eventsRun++;
      handler.onEvent(arg);
    }
    this.horizon = outerHorizon;
    if (!this.stopRequested && until > this.now && until !== Infinity) this.now = until;
    return this.eventsRun - start;
  }

  /** Runs until no event is pending or `limit` is reached. */
  runUntilIdle(limit = Infinity): number {
    return this.runUntil(limit);
  }

  /** Pending events as "time handler-class" lines (leak reports and debugging; allocates). */
  describePending(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heap[i];
      const h = this.handler[slot];
      out.push(
        `${this.time[slot]} ${h?.constructor?.name ?? '?'}${h && h.constructor === Object ? `{${Object.keys(h).join(',')}}` : ''}`,
      );
    }
    return out.sort();
  }

  /** Makes the current run loop return after the event in progress. */
  stop(): void {
    this.stopRequested = true;
  }

  private release(slot: number): void {
    this.handler[slot] = null;
    this.generation[slot] = (this.generation[slot] + 1) % GENERATION_LIMIT;
    this.freeSlots[this.freeCount++] = slot;
  }

  private less(a: number, b: number): boolean {
    const ta = this.time[a];
    const tb = this.time[b];
    return ta < tb || (ta === tb && this.sequence[a] < this.sequence[b]);
  }

  private siftUp(index: number, slot: number): void {
    const heap = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (!this.less(slot, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = slot;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const last = heap[--this.heapSize];
    if (index === this.heapSize) return;
    // Sift the former last element down from `index` (and up, for removals from the middle).
    let i = index;
    const n = this.heapSize;
    while (true) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right], heap[left]) ? right : left;
      if (!this.less(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    if (i === index) this.siftUp(i, last);
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    if (cap > SLOT_MASK) throw new Error(`scheduler: more than ${SLOT_MASK} pending events`);
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.time = grow64(this.time);
    this.sequence = grow64(this.sequence);
    this.arg = grow64(this.arg);
    const gen = new Uint32Array(cap);
    gen.set(this.generation);
    this.generation = gen;
    for (let i = old; i < cap; i++) this.handler.push(null);
    const heap = new Int32Array(cap);
    heap.set(this.heap);
    this.heap = heap;
    const free = new Int32Array(cap);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    for (let i = old; i < cap; i++) free[this.freeCount++] = cap - 1 - (i - old);
    this.freeSlots = free;
    this.capacity = cap;
  }
}
