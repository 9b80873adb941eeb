/**
 * Applications seen, with their identity: the rows history and budgets hang on. An app is the
 * same app across runs and restarts when its key (bundle id, else executable path) is the same.
 * `last_seen` moves as the history writer closes each minute (one statement for all apps).
 */
import type Database from 'better-sqlite3';
import type { AppIdentity } from '../../driver-runtime/abi/app-identity.ts';

export interface StoredApp {
  id: number;
  key: string;
  bundleId: string;
  path: string;
  teamId: string | null;
  name: string;
  serviceClass: number;
  firstSeen: number;
  lastSeen: number;
}

export function appKey(identity: Pick<AppIdentity, 'bundleId' | 'executablePath'>): string {
  return identity.bundleId !== '' ? identity.bundleId : identity.executablePath;
}

interface AppRow {
  id: number;
  key: string;
  bundle_id: string;
  path: string;
  team_id: string | null;
  name: string;
  service_class: number;
  first_seen: number;
  last_seen: number;
}

const toApp = (r: AppRow): StoredApp => ({
  id: r.id,
  key: r.key,
  bundleId: r.bundle_id,
  path: r.path,
  teamId: r.team_id,
  name: r.name,
  serviceClass: r.service_class,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

export class AppIdentities {
  private readonly upsert: Database.Statement<unknown[], { id: number }>;
  private readonly all: Database.Statement<[], AppRow>;
  private readonly byKey: Database.Statement<[string], AppRow>;
  /** key → id, so the recorder's per-second path does not ask SQLite. */
  private readonly ids = new Map<string, number>();

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO apps (key, bundle_id, path, team_id, name, service_class, first_seen, last_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET bundle_id = excluded.bundle_id, path = excluded.path,
         team_id = excluded.team_id, name = excluded.name, service_class = excluded.service_class,
         last_seen = excluded.last_seen
       RETURNING id`,
    );
    this.all = db.prepare('SELECT * FROM apps ORDER BY name COLLATE NOCASE');
    this.byKey = db.prepare('SELECT * FROM apps WHERE key = ?');
  }

  /** The app's id, recording it (or its new name, path or team) when first seen this run. */
  idFor(identity: AppIdentity, nowMs: number): number {
    const key = appKey(identity);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const row = this.upsert.get(
      key,
      identity.bundleId,
      identity.executablePath,
      identity.teamId ?? null,
      identity.name,
      identity.serviceClass,
      nowMs,
      nowMs,
    );
    if (row === undefined) throw new Error(`apps: no id returned for ${key}`);
    this.ids.set(key, row.id);
    return row.id;
  }

  list(): StoredApp[] {
    return this.all.all().map(toApp);
  }

  /** The identity rules are matched against (no process: the app as stored). */
  identityOf(app: StoredApp): AppIdentity {
    return {
      appId: 0,
      name: app.name,
      bundleId: app.bundleId,
      executablePath: app.path,
      pid: 0,
      ...(app.teamId ? { teamId: app.teamId } : {}),
      serviceClass: app.serviceClass,
    };
  }

  find(key: string): StoredApp | undefined {
    const r = this.byKey.get(key);
    return r === undefined ? undefined : toApp(r);
  }
}
