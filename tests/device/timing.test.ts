/**
 * Line-rate serializer timing against nic-model §4.1 (virtual time only).
 * 64 B frames = 60 B + FCS; 1518 B frames = 1514 B + FCS; +20 B preamble/SFD and IFG per frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkSpeed } from '../../driver-runtime/sim/units.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import { makeFrame, Rig } from './fixture.ts';

const TABLE: [LinkSpeed, number, number][] = [
  ['1g', 672, 12304],
  ['2.5g', 268.8, 4921.6],
  ['10g', 67.2, 1230.4],
];

function blast(speed: LinkSpeed, frameLen: number, count: number, runAhead = true, noise = false): Rig {
  const rig = new Rig({ linkSpeed: speed, txRingSize: 1024 }).startHw();
  rig.nic.core.tx.runAhead = runAhead;
  rig.write(R.TXDCTL(0), R.TXDCTL_ENABLE | R.TXDCTL_TSWB);
  if (noise) {
    // Unrelated events at awkward times force the engine off its run-ahead path.
    const handler = { onEvent: () => undefined };
    for (let k = 0; k < 200; k++) rig.scheduler.schedule(k * 333.3, handler);
  }
  for (let k = 0; k < count; k++) rig.txPush(0, makeFrame(frameLen, undefined, k));
  rig.doorbell(0);
  rig.runIdle();
  return rig;
}

describe('line-rate serializer', () => {
  for (const [speed, ns64, ns1518] of TABLE) {
    it(`${speed}: 64 B frames every ${ns64} ns, 1518 B every ${ns1518} ns, exact`, () => {
      for (const [len, per] of [
        [60, ns64],
        [1514, ns1518],
      ] as const) {
        const count = len === 60 ? 1000 : 200;
        const rig = blast(speed, len, count);
        const frames = rig.peer.frames;
        expect(frames).toHaveLength(count);
        const bitsPerNs = speed === '1g' ? 1 : speed === '2.5g' ? 2.5 : 10;
        frames.forEach((f, k) => {
          expect(Math.abs(f.time - (k + 1) * per)).toBeLessThan(1e-6);
          expect(Math.abs(f.sfd - (k * per + 64 / bitsPerNs))).toBeLessThan(1e-6);
        });
        // No drift: the last frame ends exactly at count * per (integer bit count / rate).
        expect(frames[count - 1].time).toBe(Math.round(count * per * 10) / 10);
      }
    });
  }

  it('1000 x 64 B at 10G end at exactly 67200 ns', () => {
    const rig = blast('10g', 60, 1000);
    expect(rig.peer.frames[999].time).toBe(67200);
  });

  it('run-ahead and one-event-per-frame give identical wire times, timestamps and interrupts', () => {
    const fast = blast('10g', 60, 500, true);
    const slow = blast('10g', 60, 500, false);
    const noisy = blast('10g', 60, 500, true, true);
    const view = (rig: Rig) => ({
      sfd: rig.peer.frames.map((f) => f.sfd),
      time: rig.peer.frames.map((f) => f.time),
      ts: Array.from({ length: 500 }, (_, i) => rig.txDescriptor(0, i).lo),
      dd: Array.from({ length: 500 }, (_, i) => rig.txDescriptor(0, i).d3 & R.TXD_STA_DD),
      msix: rig.bus.msix,
    });
    expect(view(fast)).toEqual(view(slow));
    expect(view(noisy)).toEqual(view(slow));
    // Run-ahead really skips events: one event for the whole burst, not one per frame.
    expect(fast.scheduler.eventsRun).toBeLessThan(slow.scheduler.eventsRun / 10);
  });

  it('a new busy period starts at the doorbell time', () => {
    const rig = new Rig({ linkSpeed: '1g' }).startHw();
    rig.send(0, makeFrame(60));
    rig.run(5000);
    rig.send(0, makeFrame(60));
    rig.run(5000);
    expect(rig.peer.frames.map((f) => f.time)).toEqual([672, 5000 + 672]);
  });

  it('link speed change applies from the next frame', () => {
    const rig = new Rig({ linkSpeed: '10g' }).startHw();
    rig.nic.setLink(true, '1g');
    rig.send(0, makeFrame(60));
    rig.runIdle();
    expect(rig.peer.frames[0].time).toBe(672);
    expect(rig.read(R.STATUS) & R.STATUS_10G).toBe(0);
  });
});

/** 1.0 in the 14.14 fixed point of RTTBCNRC / TXQMIN rate factors. */
const ONE = R.RTTBCNRC_RF_ONE;

describe('run-ahead equivalence (property)', () => {
  it('random multi-queue traffic, modes, rate limits, floors and interfering events: identical with and without run-ahead', () => {
    const scenario = fc.record({
      mode: fc.integer({ min: 0, max: 3 }),
      limit: fc.constantFrom(0, 2 * ONE, 3 * ONE + 1000),
      eitr: fc.constantFrom(0, 1 << R.EITR_INTERVAL_SHIFT, 5 << R.EITR_INTERVAL_SHIFT),
      // TXQMIN per queue (0 = none), a rewrite of one of them mid-run, and (pure DRR) queue 3
      // left at quantum 0 so only its floor serves it (floor wake-ups).
      floors: fc.array(fc.constantFrom(0, 0, 2 * ONE, 16 * ONE, 3 * ONE + 1000), {
        minLength: 4,
        maxLength: 4,
      }),
      rewrite: fc.record({
        at: fc.integer({ min: 0, max: 30_000 }),
        q: fc.integer({ min: 0, max: 3 }),
        value: fc.constantFrom(0, 4 * ONE, ONE + 5000),
      }),
      drrZero: fc.boolean(),
      packets: fc.array(
        fc.record({
          q: fc.integer({ min: 0, max: 3 }),
          len: fc.integer({ min: 42, max: 1514 }),
          at: fc.integer({ min: 0, max: 20_000 }),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      noise: fc.array(fc.double({ min: 0, max: 30_000, noNaN: true }), { maxLength: 20 }),
    });
    type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
    const run = (s: Scenario, runAhead: boolean) => {
      const rig = new Rig({
        linkSpeed: '2.5g',
        txRingSize: 128,
        rxRingSize: 16,
        memorySize: 4 * 1024 * 1024,
      }).startHw();
      rig.nic.core.tx.runAhead = runAhead;
      rig.write(R.TQAVCTRL, R.TQAVCTRL_TRANSMIT_MODE);
      rig.write(R.TXSCHED, s.mode);
      const zero3 = s.mode === 2 && s.drrZero;
      [0, 1600, 3000, 0].forEach((qu, q) =>
        rig.write(R.TXQWRR(q), s.mode === 2 && !(zero3 && q === 3) ? qu || 1000 : qu),
      );
      const floors = s.floors.map((f, q) => (zero3 && q === 3 && f === 0 ? 16 * ONE : f));
      floors.forEach((f, q) => rig.write(R.TXQMIN(q), f === 0 ? 0 : R.TXQMIN_ENABLE | f));
      for (let v = 0; v < 5; v++) rig.write(R.EITR(v), s.eitr);
      rig.write(R.RTTDQSEL, 1);
      rig.write(R.RTTBCNRC, s.limit === 0 ? 0 : R.RTTBCNRC_RS_ENA | s.limit);
      for (let q = 0; q < 4; q++) rig.write(R.TXDCTL(q), R.TXDCTL_ENABLE | R.TXDCTL_TSWB);
      const quiet = { onEvent: () => undefined };
      const { at, q: rq, value } = s.rewrite;
      // Keep queue 3's floor when it is the only thing serving it.
      const keep = zero3 && rq === 3;
      const rewrite = { onEvent: () => rig.write(R.TXQMIN(rq), value === 0 ? 0 : R.TXQMIN_ENABLE | value) };
      if (!keep) rig.scheduler.schedule(at, rewrite);
      for (const t of s.noise) rig.scheduler.schedule(t, quiet);
      const sorted = [...s.packets].sort((a, b) => a.at - b.at);
      const push = {
        onEvent: (k: number) => {
          const p = sorted[k];
          rig.send(p.q, makeFrame(p.len, undefined, k));
        },
      };
      sorted.forEach((p, k) => rig.scheduler.schedule(p.at, push, k));
      rig.runIdle();
      return {
        frames: rig.peer.frames.map((f) => [f.queue, f.time, f.sfd, f.bytes.length]),
        msix: rig.bus.msix.map((m) => [m.vector, m.time]),
        tdh: [0, 1, 2, 3].map((q) => rig.read(R.TDH(q))),
        ts: [0, 1, 2, 3].map((q) =>
          Array.from({ length: rig.read(R.TDT(q)) }, (_, i) => rig.txDescriptor(q, i).lo),
        ),
      };
    };
    fc.assert(
      fc.property(scenario, (s) => {
        const a = run(s, true);
        expect(a.frames).toHaveLength(s.packets.length);
        expect(a).toEqual(run(s, false));
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});
