/**
 * CoDel against RFC 8289: the "ok to drop" test (sojourn ≥ target for a whole interval, more
 * than one MTU queued), the control law (drops at t0, t0 + I, t0 + I + I/√2, …), leaving the
 * dropping state, the §5.5 restart near the previous count, and per-slot independence.
 * Expected times are computed here from the RFC's formulas, not read back from the code.
 */
import { describe, expect, it } from 'vitest';
import { CoDel } from '../../driver-runtime/driver/codel.ts';

const MS = 1e6;
const US = 1e3;
const TARGET = 5 * MS;
const INTERVAL = 100 * MS;
const MTU = 1514;
/** A class-queue backlog well above one MTU. */
const BACKLOG = 64_000;
/** A sojourn well above target. */
const HIGH = 20 * MS;
/** Start the clock away from 0 (0 is CoDel's "not above target" sentinel). */
const T = 1000 * MS;

/** RFC 8289 drop times of one dropping episode that began with a drop at `t0` and count 1. */
function controlLawTimes(t0: number, drops: number, interval = INTERVAL, firstCount = 1): number[] {
  const times = [t0];
  let sum = 0;
  for (let k = 0; k < drops - 1; k++) {
    sum += 1 / Math.sqrt(firstCount + k);
    times.push(t0 + interval * sum);
  }
  return times;
}

/** Calls shouldDrop at every time in `times` for `slot`; returns the times that dropped. */
function run(c: CoDel, slot: number, times: number[], sojourn = HIGH, backlog = BACKLOG): number[] {
  const dropped: number[] = [];
  for (const t of times) if (c.shouldDrop(slot, sojourn, t, backlog)) dropped.push(t);
  return dropped;
}

function grid(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; from + i * step < to; i++) out.push(from + i * step);
  return out;
}

/** Drives `slot` into the dropping state: above target from `start`, first drop at start + I. */
function enterDropping(c: CoDel, slot: number, start: number): number {
  expect(c.shouldDrop(slot, HIGH, start, BACKLOG)).toBe(false);
  expect(c.shouldDrop(slot, HIGH, start + INTERVAL, BACKLOG)).toBe(true);
  expect(c.isDropping(slot)).toBe(true);
  return start + INTERVAL;
}

describe('CoDel: when it may drop (RFC 8289 §3.2, dodequeue)', () => {
  it('never drops while the sojourn stays below target, however long', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    expect(run(c, 0, grid(T, T + 10_000 * MS, 1 * MS), TARGET - 1)).toEqual([]);
    expect(c.isDropping(0)).toBe(false);
    expect(c.drops[0]).toBe(0);
  });

  it('does not drop when the sojourn was above target for less than one interval', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    expect(run(c, 0, grid(T, T + INTERVAL, 1 * MS))).toEqual([]);
    expect(c.shouldDrop(0, HIGH, T + INTERVAL - 1, BACKLOG)).toBe(false);
    expect(c.isDropping(0)).toBe(false);
  });

  it('drops the first packet once the sojourn has stayed above target for a full interval', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const dropped = run(c, 0, grid(T, T + 2 * INTERVAL, 1 * MS)).slice(0, 1);
    expect(dropped).toEqual([T + INTERVAL]);
    expect(c.drops[0]).toBeGreaterThanOrEqual(1);
  });

  it('a sojourn exactly at target counts as above it (good only when sojourn < target)', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    expect(c.shouldDrop(0, TARGET, T, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, TARGET, T + INTERVAL, BACKLOG)).toBe(true);
  });

  it('one packet below target restarts the interval', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    run(c, 0, grid(T, T + 90 * MS, 1 * MS));
    expect(c.shouldDrop(0, TARGET - 1, T + 95 * MS, BACKLOG)).toBe(false);
    // Above again from T + 96 ms: the clock starts anew, so T + I is no longer enough.
    expect(run(c, 0, grid(T + 96 * MS, T + 96 * MS + INTERVAL, 1 * MS))).toEqual([]);
    expect(c.shouldDrop(0, HIGH, T + 96 * MS + INTERVAL, BACKLOG)).toBe(true);
  });

  it('never drops while at most one MTU is queued (minBacklogBytes), whatever the sojourn', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    expect(c.minBacklogBytes).toBe(MTU);
    expect(run(c, 0, grid(T, T + 10_000 * MS, 1 * MS), 500 * MS, MTU)).toEqual([]);
    expect(c.isDropping(0)).toBe(false);
    // One byte more and the same sojourns do drop.
    const d = new CoDel(4, TARGET, INTERVAL);
    expect(run(d, 0, grid(T, T + 2 * INTERVAL, 1 * MS), 500 * MS, MTU + 1)).not.toEqual([]);
  });
});

describe('CoDel: the control law (RFC 8289 §5.4)', () => {
  it('drops at t0, t0 + I, t0 + I + I/√2, t0 + I + I/√2 + I/√3, … while above target', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const t0 = enterDropping(c, 0, T);
    const expected = controlLawTimes(t0, 25);
    // Literal check of the first few, so the helper itself is pinned down.
    expect(expected[1] - t0).toBeCloseTo(100 * MS, 3);
    expect(expected[2] - t0).toBeCloseTo((100 + 70.71067811865476) * MS, 3);
    expect(expected[3] - t0).toBeCloseTo((100 + 70.71067811865476 + 57.735026918962575) * MS, 3);
    // Packets leave every 0.25 ms, plus one just before and one just after each due time.
    const times = grid(t0 + 0.25 * MS, expected[24] + 10 * MS, 0.25 * MS);
    for (const e of expected.slice(1)) times.push(e - 1 * US, e + 1 * US);
    times.sort((a, b) => a - b);
    const dropped = run(c, 0, times);
    expect(dropped).toHaveLength(24);
    dropped.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(expected[i + 1] - 1e-3);
      expect(d).toBeLessThanOrEqual(expected[i + 1] + 1 * US);
    });
    expect(c.drops[0]).toBe(25);
    expect(c.isDropping(0)).toBe(true);
  });

  it('drops once per due time, not once per packet, however many packets leave', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const t0 = enterDropping(c, 0, T);
    // 10 000 packets in the first 50 ms after t0: the next drop is due at t0 + I.
    expect(run(c, 0, grid(t0 + 1, t0 + 50 * MS, 5 * US))).toEqual([]);
  });

  it('leaves the dropping state as soon as a packet is below target', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const t0 = enterDropping(c, 0, T);
    expect(c.shouldDrop(0, TARGET - 1, t0 + 3 * INTERVAL, BACKLOG)).toBe(false);
    expect(c.isDropping(0)).toBe(false);
    // Above target again, long past drop_next: not dropped before a new full interval.
    const back = t0 + 3 * INTERVAL + 1 * MS;
    expect(run(c, 0, grid(back, back + INTERVAL, 1 * MS))).toEqual([]);
    expect(c.shouldDrop(0, HIGH, back + INTERVAL, BACKLOG)).toBe(true);
  });

  it('leaves the dropping state when the backlog falls to one MTU', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const t0 = enterDropping(c, 0, T);
    expect(c.shouldDrop(0, HIGH, t0 + INTERVAL, MTU)).toBe(false);
    expect(c.isDropping(0)).toBe(false);
  });
});

describe('CoDel: restarting near the previous drop rate (RFC 8289 §5.5)', () => {
  /** One episode of `drops` drops from T; leaves it 1 ms after the last. Returns drop_next then. */
  function episode(c: CoDel, drops: number): { lastDrop: number; dropNext: number } {
    const t0 = enterDropping(c, 0, T);
    const times = controlLawTimes(t0, drops);
    for (const e of times.slice(1)) expect(c.shouldDrop(0, HIGH, e + 1 * US, BACKLOG)).toBe(true);
    const lastDrop = times[drops - 1] + 1 * US;
    expect(c.shouldDrop(0, 0, lastDrop + 1 * MS, BACKLOG)).toBe(false);
    expect(c.isDropping(0)).toBe(false);
    // After the drop with count = drops, drop_next = last + I/√drops (RFC control_law).
    return { lastDrop, dropNext: times[drops - 1] + INTERVAL / Math.sqrt(drops) };
  }

  it('re-entering within 16 intervals resumes with count = previous count − previous lastcount', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    // Episode 1: entered with count 1, five drops → count 5, lastcount 1 → delta 4.
    const { lastDrop } = episode(c, 5);
    const again = lastDrop + 10 * MS;
    const t1 = enterDropping(c, 0, again);
    // count = 4: the next drops come at t1 + I/√4, then + I/√5, + I/√6.
    const expected = controlLawTimes(t1, 4, INTERVAL, 4);
    expect(expected[1] - t1).toBeCloseTo(INTERVAL / 2, 3);
    expect(c.shouldDrop(0, HIGH, expected[1] - 1 * US, BACKLOG)).toBe(false);
    for (const e of expected.slice(1)) {
      expect(c.shouldDrop(0, HIGH, e - 1 * US, BACKLOG)).toBe(false);
      expect(c.shouldDrop(0, HIGH, e + 1 * US, BACKLOG)).toBe(true);
    }
  });

  it('re-entering more than 16 intervals after drop_next starts again at count 1', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const { dropNext } = episode(c, 5);
    const again = dropNext + 16 * INTERVAL;
    const t1 = enterDropping(c, 0, again - INTERVAL + 1);
    expect(t1 - dropNext).toBeGreaterThan(16 * INTERVAL);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL / 2 + 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL - 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL + 1 * US, BACKLOG)).toBe(true);
  });

  it('re-entering 15.5 intervals after drop_next still resumes (the bound is 16 intervals)', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const { dropNext } = episode(c, 5);
    const t1 = enterDropping(c, 0, dropNext + 15.5 * INTERVAL - INTERVAL);
    expect(t1 - dropNext).toBe(15.5 * INTERVAL);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL / 2 - 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL / 2 + 1 * US, BACKLOG)).toBe(true);
  });

  it('an episode of three drops (delta 2) resumes at count 2: next drop after I/√2', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const { lastDrop } = episode(c, 3); // count 3, lastcount 1
    const t1 = enterDropping(c, 0, lastDrop + 10 * MS);
    const next = t1 + INTERVAL / Math.SQRT2;
    expect(c.shouldDrop(0, HIGH, next - 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, next + 1 * US, BACKLOG)).toBe(true);
  });

  it('an episode of two drops (delta 1) restarts at count 1', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    const { lastDrop } = episode(c, 2); // count 2, lastcount 1: delta 1
    const t1 = enterDropping(c, 0, lastDrop + 10 * MS);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL - 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, t1 + INTERVAL + 1 * US, BACKLOG)).toBe(true);
  });
});

describe('CoDel: one control law per app slot', () => {
  const bulkTimes = grid(T, T + 2000 * MS, 1 * MS);

  it("a sparse slot's short sojourns do not reset a bulk slot's state (the per-app fix)", () => {
    const alone = new CoDel(4, TARGET, INTERVAL);
    const expected = run(alone, 0, bulkTimes);
    expect(expected.length).toBeGreaterThan(5);

    const shared = new CoDel(4, TARGET, INTERVAL);
    const dropped: number[] = [];
    for (const t of bulkTimes) {
      if (shared.shouldDrop(0, HIGH, t, BACKLOG)) dropped.push(t);
      // The sparse app's packet leaves right after, having waited almost nothing.
      expect(shared.shouldDrop(1, 10 * US, t + 1, BACKLOG)).toBe(false);
    }
    expect(dropped).toEqual(expected);
    expect(shared.isDropping(0)).toBe(true);
    expect(shared.isDropping(1)).toBe(false);
    expect(shared.drops[0]).toBe(expected.length);
    expect(shared.drops[1]).toBe(0);
  });

  it("a bulk slot's dropping state does not make another slot's first late packet drop", () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    run(c, 2, bulkTimes);
    expect(c.isDropping(2)).toBe(true);
    const end = bulkTimes[bulkTimes.length - 1];
    expect(c.shouldDrop(3, HIGH, end + 1, BACKLOG)).toBe(false);
    expect(c.shouldDrop(3, HIGH, end + INTERVAL, BACKLOG)).toBe(false);
    expect(c.shouldDrop(3, HIGH, end + 1 + INTERVAL, BACKLOG)).toBe(true);
  });
});

describe('CoDel.reset', () => {
  it('forgets every slot: not dropping, no interval under way, count back to 1', () => {
    const c = new CoDel(4, TARGET, INTERVAL);
    for (let slot = 0; slot < 4; slot++) run(c, slot, grid(T, T + 600 * MS, 1 * MS));
    for (let slot = 0; slot < 4; slot++) expect(c.isDropping(slot)).toBe(true);
    const counted = Array.from(c.drops);
    c.reset();
    for (let slot = 0; slot < 4; slot++) expect(c.isDropping(slot)).toBe(false);
    // The first above-target packet after reset starts an interval; it does not drop.
    const now = T + 600 * MS;
    expect(c.shouldDrop(1, HIGH, now, BACKLOG)).toBe(false);
    // Within 16 intervals of the old drop_next, but the old count is gone: count 1, next at +I.
    expect(c.shouldDrop(1, HIGH, now + INTERVAL, BACKLOG)).toBe(true);
    expect(c.shouldDrop(1, HIGH, now + INTERVAL + INTERVAL / 2, BACKLOG)).toBe(false);
    expect(c.shouldDrop(1, HIGH, now + 2 * INTERVAL - 1 * US, BACKLOG)).toBe(false);
    expect(c.shouldDrop(1, HIGH, now + 2 * INTERVAL, BACKLOG)).toBe(true);
    // The per-slot drop tally is a statistic, kept across reset like the driver's counters.
    expect(c.drops[0]).toBe(counted[0]);
    expect(c.drops[1]).toBe(counted[1] + 2);
  });

  it('forgets the count even early in a run, when drop_next = 0 is within 16 intervals', () => {
    // Interface enable 0.7 s into the run: `now − drop_next` is under 16 intervals, so only a
    // cleared count keeps the §5.5 restart from resuming the old rate.
    const c = new CoDel(1, TARGET, INTERVAL);
    run(c, 0, grid(1 * MS, 700 * MS, 1 * MS));
    expect(c.drops[0]).toBeGreaterThan(5);
    c.reset();
    const now = 700 * MS;
    expect(c.shouldDrop(0, HIGH, now, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, now + INTERVAL, BACKLOG)).toBe(true);
    expect(c.shouldDrop(0, HIGH, now + INTERVAL + INTERVAL / 2, BACKLOG)).toBe(false);
    expect(c.shouldDrop(0, HIGH, now + 2 * INTERVAL, BACKLOG)).toBe(true);
  });
});
