/**
 * The store's benchmark: ingest (200 apps, one sample per app per second, through the store's
 * own path with its rollups) against raw batched better-sqlite3 inserts of the same rows, and
 * chart queries on a database holding 30 days of synthetic history for 50 apps.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Store } from '../main/store/store.ts';
import type { Sample } from '../main/store/history-writer.ts';

export const STORE_GOALS = {
  flushMs: 2,
  ingestVsRaw: 0.8,
  queryMs: 20,
  databaseBytes: 200 * 1024 * 1024,
};

export interface StoreBenchResult {
  ingest: {
    apps: number;
    flushes: number;
    flushP50Ms: number;
    flushP99Ms: number;
    flushMaxMs: number;
    rowsPerSecond: number;
    rawRowsPerSecond: number;
    ratio: number;
    /** One checkpoint of the WAL the run left, in the checkpoint thread (not the main thread). */
    checkpointMs: number;
  };
  query: {
    apps: number;
    days: number;
    oneAppP50Ms: number;
    oneAppMaxMs: number;
    topTenP50Ms: number;
    topTenMaxMs: number;
    points: number;
    resolution: number;
    databaseBytes: number;
    buildMs: number;
  };
}

const START = Date.UTC(2026, 10, 1, 0, 0, 0);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function identity(i: number) {
  return {
    appId: 0,
    name: `App ${i}`,
    bundleId: `com.example.app${i}`,
    executablePath: `/Applications/App${i}.app`,
    pid: 1000 + i,
    serviceClass: 0,
  };
}

function openStore(dir: string, clock: { ms: number }): Store {
  return Store.open({
    file: path.join(dir, 'netlanes.db'),
    now: () => clock.ms,
    minuteOfWeek: () => 0,
    apply: async () => 1,
  });
}

async function ingest(apps: number, flushes: number): Promise<StoreBenchResult['ingest']> {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-bench-store-'));
  try {
    const clock = { ms: START };
    const store = openStore(dir, clock);
    // As the app runs it, checkpoints are another thread's work, never inside a flush. Here the
    // flushes run back to back (600 "seconds" in well under one), so a checkpoint thread on its
    // 2 s timer would overlap every flush as it never does at one flush a second: it runs once,
    // after the timing, and its cost is reported on its own.
    store.db.pragma('wal_autocheckpoint = 0');
    const ids = Array.from({ length: apps }, (_, i) => store.appId(identity(i)));
    const rows = (second: number): Sample[] =>
      ids.map((appId, i) => ({
        appId,
        txBytes: 1000 + ((second * 31 + i) % 5000),
        rxBytes: 200 + (i % 50),
        txPackets: 10,
        rxPackets: 2,
        drops: 0,
      }));
    // Steady state: the first two minutes (the first minute rolled up from the table, statement
    // caches warming) are not timed; the raw inserts below get the same warm-up.
    const WARMUP = 120;
    const times: number[] = [];
    for (let f = 0; f < WARMUP + flushes; f++) {
      clock.ms += 1000;
      const second = Math.floor(clock.ms / 1000);
      const samples = rows(second);
      const t0 = performance.now();
      store.record(second, samples);
      if (f >= WARMUP) times.push(performance.now() - t0);
    }
    const storeMs = times.reduce((a, b) => a + b, 0);
    // The same rows through raw batched inserts: the same table shape in the same kind of database.
    const db = store.db;
    db.exec('CREATE TABLE raw_1s AS SELECT * FROM samples_1s WHERE 0');
    db.exec(
      'CREATE TABLE raw (t INTEGER NOT NULL, app_id INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, rx_bytes INTEGER NOT NULL, tx_packets INTEGER NOT NULL, rx_packets INTEGER NOT NULL, drops INTEGER NOT NULL, profile_id INTEGER, PRIMARY KEY (t, app_id)) WITHOUT ROWID',
    );
    const insert = db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const batch = db.transaction((second: number, samples: Sample[]) => {
      for (const s of samples)
        insert.run(second, s.appId, s.txBytes, s.rxBytes, s.txPackets, s.rxPackets, s.drops, 1);
    });
    let rawMs = 0;
    for (let f = 0; f < WARMUP + flushes; f++) {
      const second = Math.floor(START / 1000) + f + 1;
      const samples = rows(second);
      const t0 = performance.now();
      batch(second, samples);
      if (f >= WARMUP) rawMs += performance.now() - t0;
    }
    const checkpointer = store.checkpointInBackground();
    const c0 = performance.now();
    await checkpointer.now();
    const checkpointMs = performance.now() - c0;
    await checkpointer.stop();
    store.close();
    const sorted = [...times].sort((a, b) => a - b);
    const rowsTotal = apps * flushes;
    return {
      apps,
      flushes,
      flushP50Ms: percentile(sorted, 0.5),
      flushP99Ms: percentile(sorted, 0.99),
      flushMaxMs: sorted[sorted.length - 1],
      rowsPerSecond: rowsTotal / (storeMs / 1000),
      rawRowsPerSecond: rowsTotal / (rawMs / 1000),
      ratio: rawMs / storeMs,
      checkpointMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 30 days of history for `apps` apps, as the default retention keeps it: 1 h rows for all of it, 1 min rows for 7 days, 1 s rows for the last hour. */
function buildHistory(store: Store, apps: number, days: number, nowSecond: number): number[] {
  const ids = Array.from({ length: apps }, (_, i) => store.appId(identity(i)));
  const retention = store.settings.get('retention');
  const rate = (app: number, t: number) => 1000 * (1 + (app % 7)) * (1 + Math.sin(t / 3600 + app));
  const db = store.db;
  const rollup = (table: string, step: number, from: number) => {
    const insert = db.prepare(
      `INSERT INTO ${table} (app_id, t, seconds, tx_bytes, rx_bytes, tx_min, tx_max, rx_min, rx_max, tx_packets, rx_packets, drops, profile_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    );
    db.transaction(() => {
      for (const id of ids)
        for (let t = Math.ceil(from / step) * step; t + step <= nowSecond; t += step) {
          const r = rate(id, t);
          insert.run(
            id,
            t,
            step,
            Math.round(r * step),
            Math.round(r * step * 0.1),
            r * 0.5,
            r * 1.5,
            r * 0.05,
            r * 0.15,
            step,
            step,
            0,
          );
        }
    })();
  };
  rollup('samples_1h', 3600, nowSecond - days * 86_400);
  rollup('samples_1m', 60, nowSecond - retention.minutes);
  const insert = db.prepare('INSERT INTO samples_1s VALUES (?, ?, ?, ?, 1, 1, 0, 1)');
  db.transaction(() => {
    for (let t = nowSecond - retention.seconds; t < nowSecond; t++)
      for (const id of ids) insert.run(t, id, Math.round(rate(id, t)), 10);
  })();
  store.settings.set('rolledMinutesUntil', Math.floor(nowSecond / 60) * 60);
  store.settings.set('rolledHoursUntil', Math.floor(nowSecond / 3600) * 3600);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return ids;
}

function query(apps: number, days: number, runs: number): StoreBenchResult['query'] {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-bench-store-'));
  try {
    const clock = { ms: START + days * 86_400_000 };
    const store = openStore(dir, clock);
    const now = Math.floor(clock.ms / 1000);
    const t0 = performance.now();
    const ids = buildHistory(store, apps, days, now);
    const buildMs = performance.now() - t0;
    const from = now - days * 86_400;
    const one: number[] = [];
    const ten: number[] = [];
    let points = 0;
    let resolution = 0;
    for (let i = 0; i < runs; i++) {
      let s = performance.now();
      const r = store.series({ apps: [ids[i % ids.length]], from, to: now });
      one.push(performance.now() - s);
      points = r.series[0].t.length;
      resolution = r.resolution;
      s = performance.now();
      // The top 10 by bytes over the range, then their series: what the History screen asks.
      const totals = [...store.query.totals(from, now)].sort(
        (a, b) => b[1].tx + b[1].rx - (a[1].tx + a[1].rx),
      );
      store.series({ apps: totals.slice(0, 10).map(([id]) => id), from, to: now });
      ten.push(performance.now() - s);
    }
    const bytes = statSync(path.join(dir, 'netlanes.db')).size;
    store.close();
    one.sort((a, b) => a - b);
    ten.sort((a, b) => a - b);
    return {
      apps,
      days,
      oneAppP50Ms: percentile(one, 0.5),
      oneAppMaxMs: one[one.length - 1],
      topTenP50Ms: percentile(ten, 0.5),
      topTenMaxMs: ten[ten.length - 1],
      points,
      resolution,
      databaseBytes: bytes,
      buildMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function storeBench(quick: boolean): Promise<StoreBenchResult> {
  return { ingest: await ingest(200, quick ? 120 : 600), query: query(50, 30, quick ? 5 : 20) };
}

export function storeReport(r: StoreBenchResult): string {
  const g = STORE_GOALS;
  const mark = (ok: boolean) => (ok ? 'pass' : 'MISS');
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  return [
    'store\tfigure\tgoal',
    `ingest: flush of ${r.ingest.apps} apps (p50 / p99 / max)\t${r.ingest.flushP50Ms.toFixed(2)} / ${r.ingest.flushP99Ms.toFixed(2)} / ${r.ingest.flushMaxMs.toFixed(2)} ms\t< ${g.flushMs} ms: ${mark(r.ingest.flushP99Ms < g.flushMs)}`,
    `ingest: rows/s, store vs raw batched inserts\t${Math.round(r.ingest.rowsPerSecond)} vs ${Math.round(r.ingest.rawRowsPerSecond)} (${(r.ingest.ratio * 100).toFixed(0)} %)\t≥ ${g.ingestVsRaw * 100} %: ${mark(r.ingest.ratio >= g.ingestVsRaw)}`,
    `ingest: checkpoint of ${r.ingest.flushes} s of writes, in its own thread\t${r.ingest.checkpointMs.toFixed(1)} ms\t(off the main thread)`,
    `query: 30-day chart, one app (p50 / max; ${r.query.points} points at ${r.query.resolution} s)\t${r.query.oneAppP50Ms.toFixed(2)} / ${r.query.oneAppMaxMs.toFixed(2)} ms\t< ${g.queryMs} ms: ${mark(r.query.oneAppP50Ms < g.queryMs)}`,
    `query: 30-day chart, top 10 of ${r.query.apps} apps (p50 / max)\t${r.query.topTenP50Ms.toFixed(2)} / ${r.query.topTenMaxMs.toFixed(2)} ms\t< ${g.queryMs} ms: ${mark(r.query.topTenP50Ms < g.queryMs)}`,
    `database size, ${r.query.days} days × ${r.query.apps} apps (default retention)\t${mb(r.query.databaseBytes)}\t< ${mb(g.databaseBytes)}: ${mark(r.query.databaseBytes < g.databaseBytes)}`,
  ].join('\n');
}
