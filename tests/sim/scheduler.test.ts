import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NO_EVENT, Scheduler, type EventHandler } from '../../driver-runtime/sim/scheduler.ts';

/** Records (arg, the scheduler's now) of every event it receives. */
class Recorder implements EventHandler {
  readonly seen: { arg: number; now: number }[] = [];
  constructor(private readonly scheduler: Scheduler) {}
  onEvent(arg: number): void {
    this.seen.push({ arg, now: this.scheduler.now });
  }
}

describe('Scheduler', () => {
  it('runs events by time, and events at the same time in scheduling order', () => {
    const s = new Scheduler();
    const r = new Recorder(s);
    s.schedule(30, r, 1);
    s.schedule(10, r, 2);
    s.schedule(30, r, 3);
    s.schedule(10, r, 4);
    s.schedule(20, r, 5);
    s.runUntilIdle();
    expect(r.seen.map((e) => e.arg)).toEqual([2, 4, 5, 1, 3]);
    expect(r.seen.map((e) => e.now)).toEqual([10, 10, 20, 30, 30]);
  });

  it('property: execution order equals a stable sort by time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const s = new Scheduler(8);
        const r = new Recorder(s);
        times.forEach((t, i) => s.schedule(t, r, i));
        s.runUntilIdle();
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(r.seen.map((e) => e.arg)).toEqual(expected.map((e) => e.i));
        expect(r.seen.map((e) => e.now)).toEqual(expected.map((e) => e.t));
      }),
    );
  });

  it('property: cancelling a subset removes exactly those events and keeps the order of the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }),
        (items) => {
          const s = new Scheduler(4);
          const r = new Recorder(s);
          const ids = items.map(([t], i) => s.schedule(t, r, i));
          items.forEach(([, cancel], i) => {
            if (cancel) expect(s.cancel(ids[i])).toBe(true);
          });
          s.runUntilIdle();
          const expected = items
            .map(([t, cancel], i) => ({ t, cancel, i }))
            .filter((e) => !e.cancel)
            .sort((a, b) => a.t - b.t || a.i - b.i)
            .map((e) => e.i);
          expect(r.seen.map((e) => e.arg)).toEqual(expected);
        },
      ),
    );
  });

  it('events scheduled from a handler for "now" run after those already due at that time', () => {
    const s = new Scheduler();
    const order: string[] = [];
    const late: EventHandler = { onEvent: () => order.push('spawned') };
    s.schedule(5, { onEvent: () => (order.push('a'), s.schedule(5, late)) });
    s.schedule(5, { onEvent: () => order.push('b') });
    s.runUntilIdle();
    expect(order).toEqual(['a', 'b', 'spawned']);
  });

  it('scheduling in the past clamps to now', () => {
    const s = new Scheduler();
    const r = new Recorder(s);
    s.runUntil(100);
    s.schedule(40, r, 1);
    s.runUntilIdle();
    expect(r.seen).toEqual([{ arg: 1, now: 100 }]);
  });

  it('cancel: pending → true once; run, stale or NO_EVENT ids → false and harmless', () => {
    const s = new Scheduler(2);
    const r = new Recorder(s);
    const a = s.schedule(10, r, 1);
    expect(s.cancel(a)).toBe(true);
    expect(s.cancel(a)).toBe(false);
    expect(s.pending).toBe(0);
    const b = s.schedule(10, r, 2);
    s.runUntilIdle();
    expect(s.cancel(b)).toBe(false);
    // The slot of `a`/`b` is reused; their old ids must not cancel the new event.
    const c = s.schedule(20, r, 3);
    expect(s.cancel(a)).toBe(false);
    expect(s.cancel(b)).toBe(false);
    expect(s.cancel(NO_EVENT)).toBe(false);
    expect(s.cancel(0x7fffff)).toBe(false);
    s.runUntilIdle();
    expect(r.seen.map((e) => e.arg)).toEqual([2, 3]);
    expect(s.cancel(c)).toBe(false);
  });

  it('runAhead moves time strictly before the next event and never past the run horizon', () => {
    const s = new Scheduler();
    const r = new Recorder(s);
    s.schedule(100, r, 1);
    s.runAheadTarget = 60;
    expect(s.runAhead()).toBe(true);
    expect(s.now).toBe(60);
    s.runAheadTarget = 100; // the event itself must run first
    expect(s.runAhead()).toBe(false);
    s.runAheadTarget = 50; // the past: nothing to do
    expect(s.runAhead()).toBe(true);
    expect(s.now).toBe(60);
    s.runUntilIdle();
    s.runAheadTarget = 1e9; // nothing pending: free to go
    expect(s.runAhead()).toBe(true);
    expect(s.now).toBe(1e9);
    // Inside a run, the run's end bounds run-ahead even with no event pending.
    const probe = { onEvent: () => ((s.runAheadTarget = 2e9 + 10), (ahead = s.runAhead())) };
    let ahead = true;
    s.schedule(1.5e9, probe, 0);
    s.runUntil(2e9);
    expect(ahead).toBe(false);
    expect(s.now).toBe(2e9);
  });

  it('runUntil runs events up to and including `until`, then sets now to it', () => {
    const s = new Scheduler();
    const r = new Recorder(s);
    s.schedule(10, r, 1);
    s.schedule(20, r, 2);
    s.schedule(21, r, 3);
    expect(s.runUntil(20)).toBe(2);
    expect(s.now).toBe(20);
    expect(s.pending).toBe(1);
    expect(s.runUntil(15)).toBe(0);
    expect(s.now).toBe(20);
    s.runUntilIdle();
    expect(s.now).toBe(21);
    s.runUntil(500);
    expect(s.now).toBe(500);
  });

  it('stop() makes the run loop return after the current event', () => {
    const s = new Scheduler();
    const r = new Recorder(s);
    s.schedule(1, { onEvent: () => s.stop() });
    s.schedule(2, r, 2);
    expect(s.runUntil(10)).toBe(1);
    expect(s.now).toBe(1);
    s.runUntil(10);
    expect(r.seen.map((e) => e.arg)).toEqual([2]);
  });

  it('grows beyond its initial capacity without losing or reordering events', () => {
    const s = new Scheduler(4);
    const r = new Recorder(s);
    const n = 1000;
    for (let i = 0; i < n; i++) s.schedule(n - i, r, i);
    expect(s.pending).toBe(n);
    expect(s.nextEventTime()).toBe(1);
    s.runUntilIdle();
    expect(r.seen.map((e) => e.arg)).toEqual(Array.from({ length: n }, (_, k) => n - 1 - k));
    expect(s.eventsRun).toBe(n);
  });

  it('ids stay exact and cancellable after a slot has been reused very many times', () => {
    // A timer re-armed every event reuses the same slot (free slots are a stack), so a long
    // run pushes one slot's generation high. Ids are generation × 2^24 + slot in a double:
    // past 2^53 the slot bits would be rounded away and cancel() would miss (a re-armed
    // timer would then fire twice). White-box: jump the generation instead of running 5e8 events.
    const s = new Scheduler(1);
    const generation = (s as unknown as { generation: Uint32Array }).generation;
    generation[0] = 2 ** 29 - 2;
    const r = new Recorder(s);
    for (let k = 0; k < 4; k++) {
      const id = s.schedule(10, r, k);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(s.cancel(id)).toBe(true);
    }
    s.runUntilIdle();
    expect(r.seen).toEqual([]);
  });

  it('nextEventTime is Infinity when idle', () => {
    const s = new Scheduler();
    expect(s.nextEventTime()).toBe(Infinity);
  });
});
