/**
 * Traffic history on the way in: one row per app per second, written in one transaction per
 * flush; rolled up into 1-minute and 1-hour rows (totals, and min / max rates so zoomed-out
 * graphs stay honest) as each minute and hour completes; pruned per resolution in small
 * batches, so no single statement holds the database long.
 */
import type Database from 'better-sqlite3';
import type { SettingsStore } from './settings-store.ts';

export interface Sample {
  appId: number;
  txBytes: number;
  rxBytes: number;
  txPackets: number;
  rxPackets: number;
  drops: number;
}

/** Rows one prune step deletes per table at most (OURS: a few ms of work). */
export const PRUNE_BATCH = 2000;
/**
 * Rollup rows written per flush beyond what is queued / 16 (OURS). A closed minute's or hour's
 * rows are written a few per flush rather than all at once: at 200 apps a minute is 200 rows
 * in as many pages of the app-first tables, which would be a spike in one flush.
 */
export const ROLLUP_ROWS_PER_FLUSH = 8;

/**
 * A rollup of `source` rows into buckets of `step` seconds. A bucket with fewer seconds of
 * samples than it spans had idle seconds: its minimum rate is 0.
 */
function rollupSql(target: string, source: string, step: number, fromFine: boolean): string {
  const seconds = fromFine ? 'count(*)' : 'sum(seconds)';
  const txMin = fromFine ? 'min(tx_bytes)' : 'min(tx_min)';
  const txMax = fromFine ? 'max(tx_bytes)' : 'max(tx_max)';
  const rxMin = fromFine ? 'min(rx_bytes)' : 'min(rx_min)';
  const rxMax = fromFine ? 'max(rx_bytes)' : 'max(rx_max)';
  return `INSERT OR REPLACE INTO ${target}
      (app_id, t, seconds, tx_bytes, rx_bytes, tx_min, tx_max, rx_min, rx_max, tx_packets, rx_packets, drops, profile_id)
    SELECT app_id, (t / ${step}) * ${step} AS b, ${seconds},
      sum(tx_bytes), sum(rx_bytes),
      CASE WHEN ${seconds} < ${step} THEN 0 ELSE ${txMin} END, ${txMax},
      CASE WHEN ${seconds} < ${step} THEN 0 ELSE ${rxMin} END, ${rxMax},
      sum(tx_packets), sum(rx_packets), sum(drops), max(profile_id)
    FROM ${source} WHERE t >= ? AND t < ? GROUP BY app_id, b`;
}

/** One app's rollup row in the making. */
interface Partial {
  seconds: number;
  tx: number;
  rx: number;
  txMin: number;
  txMax: number;
  rxMin: number;
  rxMax: number;
  txPackets: number;
  rxPackets: number;
  drops: number;
  profile: number | null;
}

/**
 * The rollup rows of the bucket being written, kept in memory so closing a minute or an hour
 * writes a few hundred rows instead of re-reading thousands. `whole` is false when the bucket
 * began before this process saw it (a restart mid-minute): it is then rolled up from the table.
 */
class Bucket {
  start = -1;
  whole = false;
  rows = new Map<number, Partial>();

  /** Adds a partial row (a closed minute, into its hour). */
  add(appId: number, r: Partial): void {
    const p = this.rows.get(appId);
    if (p === undefined) {
      this.rows.set(appId, { ...r });
      return;
    }
    p.seconds += r.seconds;
    p.tx += r.tx;
    p.rx += r.rx;
    p.txMin = Math.min(p.txMin, r.txMin);
    p.rxMin = Math.min(p.rxMin, r.rxMin);
    p.txMax = Math.max(p.txMax, r.txMax);
    p.rxMax = Math.max(p.rxMax, r.rxMax);
    p.txPackets += r.txPackets;
    p.rxPackets += r.rxPackets;
    p.drops += r.drops;
    p.profile = r.profile;
  }

  /** Adds one second's sample: min and max are its own bytes. */
  addSample(s: Sample, profile: number | null): void {
    const p = this.rows.get(s.appId);
    if (p === undefined) {
      this.rows.set(s.appId, {
        seconds: 1,
        tx: s.txBytes,
        rx: s.rxBytes,
        txMin: s.txBytes,
        txMax: s.txBytes,
        rxMin: s.rxBytes,
        rxMax: s.rxBytes,
        txPackets: s.txPackets,
        rxPackets: s.rxPackets,
        drops: s.drops,
        profile,
      });
      return;
    }
    p.seconds += 1;
    p.tx += s.txBytes;
    p.rx += s.rxBytes;
    if (s.txBytes < p.txMin) p.txMin = s.txBytes;
    if (s.txBytes > p.txMax) p.txMax = s.txBytes;
    if (s.rxBytes < p.rxMin) p.rxMin = s.rxBytes;
    if (s.rxBytes > p.rxMax) p.rxMax = s.rxBytes;
    p.txPackets += s.txPackets;
    p.rxPackets += s.rxPackets;
    p.drops += s.drops;
    p.profile = profile;
  }

  /** Starts the next bucket; the closed one's rows stay with whoever took them. */
  reset(start: number, whole: boolean): void {
    this.start = start;
    this.whole = whole;
    this.rows = new Map();
  }
}

export class HistoryWriter {
  private readonly insert: Database.Statement<unknown[]>;
  private readonly insertRollup: Record<60 | 3600, Database.Statement<unknown[]>>;
  private readonly rollMinutes: Database.Statement<[number, number]>;
  private readonly rollHours: Database.Statement<[number, number]>;
  private readonly firstSecond: Database.Statement<[], { t: number | null }>;
  private readonly firstMinute: Database.Statement<[], { t: number | null }>;
  private readonly touchApps: Database.Statement<[number, number, number]>;
  private readonly prunes: {
    keep: 'seconds' | 'minutes' | 'hours';
    run: Database.Statement<[number, number]>;
  }[];
  private readonly minute = new Bucket();
  private readonly hour = new Bucket();
  /** Closed minutes and hours whose rows are not all written yet, oldest first (see drain). */
  private queue: { step: 60 | 3600; start: number; rows: [number, Partial][]; next: number }[] = [];
  /** Buckets from these on began while this process wrote: they are whole in memory. */
  private firstWholeMinute = -1;
  private firstWholeHour = -1;

  constructor(
    private readonly db: Database.Database,
    private readonly settings: SettingsStore,
  ) {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO samples_1s (t, app_id, tx_bytes, rx_bytes, tx_packets, rx_packets, drops, profile_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const rollupInsert = (table: string) =>
      db.prepare(
        `INSERT OR REPLACE INTO ${table}
           (app_id, t, seconds, tx_bytes, rx_bytes, tx_min, tx_max, rx_min, rx_max, tx_packets, rx_packets, drops, profile_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
    this.insertRollup = { 60: rollupInsert('samples_1m'), 3600: rollupInsert('samples_1h') };
    this.rollMinutes = db.prepare(rollupSql('samples_1m', 'samples_1s', 60, true));
    this.rollHours = db.prepare(rollupSql('samples_1h', 'samples_1m', 3600, false));
    this.firstSecond = db.prepare('SELECT min(t) AS t FROM samples_1s');
    this.firstMinute = db.prepare('SELECT min(t) AS t FROM samples_1m');
    this.touchApps = db.prepare(
      'UPDATE apps SET last_seen = ? WHERE id IN (SELECT app_id FROM samples_1s WHERE t >= ? AND t < ? + 60)',
    );
    const prune = (table: string) =>
      // The oldest rows first, at most a batch of them (SQLite's DELETE … LIMIT is compiled in).
      db.prepare<[number, number]>(`DELETE FROM ${table} WHERE t < ? ORDER BY t LIMIT ?`);
    this.prunes = [
      { keep: 'seconds', run: prune('samples_1s') },
      { keep: 'minutes', run: prune('samples_1m') },
      { keep: 'hours', run: prune('samples_1h') },
    ];
  }

  /** Writes one second's samples (closing the minute and hour they end) in one transaction. */
  write(second: number, samples: readonly Sample[], profileId: number | null): void {
    this.db.transaction(() => {
      const minute = Math.floor(second / 60) * 60;
      if (this.firstWholeMinute < 0) {
        // First write of this process: roll up what earlier runs left, and know which buckets
        // began before us (they are rolled up from the tables, not from memory).
        this.rollUp(minute);
        this.firstWholeMinute = minute + 60;
        this.firstWholeHour = Math.floor(second / 3600) * 3600 + 3600;
      }
      if (this.minute.start >= 0 && this.minute.start !== minute) this.closeMinute();
      if (this.minute.start !== minute) this.minute.reset(minute, minute >= this.firstWholeMinute);
      this.drain(ROLLUP_ROWS_PER_FLUSH + Math.ceil(this.queued() / 16));
      for (const s of samples) {
        this.insert.run(second, s.appId, s.txBytes, s.rxBytes, s.txPackets, s.rxPackets, s.drops, profileId);
        this.minute.addSample(s, profileId);
      }
    })();
  }

  private closeMinute(): void {
    const m = this.minute;
    const end = m.start + 60;
    if (m.whole) {
      this.queue.push({ step: 60, start: m.start, rows: [...m.rows], next: 0 });
      const hour = Math.floor(m.start / 3600) * 3600;
      if (this.hour.start >= 0 && this.hour.start !== hour) this.closeHour();
      if (this.hour.start !== hour) this.hour.reset(hour, hour >= this.firstWholeHour);
      for (const [appId, p] of m.rows)
        this.hour.add(appId, { ...p, txMin: rollupMin(p, 'tx', 60), rxMin: rollupMin(p, 'rx', 60) });
    } else {
      this.drain();
      this.rollUp(end);
    }
    m.reset(-1, false);
    if (end % 3600 === 0 && this.hour.start >= 0) this.closeHour();
  }

  /**
   * Writes queued rollup rows: `budget` of them, or all. A bucket's watermark moves only once
   * all its rows are written, so until then queries read it from the finer table, as for any
   * bucket not rolled up — a half-written bucket is never seen.
   */
  drain(budget = Infinity): void {
    while (budget > 0 && this.queue.length > 0) {
      const b = this.queue[0];
      const insert = this.insertRollup[b.step];
      while (budget > 0 && b.next < b.rows.length) {
        const [appId, p] = b.rows[b.next++];
        budget--;
        insert.run(
          appId,
          b.start,
          p.seconds,
          p.tx,
          p.rx,
          rollupMin(p, 'tx', b.step),
          p.txMax,
          rollupMin(p, 'rx', b.step),
          p.rxMax,
          p.txPackets,
          p.rxPackets,
          p.drops,
          p.profile,
        );
      }
      if (b.next < b.rows.length) return;
      this.queue.shift();
      if (b.step === 60) {
        this.touchApps.run((b.start + 59) * 1000, b.start, b.start);
        this.settings.set('rolledMinutesUntil', b.start + 60);
      } else this.settings.set('rolledHoursUntil', b.start + 3600);
    }
  }

  private closeHour(): void {
    const h = this.hour;
    if (h.whole) this.queue.push({ step: 3600, start: h.start, rows: [...h.rows], next: 0 });
    else {
      this.drain();
      this.rollUp(this.settings.get('rolledMinutesUntil'));
    }
    h.reset(-1, false);
  }

  private queued(): number {
    let n = 0;
    for (const b of this.queue) n += b.rows.length - b.next;
    return n;
  }

  /** Rolls up, from the tables, every minute and hour that ended by `untilSecond` (exclusive) and is not rolled up yet. */
  rollUp(untilSecond: number): void {
    const minuteEnd = Math.floor(untilSecond / 60) * 60;
    let minutesFrom = this.settings.get('rolledMinutesUntil');
    if (minutesFrom === 0) minutesFrom = Math.floor((this.firstSecond.get()?.t ?? minuteEnd) / 60) * 60;
    if (minuteEnd > minutesFrom) {
      this.rollMinutes.run(minutesFrom, minuteEnd);
      this.settings.set('rolledMinutesUntil', minuteEnd);
    }
    const hourEnd = Math.floor(this.settings.get('rolledMinutesUntil') / 3600) * 3600;
    let hoursFrom = this.settings.get('rolledHoursUntil');
    if (hoursFrom === 0) hoursFrom = Math.floor((this.firstMinute.get()?.t ?? hourEnd) / 3600) * 3600;
    if (hourEnd > hoursFrom) {
      this.rollHours.run(hoursFrom, hourEnd);
      this.settings.set('rolledHoursUntil', hourEnd);
    }
  }

  /**
   * One small prune step per resolution: rows older than its retention window and already
   * rolled up into the next. Returns how many rows went; call again while it is above 0.
   */
  prune(nowSecond: number, batch = PRUNE_BATCH): number {
    const retention = this.settings.get('retention');
    const rolled = {
      seconds: this.settings.get('rolledMinutesUntil'),
      minutes: this.settings.get('rolledHoursUntil'),
      hours: Infinity,
    };
    let deleted = 0;
    for (const p of this.prunes) {
      const cutoff = Math.min(nowSecond - retention[p.keep], rolled[p.keep]);
      deleted += p.run.run(cutoff, batch).changes;
    }
    return deleted;
  }
}

/** A bucket with idle seconds had a rate of 0 in them: its minimum is 0. */
function rollupMin(p: Partial, dir: 'tx' | 'rx', step: number): number {
  return p.seconds < step ? 0 : dir === 'tx' ? p.txMin : p.rxMin;
}
