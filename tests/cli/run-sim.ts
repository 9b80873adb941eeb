/** Spawns `npm run sim` the way a user runs it, with a guard so a hang fails instead of stalling. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SimResult {
  /** null when the guard killed it (a hang). */
  status: number | null;
  stdout: string;
  stderr: string;
}

export function sim(...args: string[]): SimResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/sim.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Refused as the CLI promises: status 2, nothing on stdout, one `sim: …` line naming `names`, no stack trace. */
export function expectRefusal(r: SimResult, ...names: string[]): void {
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).toMatch(/^sim: [^\n]+\n$/);
  for (const n of names) expect(r.stderr).toContain(n);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
}
