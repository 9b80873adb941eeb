/**
 * Tx descriptor write-back bursting (I210 datasheet 7.2.2, TXDCTL.WTHRESH). With WTHRESH = 0
 * each RS descriptor is written back as its packet completes (the engine does that itself).
 * With WTHRESH > 0 completed packets wait on chip and are written back together when WTHRESH
 * of them are ready, when the queue's EITR interval expires (the first packet after the timer
 * restarted arms it), or when software flushes (TXDCTL.SWFLSH, or any TXDCTL write here). DD —
 * what the driver polls — appears for the whole group at once, with the same bytes an
 * immediate write-back writes, and TXDW is raised then.
 *
 * Per queue it keeps the waiting packets (descriptor range, SFD time), the queue generation
 * they belong to (a reset or fault in between forgets them) and the flush timer.
 */
import type { HostMemory } from '../sim/host-memory.ts';
import { NO_EVENT, type EventHandler, type Scheduler } from '../sim/scheduler.ts';
import type { Interrupts } from './interrupts.ts';
import * as R from './registers.ts';
import { ringAdvance } from './ring.ts';
import { writeBackDescriptors, writeBackOne } from './tx-dma.ts';
import { TDLEN_I, TXDCTL_I, type TxQueue } from './tx-queue.ts';

/** WTHRESH is 5 bits (0…23 valid): a group never holds more than 31 packets. */
const SLOTS = 32;
const TWO_32 = 0x1_0000_0000;
/** dword2 bits of an advanced data descriptor with RS (DD and the TSWB time written back). */
export const ADVANCED_DATA_RS_MASK = R.TXD_CMD_RS | R.TXD_CMD_DEXT | (R.TXD_DTYP_MASK << R.TXD_DTYP_SHIFT);
export const ADVANCED_DATA_RS = R.TXD_CMD_RS | R.TXD_CMD_DEXT | (R.TXD_DTYP_DATA << R.TXD_DTYP_SHIFT);

export function wthreshOf(txdctl: number): number {
  return (txdctl >>> R.TXDCTL_WTHRESH_SHIFT) & R.TXDCTL_WTHRESH_MASK;
}

export class TxWriteBack implements EventHandler {
  private readonly start = new Int32Array(4 * SLOTS);
  private readonly end = new Int32Array(4 * SLOTS);
  private readonly sfd = new Float64Array(4 * SLOTS);
  private readonly generation = new Float64Array(4);
  /** Packets waiting per queue. */
  private readonly waiting = new Int32Array(4);
  /** Per queue: the scheduled flush (the EITR interval's end), or NO_EVENT. */
  private readonly flushEvent = new Float64Array(4).fill(NO_EVENT);
  private readonly cell = new Float64Array(1);
  private mem: HostMemory | null = null;
  private sched: Scheduler | null = null;
  /** Surprise removal: no more DMA. */
  removed = false;

  constructor(
    /** The register file's raw storage. */
    private readonly r: Uint32Array,
    private readonly queues: readonly TxQueue[],
    private readonly interrupts: Interrupts,
  ) {}

  attach(mem: HostMemory, sched: Scheduler): void {
    this.mem = mem;
    this.sched = sched;
  }

  /**
   * A completed packet of queue `q` (descriptors start..end-1, SFD time in `sfd[0]`) waits
   * for its group: written back once `wthresh` wait, else when the EITR interval ends.
   */
  hold(q: number, start: number, end: number, sfd: Float64Array, wthresh: number): void {
    const generation = this.queues[q].generation;
    let k = this.waiting[q];
    if (k > 0 && this.generation[q] !== generation) k = 0;
    const i = q * SLOTS + k;
    this.start[i] = start;
    this.end[i] = end;
    this.sfd[i] = sfd[0];
    this.generation[q] = generation;
    this.waiting[q] = k + 1;
    if (k + 1 >= wthresh) {
      this.flush(q, (this.r[TXDCTL_I[q]] & R.TXDCTL_TSWB) !== 0);
      return;
    }
    const sched = this.sched;
    if (sched === null || this.flushEvent[q] !== NO_EVENT) return;
    // The first packet after the timer restarted starts it; an expired timer flushes at once.
    const at = this.interrupts.nextFireNs(q, true);
    if (at <= sched.now) this.flush(q, (this.r[TXDCTL_I[q]] & R.TXDCTL_TSWB) !== 0);
    else this.flushEvent[q] = sched.schedule(at, this, q);
  }

  /** The flush timer of queue `arg` expired. */
  onEvent(arg: number): void {
    this.flushEvent[arg] = NO_EVENT;
    this.flush(arg, (this.r[TXDCTL_I[arg]] & R.TXDCTL_TSWB) !== 0);
  }

  /** Writes back the packets waiting on `q` (DD, and the SFD time when `tswb`) and raises TXDW. */
  flush(q: number, tswb: boolean): void {
    const mem = this.mem;
    if (mem === null || this.removed || this.waiting[q] === 0) return;
    const Q = this.queues[q];
    const written = this.writeBack(q, Q.generation, mem, Q.ringOffset, this.r[TDLEN_I[q]] >>> 4, tswb);
    if (written > 0) this.interrupts.raiseQueue(q, true);
  }

  /** Abandons every waiting packet and timer (a stop, reset or removal). */
  stop(): void {
    const sched = this.sched;
    for (let q = 0; q < 4; q++) {
      if (sched !== null && this.flushEvent[q] !== NO_EVENT) sched.cancel(this.flushEvent[q]);
      this.flushEvent[q] = NO_EVENT;
    }
    this.waiting.fill(0);
  }

  /**
   * Writes back every packet waiting on `q` in completion order, if they belong to
   * `generation` (the queue's current one); returns how many were written.
   */
  private writeBack(
    q: number,
    generation: number,
    mem: HostMemory,
    ringOffset: number,
    ringSize: number,
    tswb: boolean,
  ): number {
    const k = this.waiting[q];
    this.waiting[q] = 0;
    if (k === 0 || this.generation[q] !== generation) return 0;
    const cell = this.cell;
    const u32 = mem.u32;
    for (let j = 0; j < k; j++) {
      const i = q * SLOTS + j;
      const start = this.start[i];
      const end = this.end[i];
      const w = (ringOffset + start * R.DESCRIPTOR_BYTES) >>> 2;
      if (
        ringAdvance(start, 1, ringSize) === end &&
        (u32[w + 2] & ADVANCED_DATA_RS_MASK) === ADVANCED_DATA_RS
      ) {
        // writeBackOne for the advanced data descriptor our driver posts, inline.
        u32[w + 3] = R.TXD_STA_DD;
        if (tswb) {
          const ts = Math.round(this.sfd[i]);
          u32[w] = ts >>> 0;
          u32[w + 1] = Math.floor(ts / TWO_32);
        }
        continue;
      }
      cell[0] = this.sfd[i];
      if (ringAdvance(start, 1, ringSize) === end) writeBackOne(mem, ringOffset, start, tswb, cell);
      else writeBackDescriptors(mem, ringOffset, start, end, ringSize, tswb, cell);
    }
    return k;
  }
}
