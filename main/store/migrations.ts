/**
 * The schema, as versioned migrations applied in order at start (`PRAGMA user_version` is the
 * version). A database newer than this code knows is refused, never touched: a downgrade must
 * not silently damage what a newer NetLanes wrote.
 *
 * History tables: `samples_1s` is keyed time-first (rows arrive in time order, rollups and
 * pruning read contiguous ranges); the rollups are keyed app-first (charts read one app's range).
 * Rates in rollups are bytes per second over the 1-second samples they cover. The sample tables
 * carry no foreign key to apps: their app ids come from the apps table's own ids (the recorder
 * asks it), and checking each of 200 rows a second would cost a quarter of the flush.
 */
import type Database from 'better-sqlite3';

/** A rollup table (minutes or hours): one shape, keyed app-first. */
function rollupTable(name: string): string {
  return `CREATE TABLE ${name} (
    app_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    seconds INTEGER NOT NULL,
    tx_bytes INTEGER NOT NULL,
    rx_bytes INTEGER NOT NULL,
    tx_min REAL NOT NULL, tx_max REAL NOT NULL,
    rx_min REAL NOT NULL, rx_max REAL NOT NULL,
    tx_packets INTEGER NOT NULL,
    rx_packets INTEGER NOT NULL,
    drops INTEGER NOT NULL,
    profile_id INTEGER,
    PRIMARY KEY (app_id, t)
  ) WITHOUT ROWID;`;
}

export const MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE apps (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    bundle_id TEXT NOT NULL,
    path TEXT NOT NULL,
    team_id TEXT,
    name TEXT NOT NULL,
    service_class INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  );
  CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE rules (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (profile_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    before TEXT,
    after TEXT
  );
  CREATE INDEX events_at ON events(at);
  CREATE TABLE samples_1s (
    t INTEGER NOT NULL,
    app_id INTEGER NOT NULL,
    tx_bytes INTEGER NOT NULL,
    rx_bytes INTEGER NOT NULL,
    tx_packets INTEGER NOT NULL,
    rx_packets INTEGER NOT NULL,
    drops INTEGER NOT NULL,
    profile_id INTEGER,
    PRIMARY KEY (t, app_id)
  ) WITHOUT ROWID;
  ${rollupTable('samples_1m')}
  ${rollupTable('samples_1h')}
  CREATE TABLE budgets (
    app_key TEXT NOT NULL,
    period TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
    limit_bytes INTEGER NOT NULL CHECK (limit_bytes > 0),
    action TEXT NOT NULL CHECK (action IN ('notify', 'cap', 'low')),
    cap_bps INTEGER,
    PRIMARY KEY (app_key, period)
  ) WITHOUT ROWID;
  CREATE TABLE budget_state (
    app_key TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    warned INTEGER NOT NULL DEFAULT 0,
    reached INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app_key, period)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

export function refuseNewer(version: number, known = MIGRATIONS.length): void {
  if (version > known)
    throw new SchemaTooNewError(
      `the database was written by a newer NetLanes (schema ${version}, this one knows up to ${known}); ` +
        'it was left untouched — update NetLanes, or move the file away to start fresh',
    );
}

/** Brings the schema up to SCHEMA_VERSION, each step in its own transaction; refuses newer ones. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  refuseNewer(version, migrations.length);
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}
