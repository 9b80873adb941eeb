/**
 * Tx engine: descriptor fetch (scan on doorbell), arbitration, line-rate serializer and
 * completion (nic-model §6.3, §6.4). Unlike QEMU (which drains a ring synchronously on every
 * TDT write) frames leave one at a time at line rate and the arbiter picks the next frame
 * each time the serializer goes idle.
 *
 * Timing is exact: within a busy period (back-to-back frames) the start and end of a frame
 * are `epoch + bits / bitsPerNs` from an integer bit count, so no float error accumulates.
 * A frame occupies (frame + FCS + 8 preamble/SFD + 12 IFG) * 8 bits; completion (write-back,
 * interrupt, delivery to the peer) happens at the end of that slot, when the next decision is
 * made. When no other event can intervene before the next frame ends, the engine runs ahead
 * with `scheduler.runAhead` instead of scheduling one event per frame; results are identical.
 */
import type { HostMemory } from '../sim/host-memory.ts';
import type { NicBusPort } from './bus-port.ts';
import type { EventHandler, Scheduler } from '../sim/scheduler.ts';
import { FCS_BYTES, IFG_BYTES, PREAMBLE_BYTES } from '../sim/units.ts';
import type { Interrupts } from './interrupts.ts';
import type { LinkState } from './link.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';
import { ringAdvance, ringEmpty, ringUsed } from './ring.ts';
import {
  gatherFrame,
  headWriteBack,
  singleBufferOffset,
  writeBackDescriptors,
  writeBackOne,
} from './tx-dma.ts';
import { countTxFrame, TxStatsRun } from './stats.ts';
import { TxArbiter, type ArbiterInput } from './tx-arbiter.ts';
import { TxFetch } from './tx-fetch.ts';
import { ADVANCED_DATA_RS, ADVANCED_DATA_RS_MASK, TxWriteBack, wthreshOf } from './tx-writeback.ts';
import { FloorGuard } from './tx-floor.ts';
import {
  PKT_GATHER,
  PKT_VLE,
  TCTL_I,
  TDH_I,
  TDLEN_I,
  TDT_I,
  TDWBAH_I,
  TDWBAL_I,
  TXDCTL_I,
  TXQWRR_I,
  TxQueue,
} from './tx-queue.ts';
import type { WirePeer } from '../net/wire.ts';

const TX_DONE = 0;
const TX_WAKE = 1;
const NO_EVENT = -1;
const WIRE_OVERHEAD = PREAMBLE_BYTES + IFG_BYTES;
const TWO_32 = 0x1_0000_0000;

export class TxEngine implements EventHandler {
  readonly queues: readonly TxQueue[] = [new TxQueue(), new TxQueue(), new TxQueue(), new TxQueue()];
  readonly limiter = new RateLimiter();
  readonly arbiter = new TxArbiter();
  /** TXQMIN starvation guard (OURS). */
  readonly floors = new FloorGuard();
  readonly fetch: TxFetch;
  peer: WirePeer | null = null;
  /** Run ahead inside the completion event when nothing can intervene (see file comment). */
  runAhead = true;
  /**
   * Burst-wise shortcuts inside a run-ahead stretch: the arbiter's pick held while it cannot
   * change, and the single-descriptor completion path. Off only for the per-frame reference
   * of the golden tests (tests/perf-golden/).
   */
  burst = true;
  /** Completed packets waiting for a grouped write-back (TXDCTL.WTHRESH > 0). */
  readonly writeBacks: TxWriteBack;
  /** Tx statistics of the current stretch, added to the registers at its end (burst mode). */
  private readonly statsRun = new TxStatsRun();
  /**
   * The queue whose head goes next without asking the arbiter again, or -1. Set inside one
   * stretch (`completeAndContinue`) when the decision cannot change until an event: strict
   * priority, or FIFO with one eligible queue, no rate limit and no floor. Inside a stretch
   * no other event runs, so the queues change only by our own completions (a queue can empty,
   * never fill); every outside entry point (doorbell, register write, link, fault, reset)
   * forgets it.
   */
  private held = -1;
  /** A head write-back `heldRun` has left for the end of its run: the queue (or -1) and the head. */
  private headWbQueue = -1;
  private headWbValue = 0;
  /** Whether the last `decide` may be held (see `held`). */
  private holdable = false;
  private removed = false;
  private mem: HostMemory | null = null;
  private sched: Scheduler | null = null;

  // Serializer state.
  private busy = false;
  /** Count of stop() calls, to notice a reset made from inside a completion callback. */
  private stops = 0;
  private epoch = 0;
  private epochBits = 0;
  private epochBitsPerNs = 0;
  private inflightQueue = -1;
  private inflightGeneration = 0;
  private inflightSfd = 0;
  /** The in-flight frame's SFD time as a cell (see writeBackDescriptors). */
  private readonly sfdCell = new Float64Array(1);
  private inflightEnd = 0;
  private doneEvent = NO_EVENT;
  private wakeEvent = NO_EVENT;
  private wakeAt = Infinity;

  private readonly staging = new Uint8Array(R.MAX_TX_PACKET + 64);
  private readonly input: ArbiterInput = {
    eligible: 0,
    backlogged: 0,
    txarb: 0,
    quantum: new Uint32Array(4),
    headBytes: new Int32Array(4),
    headSeq: new Float64Array(4),
  };

  /** The register file's raw storage (hot-path access by precomputed index). */
  private readonly r: Uint32Array;

  constructor(
    private readonly regs: RegisterFile,
    private readonly interrupts: Interrupts,
    private readonly link: LinkState,
  ) {
    this.r = regs.r;
    this.fetch = new TxFetch(regs, this.queues, interrupts);
    this.writeBacks = new TxWriteBack(this.r, this.queues, interrupts);
  }

  /** DMA-error faults per queue (also traced). */
  get dmaErrors(): Float64Array {
    return this.fetch.dmaErrors;
  }

  attach(bus: NicBusPort): void {
    this.fetch.attach(bus);
    this.writeBacks.attach(bus.memory, bus.scheduler);
    this.mem = bus.memory;
    this.sched = bus.scheduler;
  }

  // ---- ring geometry from the registers (QEMU igb_ring_* style) ----

  ringSize(q: number): number {
    return this.r[TDLEN_I[q]] >>> 4;
  }

  /** Descriptors software has handed over and hardware has not completed (TDH..TDT). */
  pendingDescriptors(q: number): number {
    return ringUsed(this.r[TDH_I[q]], this.r[TDT_I[q]], this.ringSize(q));
  }

  ringEmpty(q: number): boolean {
    return ringEmpty(this.r[TDH_I[q]], this.r[TDT_I[q]]);
  }

  // ---- register events ----

  tailWritten(q: number): void {
    this.held = -1;
    this.fetch.scan(q);
    if (this.floors.active !== 0) this.backlogChanged();
    this.kick();
  }

  controlWritten(q: number, old: number): void {
    this.held = -1;
    // A TXDCTL write (SWFLSH, or a disable: the queue stops only after its write-backs) flushes.
    this.writeBacks.flush(q, (old & R.TXDCTL_TSWB) !== 0);
    const now = this.r[TXDCTL_I[q]];
    const Q = this.queues[q];
    if ((now & R.TXDCTL_ENABLE) !== 0 && (old & R.TXDCTL_ENABLE) === 0) {
      Q.ensureCapacity(this.ringSize(q));
      Q.restart(this.r[TDH_I[q]]);
      this.fetch.scan(q);
      this.kick();
    } else if ((now & R.TXDCTL_ENABLE) === 0 && (old & R.TXDCTL_ENABLE) !== 0) {
      Q.restart(this.r[TDH_I[q]]);
    }
    if (this.floors.active !== 0) this.backlogChanged();
  }

  /** TCTL, TQAVCTRL, TXARB, TXSCHED, TXQWRR changes, link up, pause off, hang released. */
  globalChanged(): void {
    this.held = -1;
    for (let q = 0; q < 4; q++) this.fetch.scan(q);
    if (this.floors.active !== 0) this.backlogChanged();
    this.kick();
  }

  /** TXQMIN(q) written: settle all credits at the old rates, then reprogram queue q's floor. */
  floorWritten(q: number, txqmin: number, linkBps: number): void {
    this.held = -1;
    const now = this.sched?.now ?? 0;
    this.floors.sync(now, this.backlogMask());
    this.floors.configure(q, txqmin, linkBps, now, this.isBacklogged(q));
    this.kick();
  }

  /**
   * A queue's backlog may have changed outside an arbitration decision (doorbell, enable,
   * disable, hang): settle the floor credits now so they fill exactly while backlogged.
   */
  backlogChanged(): void {
    this.held = -1;
    if (this.floors.active === 0) return;
    this.floors.sync(this.sched?.now ?? 0, this.backlogMask());
  }

  /** Same backlog rule as `decide`: a complete fetched packet, queue enabled, not hung. */
  private isBacklogged(q: number): boolean {
    const Q = this.queues[q];
    return Q.count !== 0 && !Q.hung && (this.r[TXDCTL_I[q]] & R.TXDCTL_ENABLE) !== 0;
  }

  private backlogMask(): number {
    let m = 0;
    for (let q = 0; q < 4; q++) if (this.isBacklogged(q)) m |= 1 << q;
    return m;
  }

  // ---- serializer ----

  /** Starts the serializer if it is idle and a frame is eligible. */
  kick(): void {
    this.held = -1;
    const sched = this.sched;
    if (this.busy || sched === null || this.removed) return;
    if (this.startNext(false)) this.doneEvent = sched.schedule(this.inflightEnd, this, TX_DONE);
  }

  onEvent(arg: number): void {
    if (arg === TX_WAKE) {
      this.wakeEvent = NO_EVENT;
      this.wakeAt = Infinity;
      this.kick();
      return;
    }
    this.doneEvent = NO_EVENT;
    this.completeAndContinue();
  }

  private completeAndContinue(): void {
    const sched = this.sched;
    if (sched === null) return;
    // A new stretch: whatever happened since the last one (events) may change the pick.
    this.held = -1;
    this.statsRun.active = this.burst;
    try {
      this.stretch(sched);
    } finally {
      this.flushStats();
    }
  }

  /**
   * Writes the head `heldRun` left pending to host memory (the run's end, or a stop or reset
   * from inside it: the head it had reached goes out before the reset takes effect).
   */
  private flushHeadWriteBack(): void {
    const q = this.headWbQueue;
    if (q < 0) return;
    this.headWbQueue = -1;
    const mem = this.mem;
    if (mem !== null && !this.removed)
      headWriteBack(mem, this.r[TDWBAL_I[q]], this.r[TDWBAH_I[q]], this.headWbValue);
  }

  /** Adds the stretch's Tx statistics to the registers (its end, a reset, a register read). */
  flushStats(): void {
    if (this.statsRun.active) this.statsRun.flush(this.regs);
  }

  private stretch(sched: Scheduler): void {
    while (true) {
      const stops = this.stops;
      // The held queue's frames back to back, while nothing else can happen between them.
      if (this.held >= 0 && this.held === this.inflightQueue) {
        const ended = this.heldRun(sched);
        this.flushHeadWriteBack();
        if (ended) return;
      }
      if (stops !== this.stops) return;
      this.complete();
      // A reset or removal from inside a callback (peer or interrupt) ended this busy period;
      // a doorbell after it may already have started a new one.
      if (stops !== this.stops) return;
      if (this.removed || !this.startNext(true)) {
        this.busy = false;
        return;
      }
      const end = this.inflightEnd;
      if (this.runAhead) {
        sched.runAheadTarget = end;
        if (sched.runAhead()) continue;
      }
      this.doneEvent = sched.schedule(end, this, TX_DONE);
      return;
    }
  }

  /** Picks the next frame and computes its slot; `continuing` keeps the busy period's epoch. */
  // Time is read from the scheduler, not passed in: a float64 argument to a call V8 does not
  // inline is boxed into a fresh HeapNumber, and this runs once per frame.
  private startNext(continuing: boolean): boolean {
    const now = this.sched!.now;
    let q = this.held;
    if (q < 0 || !continuing || !this.stillHeld(q)) {
      q = this.decide();
      this.held = this.burst && this.holdable ? q : -1;
    }
    if (q < 0) return false;
    const bitsPerNs = this.link.bitsPerNs;
    if (!continuing || this.epochBitsPerNs !== bitsPerNs) {
      this.epoch = now;
      this.epochBits = 0;
      this.epochBitsPerNs = bitsPerNs;
    }
    const Q = this.queues[q];
    const wireBytes = Q.wire[Q.head] + WIRE_OVERHEAD;
    const startBits = this.epochBits;
    this.epochBits = startBits + wireBytes * 8;
    this.inflightSfd = this.epoch + (startBits + PREAMBLE_BYTES * 8) / bitsPerNs;
    this.sfdCell[0] = this.inflightSfd;
    this.inflightEnd = this.epoch + this.epochBits / bitsPerNs;
    this.inflightQueue = q;
    this.inflightGeneration = Q.generation;
    this.limiter.consume(q, wireBytes, now);
    this.busy = true;
    return true;
  }

  /**
   * `complete` then `startNext(true)` then run-ahead, for the held queue's single-descriptor
   * frames, with the queue's geometry in locals: the same steps in the same order. It leaves
   * at the first thing it does not handle, at a point where the general loop in `stretch`
   * carries on exactly (an in-flight frame not yet completed, or one completed — or abandoned —
   * with `inflightQueue` cleared). Returns true when it ended the stretch itself: the next
   * frame's end lies past another event, so its completion is scheduled.
   */
  private heldRun(sched: Scheduler): boolean {
    const q = this.held;
    const mem = this.mem;
    if (mem === null || this.removed) return false;
    const Q = this.queues[q];
    const r = this.r;
    const u8 = mem.u8;
    const u32 = mem.u32;
    const n = this.ringSize(q);
    const ringOffset = Q.ringOffset;
    const generation = this.inflightGeneration;
    const stops = this.stops;
    const stats = this.statsRun;
    const sfd = this.sfdCell;
    while (true) {
      // Complete the in-flight frame: the head of Q, abandoned if Q was reset meanwhile.
      if (Q.generation !== generation || Q.count === 0) return false;
      const i = Q.head;
      const start = r[TDH_I[q]];
      const end = Q.end[i];
      const wire = Q.wire[i];
      const length = wire - FCS_BYTES;
      const frameOffset = Q.buffer[i];
      if (
        ringAdvance(start, 1, n) !== end ||
        (Q.info[i] & (PKT_GATHER | PKT_VLE)) !== 0 ||
        Q.data[i] < length ||
        frameOffset < 0
      )
        return false;
      this.inflightQueue = -1;
      this.peer?.frameFromNic(u8, frameOffset, length, sfd, q);
      if (this.removed || Q.generation !== generation) return false;
      const wthresh = wthreshOf(r[TXDCTL_I[q]]);
      const tswb = (r[TXDCTL_I[q]] & R.TXDCTL_TSWB) !== 0;
      const w = (ringOffset + start * R.DESCRIPTOR_BYTES) >>> 2;
      if (wthresh !== 0) {
        // Grouped write-back: written with the group (writeBacks.hold below).
      } else if ((u32[w + 2] & ADVANCED_DATA_RS_MASK) === ADVANCED_DATA_RS) {
        // writeBackOne for the advanced data descriptor our driver posts, inline.
        u32[w + 3] = R.TXD_STA_DD;
        if (tswb) {
          const ts = Math.round(sfd[0]);
          u32[w] = ts >>> 0;
          u32[w + 1] = Math.floor(ts / TWO_32);
        }
      } else {
        writeBackOne(mem, ringOffset, start, tswb, sfd);
      }
      r[TDH_I[q]] = end;
      Q.pop();
      if (stats.active) stats.count(q, u8, frameOffset, wire);
      else countTxFrame(this.regs, q, u8, frameOffset, wire);
      // Head write-back (TDWBAL bit 0): only the last head of the run reaches memory, at its end.
      if ((r[TDWBAL_I[q]] & 1) !== 0) {
        this.headWbQueue = q;
        this.headWbValue = end;
      }
      if (wthresh === 0) this.interrupts.raiseQueue(q, true);
      else this.writeBacks.hold(q, start, end, sfd, wthresh);
      if (this.stops !== stops || this.removed) return false;
      // Start the next frame of the same queue, as `startNext(true)` does while it is held.
      if (this.held !== q || !this.stillHeld(q) || this.link.bitsPerNs !== this.epochBitsPerNs) return false;
      const bitsPerNs = this.epochBitsPerNs;
      const wireBytes = Q.wire[Q.head] + WIRE_OVERHEAD;
      const startBits = this.epochBits;
      this.epochBits = startBits + wireBytes * 8;
      this.inflightSfd = this.epoch + (startBits + PREAMBLE_BYTES * 8) / bitsPerNs;
      sfd[0] = this.inflightSfd;
      this.inflightEnd = this.epoch + this.epochBits / bitsPerNs;
      this.inflightQueue = q;
      this.inflightGeneration = Q.generation;
      this.limiter.consume(q, wireBytes, sched.now);
      this.busy = true;
      if (!this.runAhead) break;
      sched.runAheadTarget = this.inflightEnd;
      if (!sched.runAhead()) break;
    }
    this.doneEvent = sched.schedule(this.inflightEnd, this, TX_DONE);
    return true;
  }

  /** The held queue may send its head frame now: the conditions `decide` checks for it. */
  private stillHeld(q: number): boolean {
    const Q = this.queues[q];
    const r = this.r;
    return (
      Q.count !== 0 &&
      !Q.hung &&
      (r[TXDCTL_I[q]] & R.TXDCTL_ENABLE) !== 0 &&
      this.link.up &&
      !this.link.paused &&
      (r[TCTL_I] & R.TCTL_EN) !== 0
    );
  }

  private decide(): number {
    this.holdable = false;
    const now = this.sched!.now;
    if (!this.link.up || this.link.paused || (this.r[TCTL_I] & R.TCTL_EN) === 0) {
      // A frame may have completed just before (backlog change): keep floor credit exact.
      if (this.floors.active !== 0) this.floors.sync(now, this.backlogMask());
      return -1;
    }
    const input = this.input;
    let eligible = 0;
    let backlogged = 0;
    let limitedReady = Infinity;
    for (let q = 0; q < 4; q++) {
      const Q = this.queues[q];
      input.quantum[q] = this.r[TXQWRR_I[q]];
      if (Q.count === 0 || Q.hung || (this.r[TXDCTL_I[q]] & R.TXDCTL_ENABLE) === 0) continue;
      backlogged |= 1 << q;
      input.headBytes[q] = Q.wire[Q.head];
      input.headSeq[q] = Q.seq[Q.head];
      if (this.limiter.allows(q, now)) {
        eligible |= 1 << q;
        Q.stalled = false;
      } else {
        if (!Q.stalled) this.regs.inc(R.TQSTALL(q));
        Q.stalled = true;
        const t = this.limiter.readyAt(q, now);
        if (t < limitedReady) limitedReady = t;
      }
    }
    input.eligible = eligible;
    input.backlogged = backlogged;
    input.txarb = this.regs.get(R.TXARB);
    const mode =
      this.regs.get(R.TQAVCTRL) & R.TQAVCTRL_TRANSMIT_MODE ? this.regs.get(R.TXSCHED) & 3 : R.TXSCHED_FIFO;
    // Floors off: this single branch is all the starvation guard costs per decision.
    const q =
      this.floors.active === 0 ? this.arbiter.pick(mode, input) : this.pickWithFloors(now, mode, input);
    if (q < 0 && limitedReady !== Infinity) this.wakeAtTime(limitedReady);
    // Strict priority (or FIFO over one queue) keeps its pick while no queue can gain a frame
    // or a token: no limiter anywhere, no floor. DRR and FIFO over several move every frame.
    this.holdable =
      q >= 0 &&
      this.floors.active === 0 &&
      !this.limiter.anyLimited() &&
      (mode === R.TXSCHED_SP || (mode === R.TXSCHED_FIFO && (eligible & (eligible - 1)) === 0));
    return q;
  }

  /**
   * Decision with TXQMIN floors: settle the credits, serve an eligible queue under its floor
   * first, else the configured mode; debit the chosen queue's credit by its head frame.
   */
  private pickWithFloors(now: number, mode: number, input: ArbiterInput): number {
    const floors = this.floors;
    const under = floors.under(now, input.backlogged, input.headBytes, WIRE_OVERHEAD);
    let q = this.arbiter.floorPick(mode, input, under);
    if (q < 0) q = this.arbiter.pick(mode, input);
    if (q >= 0) {
      floors.consume(q, input.headBytes[q] + WIRE_OVERHEAD);
    } else {
      // Pure DRR serves no quantum-0 queue: wake when one of them reaches its floor.
      const t = floors.readyAt(input.eligible, input.headBytes, WIRE_OVERHEAD, now);
      if (t !== Infinity) this.wakeAtTime(t);
    }
    return q;
  }

  private wakeAtTime(t: number): void {
    const sched = this.sched;
    if (sched === null || t >= this.wakeAt) return;
    if (this.wakeEvent !== NO_EVENT) sched.cancel(this.wakeEvent);
    this.wakeAt = t;
    this.wakeEvent = sched.schedule(t, this, TX_WAKE);
  }

  // ---- completion ----

  private complete(): void {
    const q = this.inflightQueue;
    this.inflightQueue = -1;
    const mem = this.mem;
    if (q < 0 || mem === null || this.removed) return;
    const Q = this.queues[q];
    // Queue disabled, faulted or reset while the frame was on the wire: abandoned.
    if (Q.generation !== this.inflightGeneration || Q.count === 0) return;
    const i = Q.head;
    const end = Q.end[i];
    const wire = Q.wire[i];
    const info = Q.info[i];
    const n = this.ringSize(q);
    const start = this.r[TDH_I[q]];
    const ringOffset = Q.ringOffset;
    const length = wire - FCS_BYTES;
    let frame: Uint8Array = this.staging;
    let frameOffset = 0;
    // One descriptor: the packet is its only data descriptor, nothing to skip or gather.
    const single = this.burst && ringAdvance(start, 1, n) === end;
    if ((info & (PKT_GATHER | PKT_VLE)) === 0 && Q.data[i] >= length) {
      // The buffer was translated when the descriptor was fetched (the I210 prefetches).
      frameOffset = this.burst ? Q.buffer[i] : singleBufferOffset(mem, ringOffset, start, end, n);
      frame = mem.u8;
    } else {
      frameOffset = gatherFrame(mem, this.staging, ringOffset, start, end, n, info, length);
    }
    if (frameOffset < 0) return this.fetch.fault(q, 'buffer outside host memory at completion');
    // The frame leaves the device before software can see DD (buffers stay valid during the call).
    this.peer?.frameFromNic(frame, frameOffset, length, this.sfdCell, q);
    // The peer may have reset or removed the device synchronously; then nothing is written back.
    if (this.removed || Q.generation !== this.inflightGeneration) return;
    const wthresh = wthreshOf(this.r[TXDCTL_I[q]]);
    if (wthresh === 0) {
      const tswb = (this.r[TXDCTL_I[q]] & R.TXDCTL_TSWB) !== 0;
      if (single) writeBackOne(mem, ringOffset, start, tswb, this.sfdCell);
      else writeBackDescriptors(mem, ringOffset, start, end, n, tswb, this.sfdCell);
    }
    this.r[TDH_I[q]] = end;
    Q.pop();
    if (this.statsRun.active) this.statsRun.count(q, frame, frameOffset, wire);
    else countTxFrame(this.regs, q, frame, frameOffset, wire);
    headWriteBack(mem, this.r[TDWBAL_I[q]], this.r[TDWBAH_I[q]], end);
    if (wthresh === 0) this.interrupts.raiseQueue(q, true);
    else this.writeBacks.hold(q, start, end, this.sfdCell, wthresh);
  }

  // ---- lifecycle ----

  /** Surprise removal: no more fetch, DMA or completion. */
  remove(): void {
    this.removed = true;
    this.fetch.removed = true;
    this.writeBacks.removed = true;
    this.stop();
  }

  /** Abandons the frame in flight and all fetched state (CTRL.RST, surprise removal). */
  stop(): void {
    // Frames completed before this stop were counted before it (a reset clears them next).
    this.flushStats();
    this.flushHeadWriteBack();
    this.stops++;
    this.held = -1;
    const sched = this.sched;
    if (sched !== null) {
      if (this.doneEvent !== NO_EVENT) sched.cancel(this.doneEvent);
      if (this.wakeEvent !== NO_EVENT) sched.cancel(this.wakeEvent);
    }
    this.doneEvent = NO_EVENT;
    this.wakeEvent = NO_EVENT;
    this.wakeAt = Infinity;
    this.busy = false;
    this.inflightQueue = -1;
    // Completed packets not yet written back are abandoned with everything else.
    this.writeBacks.stop();
  }

  reset(depths: ArrayLike<number>): void {
    this.stop();
    for (const Q of this.queues) {
      Q.restart(0);
      Q.hung = false;
      Q.injectDmaError = false;
      Q.contextVlan.fill(0);
    }
    this.limiter.reset(depths);
    this.floors.reset();
    this.arbiter.reset();
    this.fetch.reset();
  }

  /** True while a frame is on the wire. */
  get serializerBusy(): boolean {
    return this.busy;
  }
}
