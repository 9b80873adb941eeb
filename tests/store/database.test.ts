/**
 * Opening the database: schema and pragmas, refusing a newer schema untouched, keeping a
 * corrupt file aside, and a folder that cannot be written.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, StoreUnavailableError } from '../../main/store/database.ts';
import { migrate, SCHEMA_VERSION, SchemaTooNewError } from '../../main/store/migrations.ts';
import { storeFixture, type Fixture } from './support/store-fixture.ts';

let f: Fixture;
afterEach(() => f?.cleanup());

describe('opening the database', () => {
  it('creates the schema with WAL, foreign keys and a busy timeout', () => {
    f = storeFixture();
    const { db, notices } = openDatabase(f.file);
    expect(notices).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'apps',
        'rules',
        'profiles',
        'events',
        'settings',
        'samples_1s',
        'samples_1m',
        'samples_1h',
        'budgets',
      ]),
    );
    db.close();
  });

  it('applies each migration once, in order, and again is a no-op', () => {
    f = storeFixture();
    const db = new Database(f.file);
    const steps = ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'];
    expect(migrate(db, steps.slice(0, 1))).toBe(1);
    expect(migrate(db, steps)).toBe(2);
    expect(migrate(db, steps)).toBe(2); // "CREATE TABLE a" again would throw
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('a failing migration leaves the previous version whole', () => {
    f = storeFixture();
    const db = new Database(f.file);
    expect(() => migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y); CREATE TABLE a (z)'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database from a newer NetLanes and leaves its bytes untouched', () => {
    f = storeFixture();
    const db = new Database(f.file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const before = readFileSync(f.file);
    expect(() => openDatabase(f.file)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(f.file)).toThrow(/newer NetLanes \(schema 6, this one knows up to 1\)/);
    expect(readFileSync(f.file).equals(before)).toBe(true);
  });

  it('keeps a file that is not a database aside, with a timestamp, and starts fresh', () => {
    f = storeFixture();
    writeFileSync(f.file, 'this is not an SQLite database, it is a shopping list'.repeat(100));
    const { db, notices } = openDatabase(f.file, { now: () => Date.UTC(2026, 11, 3, 14, 5, 9) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/kept as netlanes\.db\.corrupt-20261203T140509 and a fresh one started/);
    const aside = path.join(f.dir, 'netlanes.db.corrupt-20261203T140509');
    expect(readFileSync(aside, 'utf8')).toMatch(/^this is not an SQLite database/);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps a database with corrupt pages aside too', () => {
    f = storeFixture();
    const db = new Database(f.file);
    db.exec('CREATE TABLE t (x TEXT); ');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run('row '.repeat(20) + i);
    db.close();
    const bytes = readFileSync(f.file);
    for (let i = 4096 * 2; i < bytes.length; i += 512) bytes[i] ^= 0xff; // damage b-tree pages, keep the header
    writeFileSync(f.file, bytes);
    const opened = openDatabase(f.file);
    expect(opened.notices[0]).toMatch(/could not be read/);
    expect(readdirSync(f.dir).some((n) => n.startsWith('netlanes.db.corrupt-'))).toBe(true);
    opened.db.close();
  });

  it('a folder that cannot be created is a clear error, not a crash', () => {
    f = storeFixture();
    writeFileSync(path.join(f.dir, 'a-file'), 'x');
    const file = path.join(f.dir, 'a-file', 'sub', 'netlanes.db');
    expect(() => openDatabase(file)).toThrow(StoreUnavailableError);
    expect(() => openDatabase(file)).toThrow(/cannot create the folder/);
    expect(existsSync(file)).toBe(false);
  });
});
