import type { DextRuntime } from '../kit/runtime.ts';
import { kIOTimerClockMachAbsoluteTime, type IOTimerDispatchSource } from '../kit/timer-source.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { PACKET_FLAG_TIMESTAMP_REQUESTED } from '../networking/packet-buffer-pool.ts';
import type {
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from '../networking/packet-queue.ts';
import { H_RULES_GENERATION, type StatsView } from '../abi/stats-layout.ts';
import { LATENCY_BUCKETS, latencyBucket } from '../abi/latency-buckets.ts';
import type { AppSettingsTable } from '../abi/app-settings.ts';
import { AppShaper } from './app-shaper.ts';
import { RuleClassifier } from './classifier.ts';
import { CoDel } from './codel.ts';
import type { DriverOptions } from './driver-options.ts';
import type { DriverStats } from './driver-stats.ts';
import type { FlowTable } from './flow-table.ts';
import { ETHERTYPE_VLAN, NUM_QUEUES, TDT, VLAN_PCP_SHIFT } from './hw-regs.ts';
import type { Mmio } from './mmio.ts';
import { PacketLinks, SoftwareQueue } from './sw-queue.ts';
import { TxDrops } from './tx-drops.ts';
import type { TxRing } from './tx-ring.ts';
import type { PerQueue } from './tx-policy.ts';

/** What the Tx path works on once Start has made it; the driver owns and releases it. */
export interface TxHardware {
  readonly mmio: Mmio;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly txs: IOUserNetworkTxSubmissionQueue;
  readonly txc: IOUserNetworkTxCompletionQueue;
  readonly rings: readonly TxRing[];
  readonly view: StatsView;
  readonly shaperTimer: IOTimerDispatchSource;
}

/**
 * The Tx path (igb_xmit_frame_ring … igb_clean_tx_irq), in the order a packet takes it:
 *
 *   drain the submission queue at once → classify (queue and accounting slot) → per-app cap
 *   (hold ring) → the class queue (per-app FIFOs, DRR, per-app CoDel) → the hardware ring
 *   as its byte limit admits (one TDT per burst) → reap → back to the stack.
 *
 * Its state (TxState) lives as long as the driver object: settings pushed before Start or
 * across a reset stay in force. What Start makes (rings, queues, pool) arrives in `attach`.
 */
export class TxPath {
  // ---- TxState
  readonly classifier = new RuleClassifier();
  readonly shaper = new AppShaper();
  private readonly swQueues: SoftwareQueue[] = [];
  private readonly codel: CoDel[] = [];
  /** Per packet handle: the accounting slot it was charged to at drain. */
  private readonly slotOf: Uint16Array;
  /** Per packet handle: when the driver took it from the stack (latency starts here). */
  private readonly acceptedAt: Float64Array;
  /** PCP marked on each queue's frames, -1 = none (the Tx policy's `pcp`). */
  private pcp: PerQueue = [-1, -1, -1, -1];
  private hw: TxHardware | null = null;
  private drops: TxDrops | null = null;

  // Burst scratch (never reallocated).
  private readonly burst: Int32Array;
  private readonly reaped: Int32Array;
  private readonly wireNs: Float64Array;

  constructor(
    private readonly options: DriverOptions,
    private readonly stats: DriverStats,
    /** Local port → app, learned here on Tx and read by the Rx path. */
    private readonly flows: FlowTable,
    private readonly runtime: DextRuntime,
  ) {
    const o = options;
    const links = new PacketLinks(o.poolPackets);
    for (let q = 0; q < NUM_QUEUES; q++) {
      this.swQueues.push(
        new SoftwareQueue(o.swQueuePackets, o.swQueueBytes, links, o.appCapacity, !o.singleQueue),
      );
      this.codel.push(new CoDel(o.appCapacity, o.codelTargetNs, o.codelIntervalNs));
    }
    this.slotOf = new Uint16Array(o.poolPackets);
    this.acceptedAt = new Float64Array(o.poolPackets);
    const scratch = Math.max(o.txBudget, o.txBurst, o.txRingSize, o.swQueuePackets);
    this.burst = new Int32Array(scratch);
    this.reaped = new Int32Array(o.txBudget);
    this.wireNs = new Float64Array(o.txBudget);
    if (o.singleQueue) this.classifier.forcedQueue = 0;
  }

  attach(hw: TxHardware): void {
    this.hw = hw;
    this.drops = new TxDrops(this.burst.length, hw.pool, this.stats, hw.view, this.slotOf, (h, n) =>
      this.complete(h, n),
    );
  }

  detach(): void {
    this.hw = null;
    this.drops = null;
  }

  /** Class queue backlogs (bytes), for diagnostics and the statistics region. */
  queueBytes(q: number): number {
    return this.swQueues[q].bytes;
  }

  queuePackets(q: number): number {
    return this.swQueues[q].count;
  }

  /** Packets CoDel dropped, per queue (all apps). */
  aqmDrops(q: number): number {
    let n = 0;
    for (const d of this.codel[q].drops) n += d;
    return n;
  }

  setMarking(pcp: PerQueue): void {
    this.pcp = [...pcp] as unknown as PerQueue;
  }

  /** Interface enable: a fresh start for the AQM (its clocks would be stale). */
  resetAqm(): void {
    for (const c of this.codel) c.reset();
  }

  // ---------------------------------------------------------------- drain and classify

  /** Data-available on the Tx submission queue: drain it at once into the class queues, then post. */
  packetsAvailable(): void {
    const view = this.hw!.view;
    // Per-app columns change below: hold the region's seqlock for the whole drain.
    view.beginWrite();
    this.drain();
    view.endWrite(this.runtime.scheduler.now);
    this.transmitPending();
  }

  private drain(): void {
    const hw = this.hw!;
    const pool = hw.pool;
    const burst = this.burst;
    const drops = this.drops!;
    const classifier = this.classifier;
    const shaper = this.shaper;
    const slotOf = this.slotOf;
    const acceptedAt = this.acceptedAt;
    const currentQueue = hw.view.app.currentQueue;
    const shapedPackets = hw.view.app.shapedPackets;
    const capacity = this.options.appCapacity;
    const u8 = this.runtime.memory.u8;
    const now = this.runtime.scheduler.now;
    let held = false;
    let n: number;
    while ((n = hw.txs.DequeuePackets(burst, this.options.txBurst)) > 0) {
      for (let i = 0; i < n; i++) {
        const h = burst[i];
        const slot = classifier.slotOf(pool, h);
        const q = classifier.queueOf(slot, pool, h);
        slotOf[h] = slot;
        acceptedAt[h] = now;
        if (slot < capacity) currentQueue[slot] = q;
        if (slot !== 0) this.flows.learnTx(u8, pool.dataStart(h), pool.dataLength[h], slot);
        if (shaper.isCapped(slot)) {
          const verdict = shaper.offer(slot, h, pool.dataLength[h], now);
          if (verdict === 'held') {
            if (slot < capacity) shapedPackets[slot]++;
            held = true;
            continue;
          }
          if (verdict === 'dropped') {
            drops.drop(h, 'cap', -1);
            continue;
          }
        }
        this.enqueue(h, q, now);
      }
    }
    if (held) this.armShaperTimer(now);
    drops.flush();
  }

  /** Into its class queue, or dropped when that is full. */
  private enqueue(h: number, q: number, now: number): void {
    const pool = this.hw!.pool;
    if (!this.swQueues[q].push(h, pool.dataLength[h], now, this.slotOf[h]))
      this.drops!.drop(h, 'queue-full', q);
  }

  private armShaperTimer(now: number): void {
    const at = this.shaper.nextReleaseNs(now);
    if (at !== Infinity) this.hw!.shaperTimer.WakeAtTime(kIOTimerClockMachAbsoluteTime, Math.max(at, now), 0);
  }

  /** Shaper timer: move conforming held packets into their class queues, then transmit. */
  releaseShaped(): void {
    const now = this.runtime.scheduler.now;
    this.shaper.release(now, this.sendShaped);
    this.drops!.flush();
    this.transmitPending();
    this.armShaperTimer(now);
  }

  private readonly sendShaped = (h: number): void => {
    const pool = this.hw!.pool;
    this.enqueue(h, this.classifier.queueOf(this.slotOf[h], pool, h), this.runtime.scheduler.now);
  };

  /**
   * Applies per-app settings while traffic flows: the classifier table and the caps swap
   * between two bursts on the driver's serial queue, so no packet sees half of them.
   */
  applySettings(table: AppSettingsTable, running: boolean): void {
    const now = this.runtime.scheduler.now;
    this.classifier.apply(table.queueByApp, table.generation);
    this.shaper.configure(table.capBpsByApp, table.burstBytesByApp, now);
    const view = this.hw?.view;
    if (view) {
      view.beginWrite();
      const caps = view.app.capBps;
      for (let slot = 0; slot < caps.length; slot++)
        caps[slot] = slot < table.capBpsByApp.length ? table.capBpsByApp[slot] : 0;
      view.header.setUint32(H_RULES_GENERATION, table.generation >>> 0, true);
      view.endWrite(now);
    }
    // A cap that went away releases what it held.
    if (running) this.releaseShaped();
  }

  /**
   * explain(packet): why this packet goes to its queue, and whether a cap will hold it —
   * from the packet's metadata and the tables in force now (control path).
   */
  explain(handle: number, names?: (slot: number) => string): string[] {
    const pool = this.hw?.pool;
    if (!pool || !pool.isValidHandle(handle)) return [`packet ${handle}: not a packet of this driver's pool`];
    const steps = this.classifier.explain(pool, handle, names);
    const slot = this.classifier.slotOf(pool, handle);
    if (this.shaper.isCapped(slot))
      steps.push(
        `app id ${slot} is capped: the packet waits in its hold ring until the app's tokens cover it`,
      );
    return steps;
  }

  // ---------------------------------------------------------------- post to the rings

  /**
   * Moves packets from class queues to hardware rings as far as each ring admits, highest
   * queue first; one TDT write per ring. A packet CoDel finds too old is dropped here, at
   * dequeue, where its sojourn is known.
   */
  transmitPending(): void {
    const view = this.hw!.view;
    view.beginWrite();
    this.postToRings();
    view.endWrite(this.runtime.scheduler.now);
  }

  private postToRings(): void {
    const hw = this.hw!;
    const pool = hw.pool;
    const codel = this.options.aqm === 'codel';
    const drops = this.drops!;
    const now = this.runtime.scheduler.now;
    for (let q = NUM_QUEUES - 1; q >= 0; q--) {
      const sw = this.swQueues[q];
      if (sw.count === 0) continue;
      const ring = hw.rings[q];
      const aqm = this.codel[q];
      const pcp = this.pcp[q];
      let posted = 0;
      while (sw.count > 0 && ring.admits(sw.peekLength())) {
        const slot = sw.peekSlot();
        const sojourn = now - sw.peekTime();
        const h = sw.shift();
        if (codel && aqm.shouldDrop(slot, sojourn, now, sw.bytes)) {
          drops.drop(h, 'aqm', q);
          continue;
        }
        ring.post(pool, h, pool.dataLength[h], pcp < 0 ? -1 : this.markPcp(pool, h, pcp));
        posted++;
      }
      if (posted > 0) hw.mmio.wr32(TDT(q), ring.tail());
      ring.stopped = sw.count > 0;
    }
    drops.flush();
  }

  /**
   * 802.1p marking: a frame the stack tagged gets its PCP bits rewritten in place; an untagged
   * one gets a priority tag (VID 0) that the NIC inserts. Returns the TCI for the NIC, or -1.
   */
  private markPcp(pool: IOUserNetworkPacketBufferPool, h: number, pcp: number): number {
    const u8 = this.runtime.memory.u8;
    const at = pool.dataStart(h);
    if (((u8[at + 12] << 8) | u8[at + 13]) === ETHERTYPE_VLAN) {
      u8[at + 14] = (u8[at + 14] & 0x1f) | (pcp << 5);
      return -1;
    }
    return pcp << VLAN_PCP_SHIFT;
  }

  // ---------------------------------------------------------------- reap

  /** igb_clean_tx_irq for one ring; true when everything done was reaped within the budget. */
  clean(q: number): boolean {
    const hw = this.hw!;
    const ring = hw.rings[q];
    const view = hw.view;
    const now = this.runtime.scheduler.now;
    const budget = this.options.txBudget;
    const n = ring.clean(this.reaped, this.wireNs, budget, now);
    view.beginWrite();
    if (n > 0) {
      this.stats.txPackets[q] += n;
      this.stats.txBytes[q] += ring.cleanedBytes;
      this.account(hw.pool, n);
    }
    this.publishQueueStats(view, q);
    view.endWrite(now);
    this.complete(this.reaped, n);
    const sw = this.swQueues[q];
    if (ring.stopped && sw.count > 0 && ring.admits(sw.peekLength())) {
      this.stats.txRestarts[q]++;
      this.transmitPending();
    }
    return n < budget;
  }

  /**
   * Per-app counters and the one latency record each packet gets: from the moment the driver
   * took it from the stack to its SFD on the wire (written back by the NIC). The packet's own
   * timestamp becomes its wire time when the stack asked for one.
   */
  private account(pool: IOUserNetworkPacketBufferPool, n: number): void {
    const app = this.hw!.view.app;
    const latency = this.hw!.view.latency;
    const capacity = this.options.appCapacity;
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
    }
  }

  private publishQueueStats(view: StatsView, q: number): void {
    const ring = this.hw!.rings[q];
    view.queue.txPackets[q] = this.stats.txPackets[q];
    view.queue.txBytes[q] = this.stats.txBytes[q];
    view.queue.swQueueBytes[q] = this.swQueues[q].bytes;
    view.queue.ringInflightBytes[q] = ring.inflightBytes;
    view.queue.drops[q] = this.stats.txQueueDrops[q];
    view.queue.restarts[q] = this.stats.txRestarts[q];
  }

  /** Hands packets back to the stack; what the completion queue refuses goes to the pool. */
  private complete(handles: Int32Array, n: number): void {
    if (n === 0) return;
    const hw = this.hw!;
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

  // ---------------------------------------------------------------- disable and reset

  /**
   * Takes back everything in flight so stale traffic can never reappear after a later
   * enable: packets in the rings, the class queues, the hold rings and the submission queue
   * go back to the stack as aborted.
   */
  reclaimAll(): void {
    const hw = this.hw!;
    const drops = this.drops!;
    const burst = this.burst;
    for (let q = 0; q < NUM_QUEUES; q++) {
      drops.dropAll(burst, hw.rings[q].reclaimAll(burst), 'aborted');
      const sw = this.swQueues[q];
      while (sw.count > 0) drops.drop(sw.shift(), 'aborted', -1);
    }
    this.shaper.drain((h) => drops.drop(h, 'aborted', -1));
    let n: number;
    while ((n = hw.txs.DequeuePackets(burst, burst.length)) > 0) {
      // Never classified: charge them to the slot their metadata names.
      for (let i = 0; i < n; i++) this.slotOf[burst[i]] = this.classifier.slotOf(hw.pool, burst[i]);
      drops.dropAll(burst, n, 'aborted');
    }
    drops.flush();
  }
}
