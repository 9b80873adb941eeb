import { describe, expect, it } from 'vitest';
import { Prng } from '../../driver-runtime/sim/prng.ts';
import { Pacer, type WallClock } from '../../driver-runtime/sim/pacer.ts';
import { Scheduler, type EventHandler } from '../../driver-runtime/sim/scheduler.ts';
import { MS } from '../../driver-runtime/sim/units.ts';

/** First five `nextU32()` of `new Prng(1)`, recorded 2026-11-27 from the implementation then in place. */
const GOLDEN_SEED_1 = [2442144158, 3238099751, 3819917871, 2104621829, 2021136066];

function take(p: Prng, n: number): number[] {
  return Array.from({ length: n }, () => p.nextU32());
}

describe('Prng', () => {
  it('is deterministic: the same seed gives the same sequence', () => {
    expect(take(new Prng(42), 100)).toEqual(take(new Prng(42), 100));
  });

  it('different seeds give different sequences', () => {
    expect(take(new Prng(1), 8)).not.toEqual(take(new Prng(2), 8));
    expect(take(new Prng(0), 8)).not.toEqual(take(new Prng(0x8000_0000), 8));
  });

  it('golden vector for seed 1 (guards the algorithm: runs are replayed from seeds)', () => {
    // Recorded once from xoshiro128** seeded by splitmix32 and kept. If this fails, the PRNG
    // changed and every recorded seed (scenarios, bug reports, bench baselines) now replays a
    // different run — change it only on purpose, and say so.
    expect(take(new Prng(1), 5)).toEqual(GOLDEN_SEED_1);
  });

  it('nextFloat is in [0, 1) and nextInt(n) in [0, n)', () => {
    const p = new Prng(7);
    for (let i = 0; i < 10_000; i++) {
      const f = p.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const k = p.nextInt(10);
      expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
    }
  });

  it('nextInt covers its range roughly uniformly', () => {
    const p = new Prng(99);
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 80_000; i++) counts[p.nextInt(8)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });

  it('fork is deterministic and independent of the parent stream', () => {
    const a = new Prng(5).fork(1);
    const b = new Prng(5).fork(1);
    expect(take(a, 10)).toEqual(take(b, 10));
    expect(take(new Prng(5).fork(1), 10)).not.toEqual(take(new Prng(5).fork(2), 10));
  });
});

/** A wall clock tests move by hand; timers fire only when `advance` passes them. */
class FakeClock implements WallClock {
  now = 1000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  nowMs(): number {
    return this.now;
  }
  setTimer(fn: () => void, delayMs: number): unknown {
    const t = { at: this.now + delayMs, fn, id: this.nextId++ };
    this.timers.push(t);
    return t.id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const t = this.timers[0];
      if (!t || t.at > end) break;
      this.timers.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = end;
  }
}

describe('Pacer', () => {
  it('runs virtual time in step with the wall clock, one tick per tickMs', () => {
    const s = new Scheduler();
    const clock = new FakeClock();
    const seen: number[] = [];
    const h: EventHandler = { onEvent: () => seen.push(s.now) };
    s.schedule(5 * MS, h);
    s.schedule(25 * MS, h);
    const pacer = new Pacer(s, clock, 10);
    pacer.start();
    expect(pacer.running).toBe(true);
    clock.advance(10);
    expect(s.now).toBe(10 * MS);
    expect(seen).toEqual([5 * MS]);
    clock.advance(20);
    expect(s.now).toBe(30 * MS);
    expect(seen).toEqual([5 * MS, 25 * MS]);
    pacer.stop();
    expect(pacer.running).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(100);
    expect(s.now).toBe(30 * MS);
  });

  it('speed scales virtual time', () => {
    const s = new Scheduler();
    const clock = new FakeClock();
    const pacer = new Pacer(s, clock, 10, 4);
    pacer.start();
    clock.advance(10);
    expect(s.now).toBe(40 * MS);
    pacer.stop();
  });

  it('caps one tick at maxCatchUpNs and reports the lag instead of hiding it', () => {
    const s = new Scheduler();
    const clock = new FakeClock();
    const pacer = new Pacer(s, clock, 10, 1, 50 * MS);
    pacer.start();
    pacer.stop();
    clock.now += 80; // a stall: 80 ms of wall time passed before the next tick
    pacer.tick();
    expect(s.now).toBe(50 * MS);
    expect(pacer.stats().lagNs).toBe(30 * MS);
    expect(pacer.stats().elapsedMs).toBe(80);
  });

  it('start twice does not double the timers', () => {
    const s = new Scheduler();
    const clock = new FakeClock();
    const pacer = new Pacer(s, clock, 10);
    pacer.start();
    pacer.start();
    expect(clock.pendingTimers).toBe(1);
    pacer.stop();
  });
});
