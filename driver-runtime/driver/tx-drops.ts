import { kIOReturnAborted } from '../kit/io-return.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import type { AppColumn, StatsView } from '../abi/stats-layout.ts';
import type { DriverDrops, DriverStats } from './driver-stats.ts';

/** Why the driver hands a Tx packet back unsent. */
export type TxDropCause = 'queue-full' | 'aqm' | 'cap' | 'aborted';

/** Each cause has one driver counter and one per-app column of the statistics region. */
const DROP_TABLE: Record<TxDropCause, { counter: keyof DriverDrops; column: AppColumn; perQueue: boolean }> =
  {
    'queue-full': { counter: 'swQueueFull', column: 'dropQueueFull', perQueue: true },
    aqm: { counter: 'aqm', column: 'dropAqm', perQueue: true },
    cap: { counter: 'capExceeded', column: 'dropCap', perQueue: false },
    aborted: { counter: 'aborted', column: 'dropAborted', perQueue: false },
  };

/**
 * The one place a Tx packet is dropped: it gets kIOReturnAborted as completion status, the
 * cause's counters move, and it joins a burst handed back to the stack on `flush` (or when
 * the burst is full). Callers drop inside their loop and flush once after it.
 */
export class TxDrops {
  private readonly handles: Int32Array;
  private count = 0;

  constructor(
    capacity: number,
    private readonly pool: IOUserNetworkPacketBufferPool,
    private readonly stats: DriverStats,
    private readonly view: StatsView,
    /** Per-packet accounting slot (the app the packet was charged to). */
    private readonly slotOf: Uint16Array,
    /** Hands a burst back to the stack (the Tx completion queue). */
    private readonly complete: (handles: Int32Array, n: number) => void,
  ) {
    this.handles = new Int32Array(capacity);
  }

  /** Drops `handle` for `cause`; `queue` is its hardware class queue, or -1 if it never had one. */
  drop(handle: number, cause: TxDropCause, queue: number): void {
    const entry = DROP_TABLE[cause];
    this.pool.setCompletionStatus(handle, kIOReturnAborted);
    this.stats.drops[entry.counter]++;
    if (entry.perQueue && queue >= 0) this.stats.txQueueDrops[queue]++;
    const column = this.view.app[entry.column];
    const slot = this.slotOf[handle];
    if (slot < column.length) column[slot]++;
    this.handles[this.count++] = handle;
    if (this.count === this.handles.length) this.flush();
  }

  /** Drops `n` handles for the same cause (disable, reset: nothing of them reached the wire). */
  dropAll(handles: Int32Array, n: number, cause: TxDropCause): void {
    for (let i = 0; i < n; i++) this.drop(handles[i], cause, -1);
  }

  flush(): void {
    if (this.count === 0) return;
    const n = this.count;
    this.count = 0;
    this.complete(this.handles, n);
  }
}
