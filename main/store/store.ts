/**
 * The store: SQLite as the source of truth for rules, profiles, budgets, app identities,
 * traffic history, events and settings. Runs on the main side only (Electron's main process
 * or the web-mode server). The driver is told the rules at start and on every change.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { AppIdentity } from '../../driver-runtime/abi/app-identity.ts';
import type { MinuteOfWeek } from '../../driver-runtime/rules/schedule.ts';
import { AppIdentities } from './app-identities.ts';
import { Budgets, type BudgetNotice } from './budgets.ts';
import { openDatabase, type OpenOptions } from './database.ts';
import { EventLog } from './event-log.ts';
import { HistoryQuery, type SeriesQuery } from './history-query.ts';
import { HistoryWriter, type Sample } from './history-writer.ts';
import { SCHEMA_VERSION } from './migrations.ts';
import { localDay } from './periods.ts';
import { Checkpointer } from './checkpointer.ts';
import { RuleStore, type RuleApplier } from './rule-store.ts';
import { SettingsStore } from './settings-store.ts';

export interface StoreOptions extends OpenOptions {
  file: string;
  /** Gives the driver a rule set (the app core's agent). */
  apply: RuleApplier;
  minuteOfWeek: () => MinuteOfWeek;
  /** Budget warnings and actions, for the OS notification or the page's banner. */
  notify?: (n: BudgetNotice) => void;
}

export interface DayTotal {
  day: string;
  appId: number;
  app: string;
  name: string;
  txBytes: number;
  rxBytes: number;
}

export class Store {
  readonly settings: SettingsStore;
  readonly events: EventLog;
  readonly identities: AppIdentities;
  readonly rules: RuleStore;
  readonly history: HistoryWriter;
  readonly query: HistoryQuery;
  readonly budgets: Budgets;
  /** What the user should be told about the database itself (a corrupt file kept aside…). */
  readonly notices: string[];
  private readonly now: () => number;
  private checkpointer: Checkpointer | null = null;
  private readonly noticeListeners: ((n: BudgetNotice) => void)[] = [];

  private constructor(
    readonly db: Database.Database,
    readonly file: string,
    notices: string[],
    options: StoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.notices = notices;
    this.settings = new SettingsStore(db);
    this.events = new EventLog(db, this.now);
    this.identities = new AppIdentities(db);
    this.query = new HistoryQuery(db, this.settings, () => Math.floor(this.now() / 1000));
    this.history = new HistoryWriter(db, this.settings);
    this.rules = new RuleStore(db, this.events, this.settings, options.apply, this.now);
    this.budgets = new Budgets(
      db,
      this.identities,
      this.query,
      this.events,
      this.now,
      options.minuteOfWeek,
      (n) => {
        options.notify?.(n);
        for (const listener of this.noticeListeners) listener(n);
      },
      () => void this.rules.reapply('budget action changed').catch(() => undefined),
    );
    this.rules.setOverlay((profile) => this.budgets.overlay(profile));
    for (const n of notices) this.events.append('store', n);
  }

  /** Opens (or creates) the database; throws StoreUnavailableError or SchemaTooNewError. */
  static open(options: StoreOptions): Store {
    const { db, file, notices } = openDatabase(options.file, options);
    return new Store(db, file, notices, options);
  }

  /** Budget warnings, actions and lifts, as they happen (OS notifications, the page's banner). */
  onNotice(listener: (n: BudgetNotice) => void): () => void {
    this.noticeListeners.push(listener);
    return () => {
      const i = this.noticeListeners.indexOf(listener);
      if (i >= 0) this.noticeListeners.splice(i, 1);
    };
  }

  /** The recorder's sink: an app's id, recorded when first seen. */
  appId(identity: AppIdentity): number {
    return this.identities.idFor(identity, this.now());
  }

  /** One second of samples: written in one transaction, then counted against the budgets. */
  record(second: number, samples: Sample[]): void {
    this.history.write(second, samples, this.rules.activeProfileId());
    this.budgets.account(samples);
  }

  /**
   * Checkpoints in a worker from now on (the app): the writer stops checkpointing itself, so no
   * flush waits for a checkpoint's fsync. Tests and tools leave SQLite's automatic checkpoints on.
   */
  checkpointInBackground(nativeBinding?: string): Checkpointer {
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new Checkpointer(this.file, nativeBinding);
    return this.checkpointer;
  }

  /** Housekeeping for a timer: one small prune step, and budget periods that ended. */
  maintain(): number {
    this.budgets.check();
    return this.history.prune(Math.floor(this.now() / 1000));
  }

  series(q: SeriesQuery) {
    return this.query.series(q);
  }

  /** Bytes per app per local day over [fromMs, toMs). */
  dailyTotals(fromMs: number, toMs: number): DayTotal[] {
    const apps = new Map(this.identities.list().map((a) => [a.id, a]));
    const out: DayTotal[] = [];
    for (let day = startOfDay(fromMs); day < toMs; day = nextDay(day)) {
      const end = Math.min(nextDay(day), toMs);
      const totals = this.query.totals(Math.floor(day / 1000), Math.ceil(end / 1000));
      for (const [appId, t] of totals) {
        const app = apps.get(appId);
        if (app && (t.tx > 0 || t.rx > 0))
          out.push({ day: localDay(day), appId, app: app.key, name: app.name, txBytes: t.tx, rxBytes: t.rx });
      }
    }
    return out;
  }

  /** A chart's data as CSV: one line per app per bucket. */
  csv(q: SeriesQuery): string {
    const names = new Map(this.identities.list().map((a) => [a.id, a]));
    const result = this.query.series(q);
    const lines = ['time,app,name,tx_bytes_per_s_mean,tx_min,tx_max,rx_bytes_per_s_mean,rx_min,rx_max'];
    for (const s of result.series) {
      const app = s.appId === null ? undefined : names.get(s.appId);
      const key = app ? csvField(app.key) : 'all';
      const name = app ? csvField(app.name) : 'all apps';
      s.t.forEach((t, i) =>
        lines.push(
          [
            new Date(t * 1000).toISOString(),
            key,
            name,
            s.txMean[i],
            s.txMin[i],
            s.txMax[i],
            s.rxMean[i],
            s.rxMin[i],
            s.rxMax[i],
          ].join(','),
        ),
      );
    }
    return lines.join('\n') + '\n';
  }

  info(): { file: string; bytes: number; schemaVersion: number; notices: string[] } {
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.file + suffix).size;
      } catch {
        /* no WAL yet */
      }
    }
    return { file: this.file, bytes, schemaVersion: SCHEMA_VERSION, notices: this.notices };
  }

  async closeAsync(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = null;
    this.close();
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.transaction(() => this.history.drain())();
      this.db.pragma('optimize');
    } catch {
      /* a full disk: closing matters more than statistics */
    }
    this.db.close();
  }
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function nextDay(ms: number): number {
  const d = new Date(ms);
  d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** RFC 4180: quote a field with a comma, quote or line break; neutralise spreadsheet formulas. */
function csvField(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
