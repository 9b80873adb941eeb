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
