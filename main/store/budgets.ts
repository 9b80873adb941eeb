/**
 * Data budgets per app and period (NetLimiter and TripMode style), counted from the traffic
 * history (sent + received). At 80 % an event and a notification; at 100 % the chosen action:
 * notify only, cap the app to a rate, or drop it to Low — applied through the driver as a rule
 * layered over the active profile's, and lifted when the period rolls over. What was reached
 * is stored per period, so a restart neither repeats a notification nor lifts an action.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { decide } from '../../driver-runtime/rules/rule-matching.ts';
import { identityKey } from '../../driver-runtime/rules/rule-validation.ts';
import type { MinuteOfWeek } from '../../driver-runtime/rules/schedule.ts';
import type { Rule, RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import type { AppIdentities, StoredApp } from './app-identities.ts';
import type { EventLog } from './event-log.ts';
import type { HistoryQuery } from './history-query.ts';
import type { Sample } from './history-writer.ts';
import { PERIODS, periodEnd, periodStart, type Period } from './periods.ts';

export const BUDGET_ACTIONS = ['notify', 'cap', 'low'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];
export const WARN_FRACTION = 0.8;

export const budgetSchema = z
  .object({
    app: z.string().min(1).max(1024),
    period: z.enum(PERIODS),
    limitBytes: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 53),
    action: z.enum(BUDGET_ACTIONS),
    capBps: z.number().int().min(8000).max(100e9).optional(),
  })
  .strict()
  .refine((b) => (b.action === 'cap') === (b.capBps !== undefined), {
    message: 'capBps is needed by the cap action, and only by it',
    path: ['capBps'],
  });
export type Budget = z.infer<typeof budgetSchema>;

export interface BudgetStatus extends Budget {
  name: string;
  usedBytes: number;
  periodStart: number;
  periodEnd: number;
  warned: boolean;
  reached: boolean;
}

export interface BudgetNotice {
  app: string;
  name: string;
  period: Period;
  level: 'warning' | 'reached' | 'lifted';
  message: string;
}

export class BudgetError extends Error {
  override name = 'BudgetError';
}

interface Tracked {
  budget: Budget;
  app: StoredApp;
  start: number;
  end: number;
  used: number;
  warned: boolean;
  reached: boolean;
}

export class Budgets {
  private tracked: Tracked[] = [];
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly apps: AppIdentities,
    private readonly history: HistoryQuery,
    private readonly events: EventLog,
    private readonly now: () => number,
    private readonly minuteOfWeek: () => MinuteOfWeek,
    /** Heard for every warning, action and lift (the OS notification, the page's banner). */
    private readonly notify: (n: BudgetNotice) => void,
    /** The overlay changed: the driver must be given the rules again. */
    private readonly rulesChanged: () => void,
  ) {
    this.q = {
      all: db.prepare<
        [],
        { app_key: string; period: Period; limit_bytes: number; action: BudgetAction; cap_bps: number | null }
      >('SELECT * FROM budgets ORDER BY app_key, period'),
      put: db.prepare<[string, string, number, string, number | null]>(
        `INSERT INTO budgets (app_key, period, limit_bytes, action, cap_bps) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(app_key, period) DO UPDATE SET limit_bytes = excluded.limit_bytes,
           action = excluded.action, cap_bps = excluded.cap_bps`,
      ),
      remove: db.prepare<[string, string]>('DELETE FROM budgets WHERE app_key = ? AND period = ?'),
      state: db.prepare<[string, string], { period_start: number; warned: number; reached: number }>(
        'SELECT period_start, warned, reached FROM budget_state WHERE app_key = ? AND period = ?',
      ),
      saveState: db.prepare<[string, string, number, number, number]>(
        `INSERT INTO budget_state (app_key, period, period_start, warned, reached) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(app_key, period) DO UPDATE SET period_start = excluded.period_start,
           warned = excluded.warned, reached = excluded.reached`,
      ),
      removeState: db.prepare<[string, string]>('DELETE FROM budget_state WHERE app_key = ? AND period = ?'),
    };
    this.reload();
  }

  list(): BudgetStatus[] {
    return this.tracked.map((t) => ({
      ...t.budget,
      name: t.app.name,
      usedBytes: t.used,
      periodStart: t.start,
      periodEnd: t.end,
      warned: t.warned,
      reached: t.reached,
    }));
  }

  set(input: unknown): BudgetStatus {
    const parsed = budgetSchema.safeParse(input);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new BudgetError(`budget ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    const b = parsed.data;
    if (this.apps.find(b.app) === undefined) throw new BudgetError(`budget: no app "${b.app}" has been seen`);
    this.db.transaction(() => {
      this.q.put.run(b.app, b.period, b.limitBytes, b.action, b.capBps ?? null);
      this.q.removeState.run(b.app, b.period);
      this.events.append(
        'budget',
        `budget for ${b.app} set: ${b.limitBytes} bytes per ${b.period}, then ${b.action}`,
        undefined,
        b,
      );
    })();
    const wasEnforcing = this.enforcing();
    this.reload();
    this.check();
    if (this.enforcing() !== wasEnforcing) this.rulesChanged();
    const status = this.list().find((s) => s.app === b.app && s.period === b.period);
    if (!status) throw new BudgetError('budget: stored but not tracked');
    return status;
  }

  remove(app: string, period: Period): void {
    const wasEnforcing = this.enforcing();
    this.db.transaction(() => {
      if (this.q.remove.run(app, period).changes === 0)
        throw new BudgetError(`no ${period} budget for "${app}"`);
      this.q.removeState.run(app, period);
      this.events.append('budget', `budget for ${app} per ${period} removed`);
    })();
    this.reload();
    if (this.enforcing() !== wasEnforcing) this.rulesChanged();
  }

  /** Counts a flush's samples against the budgets, then checks thresholds and period ends. */
  account(samples: readonly Sample[]): void {
    if (this.tracked.length === 0) return;
    for (const t of this.tracked)
      for (const s of samples) if (s.appId === t.app.id) t.used += s.txBytes + s.rxBytes;
    this.check();
  }

  /**
   * Rolls periods over and fires thresholds. Called after each flush and on a timer (a period can
   * end while an app is silent).
   */
  check(): void {
    const now = this.now();
    let changed = false;
    for (const t of this.tracked) {
      if (now >= t.end) {
        const lifted = t.reached && t.budget.action !== 'notify';
        this.startPeriod(t, now);
        if (lifted) {
          changed = true;
          this.tell(
            t,
            'lifted',
            `${t.app.name}: a new ${t.budget.period} began, its budget action is lifted`,
          );
        }
      }
      if (!t.warned && t.used >= WARN_FRACTION * t.budget.limitBytes) {
        t.warned = true;
        this.save(t);
        this.tell(
          t,
          'warning',
          `${t.app.name} used ${percent(t)} of its ${ADJECTIVE[t.budget.period]} budget`,
        );
      }
      if (!t.reached && t.used >= t.budget.limitBytes) {
        t.reached = true;
        this.save(t);
        const what = {
          notify: 'nothing changed (notify only)',
          cap: `capped to ${t.budget.capBps} b/s`,
          low: 'dropped to Low',
        }[t.budget.action];
        this.tell(t, 'reached', `${t.app.name} reached its ${ADJECTIVE[t.budget.period]} budget: ${what}`);
        if (t.budget.action !== 'notify') changed = true;
      }
    }
    if (changed) this.rulesChanged();
  }

  /** The profile's rules with the budget actions in force on top. */
  overlay(profile: RuleSet): RuleSet {
    const byApp = new Map<string, { app: StoredApp; low: boolean; cap: number }>();
    for (const t of this.tracked) {
      if (!t.reached || t.budget.action === 'notify') continue;
      const o = byApp.get(t.app.key) ?? { app: t.app, low: false, cap: Infinity };
      if (t.budget.action === 'low') o.low = true;
      else o.cap = Math.min(o.cap, t.budget.capBps ?? Infinity);
      byApp.set(t.app.key, o);
    }
    if (byApp.size === 0) return profile;
    const minute = this.minuteOfWeek();
    const overrides: Rule[] = [];
    const replaced = new Set<string>();
    for (const { app, low, cap } of byApp.values()) {
      const match =
        app.bundleId !== ''
          ? { bundleId: app.bundleId, ...(app.teamId ? { teamId: app.teamId } : {}) }
          : { path: app.path, ...(app.teamId ? { teamId: app.teamId } : {}) };
      replaced.add(identityKey(match));
      const level = low ? 'low' : decide(profile, this.apps.identityOf(app), minute).level;
      overrides.push({
        id: `budget:${app.key}`.slice(0, 64),
        name: `budget reached: ${app.name}`,
        match,
        priority: level,
        ...(Number.isFinite(cap) ? { capBps: cap } : {}),
        enabled: true,
      });
    }
    // The budget's rule replaces the profile's rules for exactly that identity (they would conflict).
    return {
      version: 1,
      rules: [...overrides, ...profile.rules.filter((r) => !replaced.has(identityKey(r.match)))],
    };
  }

  private enforcing(): string {
    return this.tracked
      .filter((t) => t.reached && t.budget.action !== 'notify')
      .map((t) => `${t.app.key}/${t.budget.period}`)
      .join(',');
  }

  private reload(): void {
    const now = this.now();
    this.tracked = [];
    for (const row of this.q.all.all()) {
      const app = this.apps.find(row.app_key);
      if (app === undefined) continue;
      const budget: Budget = {
        app: row.app_key,
        period: row.period,
        limitBytes: row.limit_bytes,
        action: row.action,
        ...(row.cap_bps !== null ? { capBps: row.cap_bps } : {}),
      };
      const t: Tracked = { budget, app, start: 0, end: 0, used: 0, warned: false, reached: false };
      const state = this.q.state.get(row.app_key, row.period);
      this.startPeriod(t, now);
      if (state && state.period_start === t.start) {
        t.warned = state.warned === 1;
        t.reached = state.reached === 1;
        this.save(t);
      }
      this.tracked.push(t);
    }
  }

  /** Begins the period containing `now`: usage counted from the history since its start. */
  private startPeriod(t: Tracked, now: number): void {
    t.start = periodStart(t.budget.period, now);
    t.end = periodEnd(t.budget.period, now);
    const used = this.history
      .totals(Math.floor(t.start / 1000), Math.ceil(now / 1000) + 1, [t.app.id])
      .get(t.app.id);
    t.used = used ? used.tx + used.rx : 0;
    t.warned = false;
    t.reached = false;
    this.save(t);
  }

  private save(t: Tracked): void {
    this.q.saveState.run(t.budget.app, t.budget.period, t.start, t.warned ? 1 : 0, t.reached ? 1 : 0);
  }

  private tell(t: Tracked, level: BudgetNotice['level'], message: string): void {
    this.events.append('budget', message, undefined, {
      app: t.app.key,
      period: t.budget.period,
      level,
      usedBytes: t.used,
    });
    this.notify({ app: t.app.key, name: t.app.name, period: t.budget.period, level, message });
  }
}

const ADJECTIVE: Record<Period, string> = { day: 'daily', week: 'weekly', month: 'monthly' };

function percent(t: Tracked): string {
  return `${Math.floor((100 * t.used) / t.budget.limitBytes)} %`;
}
