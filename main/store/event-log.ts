/**
 * The events the user can look back on: link changes, faults, rule and profile changes (with
 * the rule set before and after), budget warnings, store notices. Appended in the transaction
 * of the change they describe, so an event never exists without its change or the reverse.
 */
import type Database from 'better-sqlite3';

export type EventKind = 'rules' | 'profile' | 'budget' | 'link' | 'fault' | 'driver' | 'store';

export interface StoredEvent {
  id: number;
  at: number;
  kind: EventKind;
  message: string;
  before?: unknown;
  after?: unknown;
}

interface EventRow {
  id: number;
  at: number;
  kind: EventKind;
  message: string;
  before: string | null;
  after: string | null;
}

export class EventLog {
  private readonly insert: Database.Statement<[number, string, string, string | null, string | null]>;
  private readonly page: Database.Statement<[number, number], EventRow>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, kind, message, before, after) VALUES (?, ?, ?, ?, ?)');
    this.page = db.prepare('SELECT * FROM events WHERE id < ? ORDER BY id DESC LIMIT ?');
  }

  append(kind: EventKind, message: string, before?: unknown, after?: unknown): number {
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    return Number(this.insert.run(this.now(), kind, message, json(before), json(after)).lastInsertRowid);
  }

  /** The newest events first, `limit` of them, older than event `beforeId`. */
  list(limit = 100, beforeId = Number.MAX_SAFE_INTEGER): StoredEvent[] {
    return this.page.all(beforeId, Math.max(1, Math.min(limit, 1000))).map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      message: r.message,
      ...(r.before !== null ? { before: JSON.parse(r.before) as unknown } : {}),
      ...(r.after !== null ? { after: JSON.parse(r.after) as unknown } : {}),
    }));
  }
}
