/** The better-sqlite3 build is chosen per runtime: Node's own, or the Electron build beside it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBindingPath, nativeBindingFor } from '../../main/store/native-binding.ts';
import { databasePath, dataDir } from '../../main/store/data-dir.ts';

describe('the native binding per runtime', () => {
  it('under Node: none (better-sqlite3 loads its own build)', () => {
    expect(nativeBindingFor('/nowhere', { modules: '115' })).toBeUndefined();
  });

  it('under Electron: the build for its ABI, or an error naming the command that makes it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'netlanes-native-'));
    try {
      expect(() => nativeBindingFor(root, { electron: '41.7.1', modules: '145' })).toThrow(
        /no build for Electron 41\.7\.1 \(ABI 145\): run `npm run rebuild:electron-sqlite`/,
      );
      const file = electronBindingPath(root, '145');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '');
      expect(nativeBindingFor(root, { electron: '41.7.1', modules: '145' })).toBe(file);
      expect(file).toBe(path.join(root, 'native', 'electron-145', 'better_sqlite3.node'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('where the database lives', () => {
  it("is the OS's per-user app data folder, Electron's userData when given, or the override", () => {
    expect(dataDir(undefined, { XDG_CONFIG_HOME: '/home/u/.config' })).toBe('/home/u/.config/NetLanes');
    expect(dataDir('/electron/userData', {})).toBe('/electron/userData');
    expect(dataDir('/electron/userData', { NETLANES_DATA_DIR: '/tmp/t' })).toBe('/tmp/t');
    expect(databasePath(undefined, { NETLANES_DATA_DIR: '/tmp/t' })).toBe('/tmp/t/netlanes.db');
    expect(databasePath(undefined, { NETLANES_DB: '/x/y.db' })).toBe('/x/y.db');
  });
});
