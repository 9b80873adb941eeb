import type { DextRuntime } from '../kit/runtime.ts';
import { kIOTimerClockMachAbsoluteTime } from '../kit/timer-source.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { H_RULES_GENERATION } from '../abi/stats-layout.ts';
import type { AppSettingRecord } from '../abi/netlanes-abi.ts';
import { AppShaper } from './app-shaper.ts';
import { PacketClassifier } from './classifier.ts';
import { SlotSettings } from './slot-settings.ts';
import { CoDel } from './codel.ts';
import type { DriverOptions } from './driver-options.ts';
import type { DriverStats } from './driver-stats.ts';
import { ETHERTYPE_VLAN, NUM_QUEUES, TDT, VLAN_PCP_SHIFT } from './hw-regs.ts';
import { PacketLinks, SoftwareQueue } from './sw-queue.ts';
import { TxDrops } from './tx-drops.ts';
import { TxReap } from './tx-reap.ts';
import type { TxHardware } from './tx-hardware.ts';
import type { PerQueue } from './tx-policy.ts';

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
  readonly classifier: PacketClassifier;
  readonly settings: SlotSettings;
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
  /** Completions: reap, per-app accounting, back to the stack. */
  private readonly reaper: TxReap;
  private runs = true;

  // Burst scratch (never reallocated).
  private readonly burst: Int32Array;
  /** Packets a class queue refused in the drain (`pushRun`). */
  private readonly refused: Int32Array;

  constructor(
    private readonly options: DriverOptions,
    private readonly stats: DriverStats,
    private readonly runtime: DextRuntime,
  ) {
    const o = options;
    this.classifier = new PacketClassifier(o.appCapacity, o.flowCapacity);
    this.settings = new SlotSettings(o.appCapacity);
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
    this.refused = new Int32Array(o.txBurst);
    this.reaper = new TxReap(o, stats, runtime, this.slotOf, this.acceptedAt);
    if (o.singleQueue) this.classifier.forcedQueue = 0;
  }

  /**
   * Burst shortcuts (same results as packet by packet): runs of one flow classified once, runs
   * of one app posted and accounted at once. False: every frame takes the full path
   * (`MachineOptions.perFrame`).
   */
  get burstMode(): boolean {
    return this.runs;
  }

  set burstMode(on: boolean) {
    this.runs = on;
    this.reaper.burstMode = on;
  }

  attach(hw: TxHardware): void {
    this.hw = hw;
    this.drops = new TxDrops(this.burst.length, hw.pool, this.stats, hw.view, this.slotOf, (h, n) =>
      this.reaper.complete(hw, h, n),
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
    const runs = this.runs;
    // The flow table may have changed since the last drain: nothing remembered carries over.
    classifier.flows.forgetRun();
    let held = false;
    let n: number;
    while ((n = hw.txs.DequeuePackets(burst, this.options.txBurst)) > 0) {
      if (runs) {
        held = this.drainRuns(burst, n) || held;
        continue;
      }
      for (let i = 0; i < n; i++) {
        const h = burst[i];
        const slot = classifier.slotOf(u8, pool, h, now);
        const q = classifier.queueOf(slot, pool, h);
        slotOf[h] = slot;
        acceptedAt[h] = now;
        if (slot < capacity) currentQueue[slot] = q;
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

  /**
   * The drain's loop for `burst[0..n)` by runs: a frame of the flow the last one belonged to is
   * counted on its entry without a parse (`slotForTxRun`), and consecutive frames of one app
   * bound for one class queue go into it with one `pushRun`. The same decisions, in the same
   * order, as frame by frame. Returns whether the shaper held any.
   */
  private drainRuns(burst: Int32Array, n: number): boolean {
    const hw = this.hw!;
    const now = this.runtime.scheduler.now;
    const pool = hw.pool;
    const dataLength = pool.dataLength;
    const classifier = this.classifier;
    const flows = classifier.flows;
    const shaper = this.shaper;
    const slotOf = this.slotOf;
    const acceptedAt = this.acceptedAt;
    const currentQueue = hw.view.app.currentQueue;
    const capacity = this.options.appCapacity;
    const u8 = this.runtime.memory.u8;
    const u16 = this.runtime.memory.u16;
    let held = false;
    // The run being gathered: burst[runStart..i), all of app `runSlot` into queue `runQueue`.
    let runStart = 0;
    let runSlot = -1;
    let runQueue = -1;
    for (let i = 0; i < n; i++) {
      const h = burst[i];
      const slot = flows.slotForTxRun(u8, u16, pool.dataStart(h), dataLength[h], now);
      const q = classifier.queueOf(slot, pool, h);
      slotOf[h] = slot;
      acceptedAt[h] = now;
      if (slot < capacity) currentQueue[slot] = q;
      if (shaper.isCapped(slot)) {
        this.enqueueRun(burst, runStart, i, runSlot, runQueue, now);
        runStart = i + 1;
        runSlot = -1;
        const verdict = shaper.offer(slot, h, dataLength[h], now);
        if (verdict === 'held') {
          if (slot < capacity) hw.view.app.shapedPackets[slot]++;
          held = true;
        } else if (verdict === 'dropped') {
          this.drops!.drop(h, 'cap', -1);
        } else {
          this.enqueue(h, q, now);
        }
        continue;
      }
      if (slot !== runSlot || q !== runQueue) {
        this.enqueueRun(burst, runStart, i, runSlot, runQueue, now);
        runStart = i;
        runSlot = slot;
        runQueue = q;
      }
    }
    this.enqueueRun(burst, runStart, n, runSlot, runQueue, now);
    return held;
  }

  /** `enqueue` for `burst[from..to)`, all of app `slot` into queue `q` (nothing when empty). */
  private enqueueRun(
    burst: Int32Array,
    from: number,
    to: number,
    slot: number,
    q: number,
    now: number,
  ): void {
    if (from >= to) return;
    const refused = this.refused;
    const k = this.swQueues[q].pushRun(burst, from, to, this.hw!.pool.dataLength, now, slot, refused);
    for (let j = 0; j < k; j++) this.drops!.drop(refused[j], 'queue-full', q);
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
   * New flow entries arrived: packets of those flows that came before them wait in the
   * unattributed FIFO (slot 0) of their service class's queue. Move them, in order, to their
   * flow's slot and queue — through the slot's cap, if it has one — so a flow's first burst
   * is neither charged to nobody nor stranded in a queue its app does not use (control path,
   * bounded by the backlog).
   */
  adoptEarlyPackets(): number {
    const hw = this.hw;
    if (hw === null || this.classifier.forcedQueue >= 0) return 0;
    const pool = hw.pool;
    const u8 = this.runtime.memory.u8;
    const flows = this.classifier.flows;
    const now = this.runtime.scheduler.now;
    let found = 0;
    let moved = 0;
    for (const sw of this.swQueues) {
      moved += sw.moveMatching(
        0,
        (h) => (found = flows.peekSlotForTx(u8, pool.dataStart(h), pool.dataLength[h])) !== 0,
        (h, length, enqueuedAt) => {
          const slot = found;
          this.slotOf[h] = slot;
          if (this.shaper.isCapped(slot)) {
            const verdict = this.shaper.offer(slot, h, length, now);
            if (verdict === 'dropped') this.drops!.drop(h, 'cap', -1);
            if (verdict !== 'send') return;
          }
          const q = this.classifier.queueOf(slot, pool, h);
          if (!this.swQueues[q].push(h, length, enqueuedAt, slot)) this.drops!.drop(h, 'queue-full', q);
        },
      );
    }
    this.drops!.flush();
    if (moved > 0) {
      this.armShaperTimer(now);
      this.transmitPending();
    }
    return moved;
  }

  /**
   * Applies a validated batch of per-slot settings while traffic flows: queue table, caps and
   * labels change between two bursts on the driver's serial queue, so no packet sees half.
   */
  applySettings(records: readonly AppSettingRecord[], generation: number, running: boolean): void {
    const now = this.runtime.scheduler.now;
    const settings = this.settings;
    settings.apply(records, generation);
    for (const r of records) this.classifier.setQueue(r.slot, settings.queue[r.slot]);
    this.classifier.commit(generation);
    this.shaper.configure(settings.capBps, settings.burstBytes, now);
    const view = this.hw?.view;
    if (view) {
      view.beginWrite();
      view.app.capBps.set(settings.capBps.subarray(0, view.app.capBps.length));
      view.header.setUint32(H_RULES_GENERATION, generation >>> 0, true);
      view.endWrite(now);
    }
    // A cap that went away releases what it held.
    if (running) this.releaseShaped();
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
      if (this.runs && pcp < 0) {
        // Runs of one app's packets (same packets, order, CoDel decisions and drops as below).
        const run = this.burst;
        while (sw.count > 0 && ring.admits(sw.peekLength())) {
          // Every post takes one descriptor (no PCP, so no context) and `admits` keeps one spare.
          const maxPkts = ring.unused() - 1;
          const maxBytes = ring.byteLimit - ring.inflightBytes;
          const k = sw.dequeueRun(run, maxPkts, ring.inflightBytes === 0 ? Infinity : maxBytes);
          const slot = sw.runApp;
          if (codel && !aqm.keepsRun(slot, now - this.oldestEnqueue(sw, run, k))) {
            // The class queue's backlog as each packet of the run left it.
            let backlog = sw.bytes;
            for (let i = 0; i < k; i++) backlog += sw.lengthOf(run[i]);
            for (let i = 0; i < k; i++) {
              const h = run[i];
              const length = sw.lengthOf(h);
              backlog -= length;
              if (aqm.shouldDrop(slot, now - sw.enqueuedAt(h), now, backlog)) {
                drops.drop(h, 'aqm', q);
                continue;
              }
              ring.post(pool, h, pool.dataLength[h], -1);
              posted++;
            }
          } else {
            ring.postRun(pool, run, k);
            posted += k;
          }
        }
      }
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
      if (posted > 0) hw.ringState.tx(ring, now);
    }
    drops.flush();
  }

  /** The earliest time a packet of `run[0..k)` entered the class queue (its longest sojourn). */
  private oldestEnqueue(sw: SoftwareQueue, run: Int32Array, k: number): number {
    let oldest = Infinity;
    for (let i = 0; i < k; i++) {
      const t = sw.enqueuedAt(run[i]);
      if (t < oldest) oldest = t;
    }
    return oldest;
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
    const budget = this.options.txBudget;
    const n = this.reaper.reap(hw, q, budget, this.swQueues[q].bytes);
    const sw = this.swQueues[q];
    if (ring.stopped && sw.count > 0 && ring.admits(sw.peekLength())) {
      this.stats.txRestarts[q]++;
      this.transmitPending();
    }
    return n < budget;
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
    const now = this.runtime.scheduler.now;
    for (let q = 0; q < NUM_QUEUES; q++) {
      // What the NIC already sent (written back, not yet cleaned) completes as sent; the rest aborts.
      const budget = this.options.txBudget;
      while (this.reaper.reap(hw, q, budget, this.swQueues[q].bytes) === budget);
      drops.dropAll(burst, hw.rings[q].reclaimAll(burst), 'aborted');
      hw.ringState.tx(hw.rings[q], now);
      const sw = this.swQueues[q];
      while (sw.count > 0) drops.drop(sw.shift(), 'aborted', -1);
    }
    this.shaper.drain((h) => drops.drop(h, 'aborted', -1));
    let n: number;
    while ((n = hw.txs.DequeuePackets(burst, burst.length)) > 0) {
      // Never classified: charged to no app.
      for (let i = 0; i < n; i++) this.slotOf[burst[i]] = 0;
      drops.dropAll(burst, n, 'aborted');
    }
    drops.flush();
  }
}
