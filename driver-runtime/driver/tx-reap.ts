import type { DextRuntime } from '../kit/runtime.ts';
import { PACKET_FLAG_TIMESTAMP_REQUESTED } from '../networking/packet-buffer-pool.ts';
import type { StatsView } from '../abi/stats-layout.ts';
import { LATENCY_BUCKETS, latencyBucket } from '../abi/latency-buckets.ts';
import type { DriverOptions } from './driver-options.ts';
import type { DriverStats } from './driver-stats.ts';
import { CAPTURE_TX } from './client-regions.ts';
import type { TxHardware } from './tx-hardware.ts';

/**
 * The Tx path's completion half (igb_clean_tx_irq): takes what the NIC has written back off a
 * ring, charges each packet to its app — counters and the one latency record it gets, from
 * the moment the driver took it from the stack to its SFD on the wire — and hands the packets
 * back to the stack. The drain and post half (`tx-path.ts`) owns the per-packet columns it
 * reads (`slotOf`, `acceptedAt`).
 */
export class TxReap {
  /**
   * Accounting over runs of one app (the same results as packet by packet); false for the
   * per-frame reference (`MachineOptions.perFrame`).
   */
  burstMode = true;
  private readonly reaped: Int32Array;
  private readonly wireNs: Float64Array;

  constructor(
    private readonly options: DriverOptions,
    private readonly stats: DriverStats,
    private readonly runtime: DextRuntime,
    /** Per packet handle: the accounting slot it was charged to at drain. */
    private readonly slotOf: Uint16Array,
    /** Per packet handle: when the driver took it from the stack. */
    private readonly acceptedAt: Float64Array,
  ) {
    this.reaped = new Int32Array(options.txBudget);
    this.wireNs = new Float64Array(options.txBudget);
  }

  /**
   * Completes up to `budget` packets the NIC has written back on queue `q` and publishes the
   * queue's statistics (`swQueueBytes`: its class queue's backlog); returns how many.
   */
  reap(hw: TxHardware, q: number, budget: number, swQueueBytes: number): number {
    const ring = hw.rings[q];
    const view = hw.view;
    const now = this.runtime.scheduler.now;
    const n = ring.clean(this.reaped, this.wireNs, budget, now);
    view.beginWrite();
    if (n > 0) {
      this.stats.txPackets[q] += n;
      this.stats.txBytes[q] += ring.cleanedBytes;
      if (this.burstMode) this.accountRuns(hw, q, n);
      else this.accountEach(hw, q, n);
    }
    this.publishQueueStats(hw, view, q, swQueueBytes);
    view.endWrite(now);
    if (n > 0) hw.ringState.tx(ring, now);
    this.complete(hw, this.reaped, n);
    return n;
  }

  /**
   * Per-app counters and latency, packet by packet. The packet's own timestamp becomes its
   * wire time when the stack asked for one.
   */
  private accountEach(hw: TxHardware, q: number, n: number): void {
    const pool = hw.pool;
    const app = hw.view.app;
    const latency = hw.view.latency;
    const capacity = this.options.appCapacity;
    const capture = hw.capture.enabled ? hw.capture : null;
    const u8 = this.runtime.memory.u8;
    for (let i = 0; i < n; i++) {
      const h = this.reaped[i];
      const wire = this.wireNs[i];
      const slot = this.slotOf[h];
      if (slot < capacity) {
        const waited = wire - this.acceptedAt[h];
        app.txPackets[slot]++;
        app.txBytes[slot] += pool.dataLength[h];
        latency[slot * LATENCY_BUCKETS + latencyBucket(waited)]++;
        app.latencySum[slot] += waited;
        if (waited > app.latencyMax[slot]) app.latencyMax[slot] = waited;
      }
      if ((pool.flags[h] & PACKET_FLAG_TIMESTAMP_REQUESTED) !== 0) pool.setTimestamp(h, wire);
      if (capture !== null) capture.write(CAPTURE_TX, q, wire, u8, pool.dataStart(h), pool.dataLength[h]);
    }
  }

  /**
   * `accountEach` over runs of one app's packets: its counters, latency sum and maximum are
   * carried in locals through the run and stored once at its end — the same additions in the
   * same order, so the same doubles.
   */
  private accountRuns(hw: TxHardware, q: number, n: number): void {
    const pool = hw.pool;
    const app = hw.view.app;
    const latency = hw.view.latency;
    const capacity = this.options.appCapacity;
    const capture = hw.capture.enabled ? hw.capture : null;
    const u8 = this.runtime.memory.u8;
    const reaped = this.reaped;
    const wireNs = this.wireNs;
    const slotOf = this.slotOf;
    const acceptedAt = this.acceptedAt;
    const dataLength = pool.dataLength;
    const flags = pool.flags;
    let i = 0;
    while (i < n) {
      const slot = slotOf[reaped[i]];
      if (slot >= capacity) {
        const h = reaped[i];
        if ((flags[h] & PACKET_FLAG_TIMESTAMP_REQUESTED) !== 0) pool.setTimestamp(h, wireNs[i]);
        if (capture !== null) capture.write(CAPTURE_TX, q, wireNs[i], u8, pool.dataStart(h), dataLength[h]);
        i++;
        continue;
      }
      let packets = app.txPackets[slot];
      let bytes = app.txBytes[slot];
      let sum = app.latencySum[slot];
      let max = app.latencyMax[slot];
      const row = slot * LATENCY_BUCKETS;
      do {
        const h = reaped[i];
        const wire = wireNs[i];
        const waited = wire - acceptedAt[h];
        packets++;
        bytes += dataLength[h];
        latency[row + latencyBucket(waited)]++;
        sum += waited;
        if (waited > max) max = waited;
        if ((flags[h] & PACKET_FLAG_TIMESTAMP_REQUESTED) !== 0) pool.setTimestamp(h, wire);
        if (capture !== null) capture.write(CAPTURE_TX, q, wire, u8, pool.dataStart(h), dataLength[h]);
        i++;
      } while (i < n && slotOf[reaped[i]] === slot);
      app.txPackets[slot] = packets;
      app.txBytes[slot] = bytes;
      app.latencySum[slot] = sum;
      app.latencyMax[slot] = max;
    }
  }

  private publishQueueStats(hw: TxHardware, view: StatsView, q: number, swQueueBytes: number): void {
    view.queue.txPackets[q] = this.stats.txPackets[q];
    view.queue.txBytes[q] = this.stats.txBytes[q];
    view.queue.swQueueBytes[q] = swQueueBytes;
    view.queue.ringInflightBytes[q] = hw.rings[q].inflightBytes;
    view.queue.drops[q] = this.stats.txQueueDrops[q];
    view.queue.restarts[q] = this.stats.txRestarts[q];
  }

  /** Hands packets back to the stack; what the completion queue refuses goes to the pool. */
  complete(hw: TxHardware, handles: Int32Array, n: number): void {
    if (n === 0) return;
    const taken = hw.txc.EnqueuePackets(handles, n);
    if (taken === n) return;
    this.stats.drops.completionFull += n - taken;
    const column = hw.view.app.dropCompletionFull;
    for (let i = taken; i < n; i++) {
      const slot = this.slotOf[handles[i]];
      if (slot < column.length) column[slot]++;
      hw.pool.DeallocatePacket(handles[i]);
    }
  }
}
