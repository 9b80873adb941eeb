import { kIOReturnAborted } from '../kit/io-return.ts';
import type { DextRuntime } from '../kit/runtime.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import type {
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
} from '../networking/packet-queue.ts';
import type { StatsView } from '../abi/stats-layout.ts';
import type { DriverOptions } from './driver-options.ts';
import type { DriverStats } from './driver-stats.ts';
import type { FlowTable } from './flow-table.ts';
import { NUM_QUEUES, RDT } from './hw-regs.ts';
import type { Mmio } from './mmio.ts';
import type { RxRing } from './rx-ring.ts';
import { CAPTURE_RX, type CaptureWriter, type RingStateWriter } from './client-regions.ts';

/** What the Rx path works on once Start has made it. */
export interface RxHardware {
  readonly mmio: Mmio;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly rxs: IOUserNetworkRxSubmissionQueue;
  readonly rxc: IOUserNetworkRxCompletionQueue;
  readonly rings: readonly RxRing[];
  readonly view: StatsView;
  readonly capture: CaptureWriter;
  readonly ringState: RingStateWriter;
}

/**
 * The Rx path (igb_alloc_rx_buffers, igb_clean_rx_irq): empty buffers the stack posts on the
 * Rx submission queue go to the hardware rings, RDT moving only past a threshold; received
 * frames go to the Rx completion queue within a NAPI budget, charged to the app that owns
 * their destination port; errored frames' buffers are reused at once.
 */
export class RxPath {
  private hw: RxHardware | null = null;
  private readonly good: Int32Array;
  private readonly bad: Int32Array;
  /**
   * Burst shortcut (same results as frame by frame): a run of frames of one flow is looked up
   * once per batch. False: every frame takes the full lookup (`MachineOptions.perFrame`).
   */
  burstMode = true;

  constructor(
    private readonly options: DriverOptions,
    private readonly stats: DriverStats,
    private readonly flows: FlowTable,
    private readonly runtime: DextRuntime,
  ) {
    const scratch = Math.max(options.rxBudget, options.rxRingSize);
    this.good = new Int32Array(scratch);
    this.bad = new Int32Array(scratch);
  }

  attach(hw: RxHardware): void {
    this.hw = hw;
  }

  detach(): void {
    this.hw = null;
  }

  refillAll(): void {
    for (let q = 0; q < NUM_QUEUES; q++) this.refill(q, true);
  }

  /** Gives hardware fresh buffers from the Rx submission queue; RDT moves past a threshold. */
  refill(q: number, force: boolean): void {
    const hw = this.hw!;
    const ring = hw.rings[q];
    const pool = hw.pool;
    const buffers = this.good;
    let want = ring.unfilled();
    while (want > 0) {
      const n = hw.rxs.DequeuePackets(buffers, Math.min(want, buffers.length));
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const h = buffers[i];
        pool.dataOffset[h] = 0;
        pool.dataLength[h] = 0;
        ring.fill(pool, h);
      }
      want -= n;
    }
    // Batch the doorbell, but never let the hardware run short of buffers while we batch.
    const threshold = this.options.rxRefillThreshold;
    const pendingTail = ring.unpublished();
    if (pendingTail > 0 && (force || pendingTail >= threshold || ring.hardwareOwned() < threshold)) {
      hw.mmio.wr32(RDT(q), ring.publishTail());
      hw.ringState.rx(ring, this.runtime.scheduler.now);
    }
  }

  /** NAPI-style Rx poll within the budget; true when the ring had no more work. */
  clean(q: number): boolean {
    const hw = this.hw!;
    const ring = hw.rings[q];
    const pool = hw.pool;
    const now = this.runtime.scheduler.now;
    const result = ring.clean(pool, this.good, this.bad, this.options.rxBudget, now);
    const good = result.good;
    const bad = result.bad;
    if (good > 0) {
      this.stats.rxPackets[q] += good;
      this.stats.rxBytes[q] += ring.cleanedBytes;
      this.account(hw, q, good, now);
      const taken = hw.rxc.EnqueuePackets(this.good, good);
      if (taken < good) {
        this.stats.drops.rxCompletionFull += good - taken;
        for (let i = taken; i < good; i++) pool.DeallocatePacket(this.good[i]);
      }
    }
    if (bad > 0) {
      // Errored frames: reuse their buffers straight away (igb reuses the page).
      this.stats.drops.rxErrors += bad;
      for (let i = 0; i < bad; i++) {
        pool.dataOffset[this.bad[i]] = 0;
        ring.fill(pool, this.bad[i]);
      }
    }
    this.refill(q, bad > 0);
    return good + bad < this.options.rxBudget;
  }

  /** Charges received frames to the slot of their flow (the flow table the app pushed). */
  private account(hw: RxHardware, q: number, n: number, now: number): void {
    const view = hw.view;
    const capture = hw.capture.enabled ? hw.capture : null;
    const pool = hw.pool;
    const u8 = this.runtime.memory.u8;
    const u16 = this.runtime.memory.u16;
    const rxPackets = view.app.rxPackets;
    const rxBytes = view.app.rxBytes;
    const runs = this.burstMode;
    // The flow table may have changed since the last batch: nothing remembered carries over.
    this.flows.forgetRxRun();
    view.beginWrite();
    for (let i = 0; i < n; i++) {
      const h = this.good[i];
      const slot = runs
        ? this.flows.slotForRxRun(u8, u16, pool.dataStart(h), pool.dataLength[h])
        : this.flows.slotForRx(u8, pool.dataStart(h), pool.dataLength[h]);
      if (slot < rxPackets.length) {
        rxPackets[slot]++;
        rxBytes[slot] += pool.dataLength[h];
      }
      if (capture !== null) capture.write(CAPTURE_RX, q, now, u8, pool.dataStart(h), pool.dataLength[h]);
    }
    view.endWrite(now);
  }

  /** Disable/reset: the buffers the hardware held go back to the stack as aborted, to be posted again. */
  reclaimAll(): void {
    const hw = this.hw!;
    const pool = hw.pool;
    const buffers = this.good;
    for (let q = 0; q < NUM_QUEUES; q++) {
      const n = hw.rings[q].reclaimAll(buffers);
      hw.ringState.rx(hw.rings[q], this.runtime.scheduler.now);
      for (let i = 0; i < n; i++) {
        pool.dataLength[buffers[i]] = 0;
        pool.setCompletionStatus(buffers[i], kIOReturnAborted);
      }
      const taken = n > 0 ? hw.rxc.EnqueuePackets(buffers, n) : 0;
      for (let i = taken; i < n; i++) pool.DeallocatePacket(buffers[i]);
    }
  }
}
