/**
 * Tx write-back bursting (TXDCTL.WTHRESH, I210 datasheet 7.2.2): completed packets wait on
 * chip until WTHRESH are ready, the queue's EITR interval ends, or software flushes — then DD
 * (and our TSWB time) appear for the whole group, with the bytes an immediate write-back writes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as R from '../../driver-runtime/device/registers.ts';
import { makeFrame, Rig } from './fixture.ts';

const EITR_US = 100;

/** Queue 0 with WTHRESH `wthresh`, TSWB, and its vector moderated to one interrupt per EITR_US. */
function rig(wthresh: number): Rig {
  const r = new Rig().startHw();
  r.write(R.EITR(0), EITR_US << R.EITR_INTERVAL_SHIFT);
  r.write(R.TXDCTL(0), R.TXDCTL_ENABLE | R.TXDCTL_TSWB | (wthresh << R.TXDCTL_WTHRESH_SHIFT));
  return r;
}

function done(r: Rig, i: number): boolean {
  return (r.txDescriptor(0, i).d3 & R.TXD_STA_DD) !== 0;
}

/** Sends `n` 64-byte frames on queue 0 with one doorbell; returns their descriptor indexes. */
function burst(r: Rig, n: number): number[] {
  const eops = Array.from({ length: n }, (_, k) => r.txPush(0, makeFrame(60, undefined, k)));
  r.doorbell(0);
  return eops;
}

describe('Tx write-back bursting (WTHRESH)', () => {
  it('after an idle period the first packet is written back at once (its EITR timer has expired)', () => {
    const r = rig(4);
    const [first] = burst(r, 1);
    r.run(1_000);
    expect(done(r, first)).toBe(true);
    expect(r.vectors()).toEqual([0]);
  });

  it('later packets wait for WTHRESH of them, then all are written back together', () => {
    const r = rig(4);
    burst(r, 1);
    r.run(1_000);
    const waiting = burst(r, 3);
    r.run(5_000);
    expect(waiting.map((i) => done(r, i))).toEqual([false, false, false]);
    expect(r.read(R.TDH(0))).toBe(4); // the head runs ahead of the write-back
    const [fourth] = burst(r, 1);
    r.run(5_000);
    expect([...waiting, fourth].map((i) => done(r, i))).toEqual([true, true, true, true]);
  });

  it('the end of the EITR interval flushes a short group, before the interrupt it raises', () => {
    const r = rig(16);
    burst(r, 1);
    r.run(1_000);
    const waiting = burst(r, 2);
    r.run(50_000);
    expect(waiting.map((i) => done(r, i))).toEqual([false, false]);
    expect(r.vectors()).toEqual([0]);
    r.run(EITR_US * 1000);
    expect(waiting.map((i) => done(r, i))).toEqual([true, true]);
    expect(r.bus.msix.map((m) => m.time)).toEqual([r.bus.msix[0].time, r.bus.msix[0].time + EITR_US * 1000]);
  });

  it('TXDCTL.SWFLSH writes the waiting packets back now', () => {
    const r = rig(16);
    burst(r, 1);
    r.run(1_000);
    const waiting = burst(r, 2);
    r.run(5_000);
    expect(waiting.map((i) => done(r, i))).toEqual([false, false]);
    r.write(R.TXDCTL(0), r.read(R.TXDCTL(0)) | R.TXDCTL_SWFLSH);
    expect(waiting.map((i) => done(r, i))).toEqual([true, true]);
  });

  it('a device reset abandons the waiting packets: their descriptors are never written', () => {
    const r = rig(16);
    burst(r, 1);
    r.run(1_000);
    const waiting = burst(r, 2);
    r.run(5_000);
    const before = waiting.map((i) => r.txDescriptor(0, i));
    r.write(R.CTRL, R.CTRL_RST);
    r.run(3 * EITR_US * 1000);
    expect(waiting.map((i) => r.txDescriptor(0, i))).toEqual(before);
  });

  it('written back in groups or one by one, the ring ends byte-identical (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 23 }),
        fc.array(fc.record({ frames: fc.integer({ min: 1, max: 12 }), gapNs: fc.nat(150_000) }), {
          minLength: 1,
          maxLength: 12,
        }),
        (wthresh, bursts) => {
          const grouped = rig(wthresh);
          const single = rig(0);
          for (const b of bursts) {
            for (const x of [grouped, single]) {
              burst(x, b.frames);
              x.run(b.gapNs);
            }
          }
          for (const x of [grouped, single]) x.run(3 * EITR_US * 1000);
          const ring = (x: Rig) => Array.from(x.memory.u8.subarray(x.txRing[0], x.txRing[0] + 256 * 16));
          expect(ring(grouped)).toEqual(ring(single));
          expect(grouped.peer.frames.map((f) => f.sfd)).toEqual(single.peer.frames.map((f) => f.sfd));
        },
      ),
      { numRuns: 60 },
    );
  });
});
