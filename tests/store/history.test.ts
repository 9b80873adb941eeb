/**
 * Traffic history: rollups keep totals and honest min/max, queries choose a resolution and
 * stay within their point budget, the newest part of a range is read from the finer tables,
 * and pruning removes only what is old and rolled up, in small batches.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../main/store/store.ts';
import { storeFixture, identity, type Fixture } from './support/store-fixture.ts';

let f: Fixture;
let store: Store;
afterEach(() => {
  store?.close();
  f?.cleanup();
});

const T0 = Date.UTC(2026, 11, 3, 0, 0, 0);

/** Records `seconds` seconds of traffic for the given apps, rates from `rate(app, second)`. */
function recordSeconds(apps: number[], seconds: number, rate: (app: number, s: number) => number): number {
  let sent = 0;
  for (let i = 0; i < seconds; i++) {
    f.clock.ms += 1000;
    const second = Math.floor(f.clock.ms / 1000);
    const samples = apps
      .map((appId) => ({
        appId,
        txBytes: rate(appId, second),
        rxBytes: 7,
        txPackets: 1,
        rxPackets: 1,
        drops: 0,
      }))
      .filter((s) => s.txBytes > 0);
    sent += samples.reduce((n, s) => n + s.txBytes, 0);
    if (samples.length > 0) store.record(second, samples);
  }
  return sent;
}

function setup(): number[] {
  f = storeFixture(T0);
  store = f.open();
  return [identity('FaceTime', 'com.apple.FaceTime'), identity('Backup', 'com.apple.backupd')].map((i) =>
    store.appId(i),
  );
}

describe('rollups', () => {
  it('minute and hour rows carry the totals and the min and max of the 1-second rates', () => {
    const [ft] = setup();
    // 2 h of a rate that is 1000 B/s, except 5000 B/s in second 30 of each minute.
    recordSeconds([ft], 7200, (_a, s) => (s % 60 === 30 ? 5000 : 1000));
    const minutes = store.db.prepare('SELECT * FROM samples_1m WHERE app_id = ? ORDER BY t').all(ft) as {
      t: number;
      seconds: number;
      tx_bytes: number;
      tx_min: number;
      tx_max: number;
    }[];
    const full = minutes.filter((m) => m.seconds === 60);
    expect(full.length).toBeGreaterThanOrEqual(118);
    for (const m of full) expect([m.tx_bytes, m.tx_min, m.tx_max]).toEqual([59 * 1000 + 5000, 1000, 5000]);
    const hours = store.db.prepare('SELECT * FROM samples_1h WHERE app_id = ?').all(ft) as {
      seconds: number;
      tx_bytes: number;
      tx_max: number;
      tx_min: number;
    }[];
    expect(hours).toHaveLength(2); // 00:00 (from its second second on) and 01:00
    expect(hours[1]).toMatchObject({
      seconds: 3600,
      tx_bytes: 60 * (59 * 1000 + 5000),
      tx_min: 1000,
      tx_max: 5000,
    });
  });

  it('idle seconds make a bucket minimum 0, never the smallest busy second', () => {
    const [ft] = setup();
    recordSeconds([ft], 180, (_a, s) => (s % 2 === 0 ? 2000 : 0)); // every other second idle
    store.history.drain();
    const m = store.db
      .prepare('SELECT tx_min, tx_max, seconds FROM samples_1m WHERE app_id = ? AND t = ?')
      .get(ft, Math.floor(T0 / 1000) + 60);
    expect(m).toEqual({ tx_min: 0, tx_max: 2000, seconds: 30 });
  });
});

describe('rollups across restarts', () => {
  it('restarting mid-minute and mid-hour gives the same minute and hour rows as one run', () => {
    const rate = (a: number, s: number) => ((s * 7919 + a * 31) % 3000) * (s % 5 === 0 ? 0 : 1);
    const run = (restartsAt: number[]) => {
      f = storeFixture(T0);
      store = f.open();
      const ids = [identity('A', 'com.a'), identity('B', 'com.b')].map((i) => store.appId(i));
      for (let i = 0; i < 3 * 3600 + 100; i++) {
        if (restartsAt.includes(i)) {
          store.close();
          store = f.open();
        }
        f.clock.ms += 1000;
        const second = Math.floor(f.clock.ms / 1000);
        const samples = ids
          .map((appId) => ({
            appId,
            txBytes: rate(appId, second),
            rxBytes: 1,
            txPackets: 1,
            rxPackets: 1,
            drops: 0,
          }))
          .filter((x) => x.txBytes > 0);
        if (samples.length) store.record(second, samples);
      }
      store.close(); // writes the minutes still in memory
      store = f.open();
      const dump = (t: string) => store.db.prepare(`SELECT * FROM ${t} ORDER BY app_id, t`).all();
      const tables = { m: dump('samples_1m'), h: dump('samples_1h') };
      store.close();
      f.cleanup();
      return tables;
    };
    const reference = run([]);
    expect(reference.h.length).toBe(2 * 3); // hours 00, 01, 02 for two apps
    expect(run([37, 3599, 3600, 5431, 7200 + 61])).toEqual(reference);
  });
});

describe('queries', () => {
  it('choose the finest resolution that covers the range and keeps the rows bounded', () => {
    setup();
    const now = Math.floor(f.clock.ms / 1000);
    expect(store.query.resolutionFor(now - 3600, now, 1500)).toBe(1);
    expect(store.query.resolutionFor(now - 86_400, now, 1500)).toBe(60);
    expect(store.query.resolutionFor(now - 7 * 86_400, now, 1500)).toBe(60);
    expect(store.query.resolutionFor(now - 30 * 86_400, now, 1500)).toBe(3600);
    expect(store.query.resolutionFor(now - 2 * 3600, now, 1500)).toBe(60); // older than the 1 s window
  });

  it('return at most maxPoints, and the mean over a range is its bytes over its length', () => {
    const [ft, backup] = setup();
    const sent = recordSeconds([ft, backup], 2 * 3600 + 1234, (a, s) => (a === ft ? 1000 + (s % 7) : 50_000));
    const to = Math.floor(f.clock.ms / 1000) + 1;
    const from = Math.floor(T0 / 1000);
    for (const maxPoints of [10, 100, 1500]) {
      const r = store.series({ from, to, maxPoints });
      expect(r.series).toHaveLength(1); // all apps, summed
      expect(r.series[0].t.length).toBeLessThanOrEqual(maxPoints + 1);
      const total = r.series[0].t.reduce(
        (n, t, i) => n + r.series[0].txMean[i] * (Math.min(t + r.step, to) - Math.max(t, from)),
        0,
      );
      expect(total).toBeCloseTo(sent, 3);
    }
  });

  it('the newest bucket comes from the finer tables before it is rolled up', () => {
    const [ft] = setup();
    recordSeconds([ft], 3600 + 90, () => 1000); // 01:01:30: hour 01 not rolled, minute 01:01 not either
    const to = Math.floor(f.clock.ms / 1000) + 1;
    const from = Math.floor(T0 / 1000);
    const r = store.series({ apps: [ft], from, to, maxPoints: 10 });
    expect(r.resolution).toBe(60);
    expect(r.series[0].txMean.at(-1)).toBe(1000); // 01:00:00–01:01:31, from the 1 s and 1 min tables
    const h = store.query.totals(Math.floor(T0 / 1000), to, [ft]).get(ft);
    expect(h?.tx).toBe((3600 + 90) * 1000);
  });

  it('property: totals over any range equal what was recorded in it', () => {
    const [ft, backup] = setup();
    const rate = (a: number, s: number) => ((s * 2654435761 + a * 97) % 1000) + (a === ft ? 1 : 0);
    recordSeconds([ft, backup], 3 * 3600 + 600, rate);
    const first = Math.floor(T0 / 1000) + 1;
    const last = Math.floor(f.clock.ms / 1000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 1, max: 12_000 }), (a, len) => {
        const from = Math.floor(T0 / 1000) + a;
        const to = Math.min(from + len, last + 1);
        if (to <= from) return;
        let expected = 0;
        for (let s = Math.max(from, first); s < to; s++) expected += rate(ft, s);
        expect(store.query.totals(from, to, [ft]).get(ft)?.tx ?? 0).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('bad ranges and unknown apps are refused with a message', () => {
    setup();
    expect(() => store.series({ from: 10, to: 10 })).toThrow(/from < to/);
    expect(() => store.series({ from: NaN, to: 10 })).toThrow(/from < to/);
    expect(() => store.series({ from: 0, to: 10, apps: [1.5] })).toThrow(/integers/);
  });

  it('totals per local day and CSV', () => {
    const [ft] = setup();
    recordSeconds([ft], 600, () => 1000);
    const days = store.dailyTotals(T0 - 86_400_000, f.clock.ms + 1000);
    expect(days).toEqual([
      expect.objectContaining({ app: 'com.apple.FaceTime', txBytes: 600_000, rxBytes: 600 * 7 }),
    ]);
    const csv = store.csv({
      apps: [ft],
      from: Math.floor(T0 / 1000),
      to: Math.floor(T0 / 1000) + 120,
      maxPoints: 10,
    });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'time,app,name,tx_bytes_per_s_mean,tx_min,tx_max,rx_bytes_per_s_mean,rx_min,rx_max',
    );
    expect(lines[1]).toMatch(/^2026-12-03T00:00:00\.000Z,com\.apple\.FaceTime,FaceTime,/);
  });
});

describe('pruning', () => {
  it('removes rows past their window only once rolled up, at most a batch per step', () => {
    const [ft] = setup();
    store.settings.set('retention', { seconds: 120, minutes: 2 * 3600, hours: 2 * 86_400 });
    recordSeconds([ft], 3 * 3600, () => 1000);
    const count = (t: string) => store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
    const before = count('samples_1s');
    const deleted = store.history.prune(Math.floor(f.clock.ms / 1000), 500);
    expect(deleted).toBeLessThanOrEqual(3 * 500);
    expect(count('samples_1s')).toBe(before - 500);
    while (store.history.prune(Math.floor(f.clock.ms / 1000), 500) > 0);
    expect(count('samples_1s')).toBeLessThanOrEqual(121);
    expect(count('samples_1m')).toBeLessThanOrEqual(121);
    // Nothing lost from the totals that the coarser tables now hold.
    expect(
      store.query.totals(Math.floor(T0 / 1000), Math.floor(f.clock.ms / 1000) + 1, [ft]).get(ft)?.tx,
    ).toBe(3 * 3600 * 1000);
  });

  it('retention is validated: coarser kept at least as long as finer', () => {
    setup();
    expect(() =>
      store.settings.set('retention', { seconds: 86_400, minutes: 7200, hours: 86_400 * 3 }),
    ).toThrow(/at least as long/);
    expect(() => store.settings.set('retention', { seconds: 10, minutes: 7200, hours: 86_400 * 3 })).toThrow(
      /seconds/,
    );
  });
});
