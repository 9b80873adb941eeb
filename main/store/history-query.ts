/**
 * Traffic history on the way out, for charts: any range, per app or all apps, at the finest
 * resolution that holds the range and keeps the rows read bounded, aggregated into at most
 * `maxPoints` buckets with mean, min and max rates. The part of a range not rolled up yet is
 * read from the finer table, so the newest bucket is never missing.
 */
import type Database from 'better-sqlite3';
import type { SettingsStore } from './settings-store.ts';

export const RESOLUTIONS = [1, 60, 3600] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
const TABLE: Record<Resolution, string> = { 1: 'samples_1s', 60: 'samples_1m', 3600: 'samples_1h' };
const RETENTION_KEY = { 1: 'seconds', 60: 'minutes', 3600: 'hours' } as const;

/** Default and hard limits on points per series (OURS: a chart is at most a few thousand pixels). */
export const DEFAULT_MAX_POINTS = 1500;
export const MAX_POINTS = 5000;
/** Rows a query may read per point before a coarser table is used instead (bounds query time). */
const ROWS_PER_POINT = 8;

export interface SeriesQuery {
  /** App ids; empty or omitted: every app, summed. */
  apps?: readonly number[];
  from: number;
  to: number;
  maxPoints?: number;
}

/** One app's series (or the total), columnar for a chart: rates in bytes per second. */
export interface Series {
  appId: number | null;
  t: number[];
  txMean: number[];
  txMin: number[];
  txMax: number[];
  rxMean: number[];
  rxMin: number[];
  rxMax: number[];
}

export interface SeriesResult {
  resolution: Resolution;
  step: number;
  from: number;
  to: number;
  series: Series[];
}

/** A row as SQLite returns it (raw mode): app, bucket start, seconds, tx, rx, tx min, tx max, rx min, rx max. */
type BucketRow = [number, number, number, number, number, number, number, number, number];

export class QueryError extends Error {
  override name = 'QueryError';
}

export class HistoryQuery {
  constructor(
    private readonly db: Database.Database,
    private readonly settings: SettingsStore,
    private readonly nowSecond: () => number,
  ) {}

  /** The resolution a range is read at: the finest whose retention covers it and whose rows stay bounded. */
  resolutionFor(from: number, to: number, maxPoints: number): Resolution {
    const retention = this.settings.get('retention');
    const now = this.nowSecond();
    for (const r of RESOLUTIONS)
      if (from >= now - retention[RETENTION_KEY[r]] && (to - from) / r <= maxPoints * ROWS_PER_POINT)
        return r;
    return 3600;
  }

  series(q: SeriesQuery): SeriesResult {
    const { from, to } = q;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
      throw new QueryError(`history: the range must have from < to (got ${from}..${to})`);
    const maxPoints = Math.max(10, Math.min(q.maxPoints ?? DEFAULT_MAX_POINTS, MAX_POINTS));
    const resolution = this.resolutionFor(from, to, maxPoints);
    const step = Math.max(resolution, Math.ceil((to - from) / maxPoints / resolution) * resolution);
    const start = Math.floor(from / step) * step;
    const apps = q.apps ?? [];
    const n = Math.ceil((to - start) / step);
    const acc = new Map<number, Accumulated>();
    for (const r of this.buckets(resolution, start, to, step, apps)) {
      let a = acc.get(r[0]);
      if (a === undefined) acc.set(r[0], (a = accumulated(n)));
      const i = (r[1] - start) / step;
      a.seconds[i] += r[2];
      a.tx[i] += r[3];
      a.rx[i] += r[4];
      a.txMin[i] = Math.min(a.txMin[i], r[5]);
      a.txMax[i] = Math.max(a.txMax[i], r[6]);
      a.rxMin[i] = Math.min(a.rxMin[i], r[7]);
      a.rxMax[i] = Math.max(a.rxMax[i], r[8]);
    }
    const times = Array.from({ length: n }, (_, i) => start + i * step);
    // The first and last buckets may reach outside the range: rates are over the part inside.
    const spans = times.map((t) => Math.min(t + step, to) - Math.max(t, from));
    const series =
      apps.length > 0
        ? apps.map((id) => toSeries(id, times, spans, acc.get(id) ?? accumulated(n)))
        : [total(times, spans, [...acc.values()])];
    return { resolution, step, from: start, to, series };
  }

  /** Bytes each app sent and received in [from, to) (totals per day, budgets). */
  totals(from: number, to: number, apps: readonly number[] = []): Map<number, { tx: number; rx: number }> {
    const out = new Map<number, { tx: number; rx: number }>();
    // step 0: one row per app per table, summed along the primary key (no sort).
    for (const r of this.buckets(3600, from, to, 0, apps, from)) {
      const o = out.get(r[0]) ?? { tx: 0, rx: 0 };
      o.tx += r[3];
      o.rx += r[4];
      out.set(r[0], o);
    }
    return out;
  }

  /**
   * Rows of [from, to) grouped into `step` buckets: whole rows of the resolution's own table
   * where they lie inside the range and are rolled up, the finer tables for the edges and for
   * what is not rolled up yet.
   */
  private buckets(
    resolution: Resolution,
    from: number,
    to: number,
    step: number,
    apps: readonly number[],
    origin = 0,
  ): BucketRow[] {
    const watermark: Record<Resolution, number> = {
      3600: this.settings.get('rolledHoursUntil'),
      60: this.settings.get('rolledMinutesUntil'),
      1: Infinity,
    };
    const segments = (r: Resolution, a: number, b: number): BucketRow[] => {
      if (b <= a) return [];
      if (r === 1) return this.read(1, a, b, step, apps, origin);
      const finer: Resolution = r === 3600 ? 60 : 1;
      const inner = Math.ceil(a / r) * r;
      const outer = Math.min(Math.floor(b / r) * r, watermark[r]);
      if (outer <= inner) return segments(finer, a, b);
      return [
        ...segments(finer, a, inner),
        ...this.read(r, inner, outer, step, apps, origin),
        ...segments(finer, outer, b),
      ];
    };
    return segments(resolution, from, to);
  }

  private read(
    r: Resolution,
    from: number,
    to: number,
    step: number,
    apps: readonly number[],
    origin: number,
  ): BucketRow[] {
    for (const id of apps)
      if (!Number.isInteger(id)) throw new QueryError(`history: app ids are integers (got ${String(id)})`);
    const fine = r === 1;
    const filter = apps.length > 0 ? `AND app_id IN (${apps.map(() => '?').join(',')})` : '';
    // Rows already at the bucket size are read as they are (no sort for a GROUP BY): the common
    // case of a chart at its table's own resolution. better-sqlite3 binds numbers as REAL, so the
    // bucket arithmetic casts them to integers.
    const plain = step === r && origin % r === 0;
    if (step === 0) {
      const sql = `SELECT app_id, 0, ${fine ? 'count(*)' : 'sum(seconds)'}, sum(tx_bytes), sum(rx_bytes), 0, 0, 0, 0
         FROM ${TABLE[r]} WHERE t >= ? AND t < ? ${filter} GROUP BY app_id`;
      return this.statement(sql).all(from, to, ...apps) as BucketRow[];
    }
    const columns = fine
      ? 'count(*), sum(tx_bytes), sum(rx_bytes), min(tx_bytes), max(tx_bytes), min(rx_bytes), max(rx_bytes)'
      : 'sum(seconds), sum(tx_bytes), sum(rx_bytes), min(tx_min), max(tx_max), min(rx_min), max(rx_max)';
    const sql = plain
      ? `SELECT app_id, t, ${fine ? '1, tx_bytes, rx_bytes, tx_bytes, tx_bytes, rx_bytes, rx_bytes' : 'seconds, tx_bytes, rx_bytes, tx_min, tx_max, rx_min, rx_max'}
         FROM ${TABLE[r]} WHERE t >= ? AND t < ? ${filter}`
      : `SELECT app_id, ((t - CAST(? AS INTEGER)) / CAST(? AS INTEGER)) * CAST(? AS INTEGER) + CAST(? AS INTEGER) AS b, ${columns}
         FROM ${TABLE[r]} WHERE t >= ? AND t < ? ${filter} GROUP BY app_id, b`;
    const statement = this.statement(sql);
    return (
      plain ? statement.all(from, to, ...apps) : statement.all(origin, step, step, origin, from, to, ...apps)
    ) as BucketRow[];
  }

  private readonly statements = new Map<string, Database.Statement<unknown[]>>();

  private statement(sql: string): Database.Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare<unknown[]>(sql).raw(true);
      if (this.statements.size > 256) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }
}

/** Per bucket sums and extremes of one app, indexed by bucket. */
interface Accumulated {
  seconds: Float64Array;
  tx: Float64Array;
  rx: Float64Array;
  txMin: Float64Array;
  txMax: Float64Array;
  rxMin: Float64Array;
  rxMax: Float64Array;
}

function accumulated(n: number): Accumulated {
  return {
    seconds: new Float64Array(n),
    tx: new Float64Array(n),
    rx: new Float64Array(n),
    txMin: new Float64Array(n).fill(Infinity),
    txMax: new Float64Array(n),
    rxMin: new Float64Array(n).fill(Infinity),
    rxMax: new Float64Array(n),
  };
}

function emptySeries(appId: number | null): Series {
  return { appId, t: [], txMean: [], txMin: [], txMax: [], rxMean: [], rxMin: [], rxMax: [] };
}

function toSeries(appId: number, times: number[], spans: number[], a: Accumulated): Series {
  const s = emptySeries(appId);
  s.t = times;
  for (let i = 0; i < times.length; i++) {
    const span = spans[i];
    // Idle seconds inside the bucket are a rate of 0: the minimum is 0 unless every second had data.
    const full = a.seconds[i] >= span;
    s.txMean.push(a.tx[i] / span);
    s.rxMean.push(a.rx[i] / span);
    s.txMin.push(full ? a.txMin[i] : 0);
    s.rxMin.push(full ? a.rxMin[i] : 0);
    s.txMax.push(a.txMax[i]);
    s.rxMax.push(a.rxMax[i]);
  }
  return s;
}

/** All apps summed: the mean is exact; min and max of a sum are not knowable from per-app rows, so they equal the mean. */
function total(times: number[], spans: number[], all: Accumulated[]): Series {
  const s = emptySeries(null);
  s.t = times;
  for (let i = 0; i < times.length; i++) {
    let tx = 0;
    let rx = 0;
    for (const a of all) {
      tx += a.tx[i];
      rx += a.rx[i];
    }
    const span = spans[i];
    s.txMean.push(tx / span);
    s.rxMean.push(rx / span);
    s.txMin.push(tx / span);
    s.txMax.push(tx / span);
    s.rxMin.push(rx / span);
    s.rxMax.push(rx / span);
  }
  return s;
}
