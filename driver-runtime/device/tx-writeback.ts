/**
 * Tx descriptor write-back bursting (I210 datasheet 7.2.2, TXDCTL.WTHRESH). With WTHRESH = 0
 * each RS descriptor is written back as its packet completes. With WTHRESH > 0 completed
 * packets wait on chip and are written back together when WTHRESH of them are ready, when the
 * queue's EITR interval expires (the first packet after the timer restarted arms it), or when
 * software flushes (TXDCTL.SWFLSH, or any TXDCTL write here). DD — what the driver polls —
 * appears for the whole group at once, with the same bytes an immediate write-back writes.
 *
 * This class keeps the waiting packets: per queue, their descriptor range, SFD time and the
 * queue generation they belong to (a reset or fault in between forgets them).
 */
import type { HostMemory } from '../sim/host-memory.ts';
import * as R from './registers.ts';
import { ringAdvance } from './ring.ts';
import { writeBackDescriptors, writeBackOne } from './tx-dma.ts';

/** WTHRESH is 5 bits (0…23 valid): a group never holds more than 31 packets. */
const SLOTS = 32;
const TWO_32 = 0x1_0000_0000;
/** dword2 bits of an advanced data descriptor with RS (DD and the TSWB time written back). */
export const ADVANCED_DATA_RS_MASK = R.TXD_CMD_RS | R.TXD_CMD_DEXT | (R.TXD_DTYP_MASK << R.TXD_DTYP_SHIFT);
export const ADVANCED_DATA_RS = R.TXD_CMD_RS | R.TXD_CMD_DEXT | (R.TXD_DTYP_DATA << R.TXD_DTYP_SHIFT);

export function wthreshOf(txdctl: number): number {
  return (txdctl >>> R.TXDCTL_WTHRESH_SHIFT) & R.TXDCTL_WTHRESH_MASK;
}

export class TxWriteBackGroups {
  private readonly start = new Int32Array(4 * SLOTS);
  private readonly end = new Int32Array(4 * SLOTS);
  private readonly sfd = new Float64Array(4 * SLOTS);
  private readonly generation = new Float64Array(4);
  /** Packets waiting per queue. */
  readonly waiting = new Int32Array(4);
  private readonly cell = new Float64Array(1);

  /** Keeps a completed packet (descriptors start..end-1) of `generation`; returns how many wait now. */
  hold(q: number, start: number, end: number, sfdNs: number, generation: number): number {
    let k = this.waiting[q];
    if (k > 0 && this.generation[q] !== generation) k = 0;
    if (k === SLOTS) return k; // cannot happen with a 5-bit WTHRESH; the caller flushes at ≥ WTHRESH
    const i = q * SLOTS + k;
    this.start[i] = start;
    this.end[i] = end;
    this.sfd[i] = sfdNs;
    this.generation[q] = generation;
    this.waiting[q] = k + 1;
    return k + 1;
  }

  /**
   * Writes back every packet waiting on `q` in completion order, if they belong to
   * `generation` (the queue's current one); returns how many were written.
   */
  flush(
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

  forget(q: number): void {
    this.waiting[q] = 0;
  }

  forgetAll(): void {
    this.waiting.fill(0);
  }
}
