/**
 * AppShaper: per-app token buckets in frame bytes + FCS, hold rings of 1024, release in order
 * at the time nextReleaseNs announces. Most tests use a cap of 8e9/1024 bit/s, i.e. exactly
 * 2^-10 bytes per ns, so every expected time below is an exact integer.
 */
import { describe, expect, it } from 'vitest';
import { AppShaper } from '../../driver-runtime/driver/app-shaper.ts';

/** 1 byte every 1024 ns. */
const CAP = 8e9 / 1024;
const NS_PER_BYTE = 1024;
const FCS = 4;
const HOLD = 1024;

function shaper(caps: Record<number, [bps: number, burst: number]>, now = 0, apps = 8): AppShaper {
  const s = new AppShaper();
  const bps = new Float64Array(apps);
  const burst = new Float64Array(apps);
  for (const [app, [b, d]] of Object.entries(caps)) {
    bps[Number(app)] = b;
    burst[Number(app)] = d;
  }
  s.configure(bps, burst, now);
  return s;
}

function released(s: AppShaper, now: number): [number, number][] {
  const out: [number, number][] = [];
  s.release(now, (h, app) => out.push([h, app]));
  return out;
}

describe('AppShaper: verdicts and token accrual', () => {
  it('only capped apps are capped', () => {
    const s = shaper({ 2: [CAP, 3036] });
    expect(s.isCapped(2)).toBe(true);
    expect(s.isCapped(1)).toBe(false);
    expect(s.isCapped(99)).toBe(false);
  });

  it('starts with a full burst, counts frame bytes + FCS, then holds', () => {
    const s = shaper({ 1: [CAP, 2 * (1514 + FCS)] });
    expect(s.offer(1, 10, 1514, 0)).toBe('send');
    expect(s.offer(1, 11, 1514, 0)).toBe('send');
    // The bucket is empty now, even for a minimum frame.
    expect(s.offer(1, 12, 60, 0)).toBe('held');
    expect(s.shapedPackets[1]).toBe(1);
    expect(s.heldCount()).toBe(1);
  });

  it('accrues tokens at the cap rate: one 60-byte frame (64 with FCS) every 64 × 1024 ns', () => {
    const s = shaper({ 1: [CAP, 64] });
    expect(s.offer(1, 0, 60, 0)).toBe('send');
    expect(s.offer(1, 1, 60, 64 * NS_PER_BYTE - 1)).toBe('held');
    expect(released(s, 64 * NS_PER_BYTE - 1)).toEqual([]);
    expect(released(s, 64 * NS_PER_BYTE)).toEqual([[1, 1]]);
    // Without FCS in the cost, 60 bytes would have been there 4 × 1024 ns earlier.
    const t = shaper({ 1: [CAP, 64] });
    t.offer(1, 0, 60, 0);
    expect(t.offer(1, 1, 60, 60 * NS_PER_BYTE)).toBe('held');
    expect(t.offer(1, 2, 60, 100 * NS_PER_BYTE)).toBe('held'); // behind the held one
  });

  it('never stores more than the burst, however long the app was idle', () => {
    const burst = 10_000;
    const s = shaper({ 1: [CAP, burst] });
    let sent = 0;
    let h = 0;
    while (s.offer(1, h++, 1514, 1e12) === 'send') sent++;
    expect(sent).toBe(Math.floor(burst / (1514 + FCS))); // 6: 9108 bytes
    // The 1518 - (10000 - 9108) = 626 bytes missing take 626 × 1024 ns.
    expect(s.nextReleaseNs(1e12)).toBe(1e12 + 626 * NS_PER_BYTE);
  });

  it('a small packet behind a held one is held too (order within an app)', () => {
    const s = shaper({ 1: [CAP, 1518 + 200] });
    expect(s.offer(1, 1, 1514, 0)).toBe('send');
    expect(s.offer(1, 2, 1514, 0)).toBe('held');
    // 200 tokens are there, enough for a 60-byte frame, but it must wait its turn.
    expect(s.offer(1, 3, 60, 0)).toBe('held');
    expect(released(s, 1318 * NS_PER_BYTE)).toEqual([[2, 1]]);
    expect(released(s, 1318 * NS_PER_BYTE + 63 * NS_PER_BYTE)).toEqual([]);
    expect(released(s, 1318 * NS_PER_BYTE + 64 * NS_PER_BYTE)).toEqual([[3, 1]]);
  });

  it(`holds up to ${HOLD} packets per app, then drops and counts`, () => {
    const s = shaper({ 1: [CAP, 64], 2: [CAP, 64] });
    s.offer(1, 0, 60, 0);
    for (let i = 1; i <= HOLD; i++) expect(s.offer(1, i, 60, 0)).toBe('held');
    expect(s.offer(1, HOLD + 1, 60, 0)).toBe('dropped');
    expect(s.offer(1, HOLD + 2, 60, 0)).toBe('dropped');
    expect(s.dropped[1]).toBe(2);
    expect(s.shapedPackets[1]).toBe(HOLD);
    expect(s.heldCount()).toBe(HOLD);
    // Another app's ring is its own.
    expect(s.offer(2, 5000, 60, 0)).toBe('send');
    expect(s.offer(2, 5001, 60, 0)).toBe('held');
    expect(s.dropped[2]).toBe(0);
    // One released makes room for exactly one more.
    expect(released(s, 64 * NS_PER_BYTE)).toEqual([
      [1, 1],
      [5001, 2],
    ]);
    expect(s.offer(1, 9000, 60, 64 * NS_PER_BYTE)).toBe('held');
    expect(s.offer(1, 9001, 60, 64 * NS_PER_BYTE)).toBe('dropped');
  });
});

describe('AppShaper: release', () => {
  it('releases held packets in order as their tokens accrue, with their app', () => {
    const s = shaper({ 3: [CAP, 1518] });
    s.offer(3, 100, 1514, 0);
    const lengths = [1514, 60, 700, 1514, 64, 1000];
    lengths.forEach((len, i) => expect(s.offer(3, 200 + i, len, 0)).toBe('held'));
    let now = 0;
    const order: number[] = [];
    for (const len of lengths) {
      now += (len + FCS) * NS_PER_BYTE;
      expect(released(s, now - 1)).toEqual([]);
      const r = released(s, now);
      expect(r).toHaveLength(1);
      expect(r[0][1]).toBe(3);
      order.push(r[0][0]);
    }
    expect(order).toEqual([200, 201, 202, 203, 204, 205]);
    expect(s.heldCount()).toBe(0);
  });

  it('one late release sends every packet that conforms by then, in order', () => {
    const s = shaper({ 1: [CAP, 64 * 10] });
    for (let i = 0; i < 10; i++) s.offer(1, i, 60, 0);
    for (let i = 10; i < 15; i++) expect(s.offer(1, i, 60, 0)).toBe('held');
    expect(released(s, 3 * 64 * NS_PER_BYTE + 5).map(([h]) => h)).toEqual([10, 11, 12]);
  });

  it('nextReleaseNs is exactly when the head packet conforms (exact-rate cap)', () => {
    const s = shaper({ 1: [CAP, 1518], 2: [CAP * 4, 1518] }, 5000);
    s.offer(1, 1, 1514, 5000);
    s.offer(2, 2, 1514, 5000);
    const pending = [
      [1, 11, 900],
      [2, 21, 1514],
      [1, 12, 60],
      [2, 22, 333],
      [1, 13, 1514],
    ];
    for (const [app, h, len] of pending) expect(s.offer(app, h, len, 5000)).toBe('held');
    let now = 5000;
    const seen: number[] = [];
    while (s.heldCount() > 0) {
      const at = s.nextReleaseNs(now);
      expect(at).toBeGreaterThan(now);
      expect(Number.isInteger(at)).toBe(true);
      expect(released(s, at - 1)).toEqual([]);
      expect(s.nextReleaseNs(at - 1)).toBe(at);
      const r = released(s, at);
      expect(r.length).toBeGreaterThanOrEqual(1);
      seen.push(...r.map(([h]) => h));
      now = at;
    }
    // App 2 runs four times faster: 1518 B take 1518 × 256 ns, 337 B then 337 × 256 ns.
    expect(seen).toEqual([21, 22, 11, 12, 13]);
    expect(s.nextReleaseNs(now)).toBe(Infinity);
  });

  it('nextReleaseNs does not depend on when it is asked', () => {
    const s = shaper({ 1: [CAP, 64] });
    s.offer(1, 0, 60, 0);
    s.offer(1, 1, 60, 1000);
    expect(s.nextReleaseNs(1000)).toBe(64 * NS_PER_BYTE);
    expect(s.nextReleaseNs(5000)).toBe(64 * NS_PER_BYTE);
    expect(s.nextReleaseNs(64 * NS_PER_BYTE - 1)).toBe(64 * NS_PER_BYTE);
  });

  it('nextReleaseNs is Infinity with nothing held and now when an uncapped app still holds', () => {
    const s = shaper({ 1: [CAP, 64] });
    expect(s.nextReleaseNs(123)).toBe(Infinity);
    s.offer(1, 0, 60, 0);
    s.offer(1, 1, 60, 0);
    s.configure(new Float64Array(8), new Float64Array(8), 10);
    expect(s.nextReleaseNs(10)).toBe(10);
  });

  it('removing a cap releases everything it held, in order, at once', () => {
    const s = shaper({ 1: [CAP, 1518], 2: [CAP, 1518] });
    s.offer(1, 0, 1514, 0);
    s.offer(2, 50, 1514, 0);
    for (let i = 1; i <= 300; i++) s.offer(1, i, 1514, 0);
    s.offer(2, 51, 1514, 0);
    // Remove app 1's cap only.
    s.configure(Float64Array.of(0, 0, CAP), Float64Array.of(0, 0, 1518), 10);
    expect(s.isCapped(1)).toBe(false);
    expect(s.isCapped(2)).toBe(true);
    const r = released(s, 10);
    expect(r).toEqual(Array.from({ length: 300 }, (_, i) => [i + 1, 1]));
    expect(s.heldCount()).toBe(1); // app 2's packet still waits for its tokens
  });

  it('configure keeps the tokens of an app whose cap is unchanged', () => {
    const s = shaper({ 1: [CAP, 3036] });
    s.offer(1, 0, 1514, 0);
    s.offer(1, 1, 1514, 0);
    s.configure(Float64Array.of(0, CAP), Float64Array.of(0, 3036), 100);
    expect(s.offer(1, 2, 60, 100)).toBe('held');
    // A changed cap starts from a full burst.
    s.configure(Float64Array.of(0, CAP * 2), Float64Array.of(0, 3036), 200);
    expect(s.nextReleaseNs(200)).toBe(200);
  });

  it('drain takes back every held packet of every app, in order, and forgets them', () => {
    const s = shaper({ 1: [CAP, 64], 4: [CAP, 64] });
    s.offer(1, 0, 60, 0);
    s.offer(4, 100, 60, 0);
    for (let i = 1; i <= 5; i++) s.offer(1, i, 60, 0);
    for (let i = 101; i <= 103; i++) s.offer(4, i, 60, 0);
    const taken: number[] = [];
    s.drain((h) => taken.push(h));
    expect(taken).toEqual([1, 2, 3, 4, 5, 101, 102, 103]);
    expect(s.heldCount()).toBe(0);
    expect(s.nextReleaseNs(0)).toBe(Infinity);
    expect(released(s, 1e12)).toEqual([]);
    // The rings are reusable afterwards, order kept.
    expect(s.offer(1, 7, 60, 1e12)).toBe('send');
    expect(s.offer(1, 8, 60, 1e12)).toBe('held');
  });
});

describe('AppShaper: cases that used to hang or be ignored', () => {
  /**
   * Was a bug (app-shaper.ts nextReleaseNs vs refill): the release time is computed in floating
   * point as lastRefill + need / rate, but at that time refill() accrues
   * (now - lastRefill) × rate, which can come out a few ulps short of `need`. The packet is
   * then not released, and nextReleaseNs(now) returns the same `now` again (the missing
   * tokens are below one ulp of the time): TxPath.releaseShaped re-arms its timer at the same
   * virtual time forever. A cap of 3 or 7.3 Mbit/s hangs the whole simulation this way.
   */
  it('releases the head packet at the time nextReleaseNs announced, for any cap rate', () => {
    for (const bps of [3e6, 7.3e6, 123456, 999999, 2345678]) {
      const s = shaper({ 1: [bps, 1518] }, 1000);
      expect(s.offer(1, 0, 1514, 1000)).toBe('send');
      let h = 1;
      for (const len of [1514, 100, 777, 64, 1400, 60, 1514]) expect(s.offer(1, h++, len, 1000)).toBe('held');
      let now = 1000;
      while (s.heldCount() > 0) {
        const at = s.nextReleaseNs(now);
        expect(at).toBeGreaterThan(now);
        expect(released(s, at).length).toBeGreaterThanOrEqual(1);
        now = at;
      }
    }
  });

  /**
   * Was a bug (app-shaper.ts offer/release): a frame whose cost (length + FCS) exceeds the app's
   * burst can never conform, since refill() clamps tokens to the burst. It is held forever
   * and nextReleaseNs keeps announcing a time at which nothing is released (the same livelock
   * as above). Reachable with a jumbo MTU: rules allow burstBytes down to 3044 while the MTU
   * may go up to bufferSize − 22.
   */
  it('a frame larger than the burst still goes out once the bucket is full', () => {
    const s = shaper({ 1: [CAP, 3044] });
    expect(s.offer(1, 0, 1514, 0)).toBe('send');
    expect(s.offer(1, 1, 4000, 0)).toBe('held');
    expect(released(s, 1e9).map(([h]) => h)).toEqual([1]);
  });

  /**
   * Was a bug (app-shaper.ts configure): the burst is only taken when the rate changes
   * (`if (rate === this.capBytesPerNs[app]) continue;`), so a settings table that changes
   * an app's burstBytes alone is silently ignored while the statistics show the new one.
   */
  it('a new burst with the same rate takes effect', () => {
    const s = shaper({ 1: [CAP, 3036] });
    s.configure(Float64Array.of(0, CAP), Float64Array.of(0, 10_000), 0);
    let sent = 0;
    let h = 0;
    while (s.offer(1, h++, 1514, 1e12) === 'send') sent++;
    expect(sent).toBe(6);
  });
});
