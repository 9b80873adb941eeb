/**
 * Opening the database: WAL, pragmas, migrations, and what to do when the file is bad.
 * A file that is not a database or is corrupt is kept aside (renamed with a timestamp, with its
 * -wal and -shm) and a fresh one started, with a notice for the user; a database from a newer
 * NetLanes is refused untouched; a folder that cannot be written is a clear error the app
 * survives (it runs on with the driver's current rules, without a store).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, refuseNewer, SchemaTooNewError } from './migrations.ts';

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface OpenOptions {
  /** better-sqlite3's `nativeBinding` (the Electron build under Electron). */
  nativeBinding?: string;
  /** Wall clock, ms (the aside file's timestamp). */
  now?: () => number;
}

export interface OpenedDatabase {
  db: Database.Database;
  file: string;
  /** What the user should be told (a corrupt file kept aside…). */
  notices: string[];
}

/** SQLite's answers for "this file is not a usable database". */
const BAD_FILE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN']);

function sqliteCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a crash of the app (SIGKILL), the
  // last few may be lost on power loss — the usual trade for a desktop app's history.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('journal_size_limit = 67108864');
}

function openAndCheck(file: string, options: OpenOptions): Database.Database {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // Before anything writes (WAL mode rewrites the header): a newer schema is left as it is.
    refuseNewer(db.pragma('user_version', { simple: true }) as number);
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok')
      throw Object.assign(new Error(`quick_check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    configure(db);
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Renames the bad file and its WAL companions aside; returns the new name. */
function keepAside(file: string, now: number): string {
  const aside = `${file}.corrupt-${stamp(now)}`;
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}

export function openDatabase(file: string, options: OpenOptions = {}): OpenedDatabase {
  const now = options.now ?? Date.now;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw new StoreUnavailableError(`cannot create the folder for ${file}: ${reason(e)}`);
  }
  const notices: string[] = [];
  try {
    return { db: openAndCheck(file, options), file, notices };
  } catch (e) {
    if (e instanceof SchemaTooNewError) throw e;
    const code = sqliteCode(e);
    if (code === undefined || !BAD_FILE_CODES.has(code) || !existsSync(file))
      throw new StoreUnavailableError(`cannot open the database ${file}: ${reason(e)}`);
    let aside: string;
    try {
      aside = keepAside(file, now());
    } catch (renameError) {
      throw new StoreUnavailableError(
        `the database ${file} is unreadable (${reason(e)}) and could not be moved aside: ${reason(renameError)}`,
      );
    }
    notices.push(
      `The database could not be read (${reason(e)}); it was kept as ${path.basename(aside)} and a fresh one started.`,
    );
  }
  try {
    return { db: openAndCheck(file, options), file, notices };
  } catch (e) {
    throw new StoreUnavailableError(`cannot start a fresh database at ${file}: ${reason(e)}`);
  }
}
