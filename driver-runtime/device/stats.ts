/**
 * Statistics updates (nic-model §1.8, §6.6): saturating, clear-on-read registers; octet
 * counters include the 4-byte FCS (QEMU adds 4 before updating GOTC/TOT).
 */
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';

/** Index 0..5 of the 64/127/255/511/1023/1522 size bucket for a frame length incl. FCS. */
export function sizeBucket(lengthWithFcs: number): number {
  if (lengthWithFcs <= 64) return 0;
  if (lengthWithFcs <= 127) return 1;
  if (lengthWithFcs <= 255) return 2;
  if (lengthWithFcs <= 511) return 3;
  if (lengthWithFcs <= 1023) return 4;
  return 5;
}

export function isBroadcast(frame: Uint8Array, offset: number): boolean {
  return (
    (frame[offset] &
      frame[offset + 1] &
      frame[offset + 2] &
      frame[offset + 3] &
      frame[offset + 4] &
      frame[offset + 5]) ===
    0xff
  );
}

/** A transmitted frame: `lengthWithFcs` is what left the MAC (frame + FCS). */
export function countTxFrame(
  regs: RegisterFile,
  queue: number,
  frame: Uint8Array,
  offset: number,
  lengthWithFcs: number,
): void {
  regs.inc(R.GPTC);
  regs.inc(R.TPT);
  regs.add64(R.GOTCL, lengthWithFcs);
  regs.add64(R.TOTL, lengthWithFcs);
  // PTC64..PTC1522 cover frames up to 1522 bytes; jumbo frames have no bucket.
  if (lengthWithFcs <= 1522) regs.inc(R.PTC64 + 4 * sizeBucket(lengthWithFcs));
  if (frame[offset] & 1) regs.inc(isBroadcast(frame, offset) ? R.BPTC : R.MPTC);
  regs.inc(R.TQPC(queue));
  regs.add64(R.TQBCL(queue), lengthWithFcs);
}

/**
 * `countTxFrame` accumulated over a run-ahead stretch and added to the registers at its end
 * (`flush`), before anything can read or reset them. The counters saturate, so adding a
 * stretch's sum at once gives the same values as adding each frame: min(v + sum, max).
 */
export class TxStatsRun {
  /** True while frames are counted here rather than in the registers. */
  active = false;
  private frames = 0;
  private octets = 0;
  private broadcast = 0;
  private multicast = 0;
  private readonly sizes = new Float64Array(6);
  private readonly queueFrames = new Float64Array(4);
  private readonly queueOctets = new Float64Array(4);

  count(queue: number, frame: Uint8Array, offset: number, lengthWithFcs: number): void {
    this.frames++;
    this.octets += lengthWithFcs;
    if (lengthWithFcs <= 1522) this.sizes[sizeBucket(lengthWithFcs)]++;
    if (frame[offset] & 1) {
      if (isBroadcast(frame, offset)) this.broadcast++;
      else this.multicast++;
    }
    this.queueFrames[queue]++;
    this.queueOctets[queue] += lengthWithFcs;
  }

  /** Adds what was counted to the registers and stops counting here. */
  flush(regs: RegisterFile): void {
    this.active = false;
    if (this.frames === 0) return;
    regs.inc(R.GPTC, this.frames);
    regs.inc(R.TPT, this.frames);
    regs.add64(R.GOTCL, this.octets);
    regs.add64(R.TOTL, this.octets);
    for (let b = 0; b < 6; b++)
      if (this.sizes[b] !== 0) {
        regs.inc(R.PTC64 + 4 * b, this.sizes[b]);
        this.sizes[b] = 0;
      }
    if (this.broadcast !== 0) regs.inc(R.BPTC, this.broadcast);
    if (this.multicast !== 0) regs.inc(R.MPTC, this.multicast);
    for (let q = 0; q < 4; q++)
      if (this.queueFrames[q] !== 0) {
        regs.inc(R.TQPC(q), this.queueFrames[q]);
        regs.add64(R.TQBCL(q), this.queueOctets[q]);
        this.queueFrames[q] = 0;
        this.queueOctets[q] = 0;
      }
    this.frames = 0;
    this.octets = 0;
    this.broadcast = 0;
    this.multicast = 0;
  }
}

/** Every frame seen on the wire (accepted or not) counts in TPR/TOR. */
export function countRxSeen(regs: RegisterFile, lengthWithFcs: number): void {
  regs.inc(R.TPR);
  regs.add64(R.TORL, lengthWithFcs);
}

/** A frame accepted by the filters and written to host memory. */
export function countRxGood(
  regs: RegisterFile,
  frame: Uint8Array,
  offset: number,
  lengthWithFcs: number,
): void {
  regs.inc(R.GPRC);
  regs.add64(R.GORCL, lengthWithFcs);
  if (lengthWithFcs <= 1522) regs.inc(R.PRC64 + 4 * sizeBucket(lengthWithFcs));
  if (frame[offset] & 1) regs.inc(isBroadcast(frame, offset) ? R.BPRC : R.MPRC);
}

/** Dropped for lack of Rx descriptors (nic-model §6.7 "Rx overrun / no buffers"). */
export function countRxNoBuffer(regs: RegisterFile, queue: number): void {
  regs.inc(R.RNBC);
  regs.inc(R.MPC);
  regs.inc(R.RQDPC(queue));
}
