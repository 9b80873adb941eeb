/**
 * Durability: a process killed with SIGKILL in the middle of a burst of rule changes and
 * history writes, many times over one database — every commit it reported is there after each
 * restart, and SQLite's integrity check passes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store/store.ts';
import { storeFixture, type Fixture } from './support/store-fixture.ts';

const CHURN = path.join(import.meta.dirname, 'support', 'churn.ts');
const KILLS = 8;

let f: Fixture;
afterEach(() => f?.cleanup());

/** Runs the churn process until it has committed for `runMs` after it is ready, then kills it. */
function churnThenKill(file: string, runMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHURN, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      const first = !out.includes('ready\n');
      out += b.toString();
      if (first && out.includes('ready\n')) setTimeout(() => child.kill('SIGKILL'), runMs);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`churn ended with ${code}: ${err}`));
      // Only whole lines were surely written after their commit.
      else resolve(out.split('\n').slice(0, -1));
    });
  });
}

describe('durability', () => {
  it(`every reported commit survives ${KILLS} SIGKILLs mid-burst; integrity_check is ok`, async () => {
    f = storeFixture();
    const committedRules = new Set<string>();
    const committedSeconds = new Set<number>();
    for (let kill = 0; kill < KILLS; kill++) {
      const lines = await churnThenKill(f.file, 80 + kill * 37);
      for (const line of lines) {
        const [what, value] = line.split(' ');
        if (what === 'rule') committedRules.add(value);
        if (what === 'second') committedSeconds.add(Number(value));
      }
      const store = Store.open({ file: f.file, minuteOfWeek: () => 0, apply: async () => 1 });
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = new Set(store.rules.rules().rules.map((r) => r.id));
      for (const id of committedRules) expect(ids.has(id), `rule ${id} after kill ${kill}`).toBe(true);
      const seconds = new Set(store.db.prepare('SELECT t FROM samples_1s').pluck().all() as number[]);
      for (const s of committedSeconds) expect(seconds.has(s), `second ${s} after kill ${kill}`).toBe(true);
      store.close();
    }
    expect(committedRules.size).toBeGreaterThan(KILLS * 5); // the bursts did commit
  }, 120_000);
});
