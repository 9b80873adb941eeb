/**
 * The stack's side of Rx buffer ownership: keeps `target` empty buffers posted on the Rx
 * submission queue, and reaps the Rx completion queue in bursts — each filled buffer is
 * handed to a FrameSink, reset and re-posted (freed to the pool if the queue refuses).
 * `posted` counts buffers the driver owns (on Rx submission, in its rings, or on Rx
 * completion not yet reaped): after a drain it is the pool's only remaining usage.
 */
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { DEFAULT_DATA_OFFSET, PACKET_FLAG_TIMESTAMP_VALID } from '../networking/packet-buffer-pool.ts';
import type {
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
} from '../networking/packet-queue.ts';

/** Receives each filled Rx buffer's bytes (host memory offset and length) during the reap. */
export interface FrameSink {
  /** `arrivalNs`: the pool timestamp the driver set on receive (NaN if it set none). */
  receiveFrame(offset: number, length: number, now: number, arrivalNs: number): void;
  /** A buffer completed with an error status. */
  receiveError(): void;
}

const BURST = 64;

export class RxBuffers {
  /** Buffers the driver owns. */
  posted = 0;
  /** Buffers the pool could not supply while topping up. */
  poolEmpty = 0;
  private readonly burst = new Int32Array(BURST);

  constructor(
    private readonly pool: IOUserNetworkPacketBufferPool,
    private readonly rxs: IOUserNetworkRxSubmissionQueue,
    private readonly rxc: IOUserNetworkRxCompletionQueue,
    readonly target: number,
  ) {}

  /** Posts empty buffers until `target` are with the driver (or the pool or the queue refuses). */
  topUp(): void {
    const rxs = this.rxs;
    const pool = this.pool;
    const burst = this.burst;
    while (this.posted < this.target && rxs.isEnabled && rxs.freeSpace > 0) {
      let want = this.target - this.posted;
      if (want > BURST) want = BURST;
      if (want > rxs.freeSpace) want = rxs.freeSpace;
      const got = pool.allocatePackets(burst, want);
      if (got < want) this.poolEmpty += want - got;
      if (got === 0) return;
      const k = rxs.EnqueuePackets(burst, got);
      this.posted += k;
      for (let i = k; i < got; i++) pool.DeallocatePacket(burst[i]);
      if (k < got || got < want) return;
    }
  }

  /** Reaps every Rx completion: deliver to `sink`, reset, re-post; then tops up. */
  reap(now: number, sink: FrameSink): void {
    const pool = this.pool;
    const buf = this.burst;
    for (;;) {
      const n = this.rxc.DequeuePackets(buf, BURST);
      if (n === 0) break;
      this.posted -= n;
      for (let i = 0; i < n; i++) {
        const h = buf[i];
        if (pool.completionStatus[h] === 0) {
          const arrival = (pool.flags[h] & PACKET_FLAG_TIMESTAMP_VALID) !== 0 ? pool.timestamp[h] : NaN;
          sink.receiveFrame(pool.dataStart(h), pool.dataLength[h], now, arrival);
        } else sink.receiveError();
        pool.dataOffset[h] = DEFAULT_DATA_OFFSET;
        pool.dataLength[h] = 0;
        pool.flags[h] = 0;
        pool.completionStatus[h] = 0;
      }
      const k = this.rxs.EnqueuePackets(buf, n);
      this.posted += k;
      for (let i = k; i < n; i++) pool.DeallocatePacket(buf[i]);
    }
    if (this.posted < this.target) this.topUp();
  }
}
