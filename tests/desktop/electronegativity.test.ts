/**
 * Electronegativity (Doyensec's Electron security scanner) over the whole repository with the
 * pinned Electron version: no finding above informational that is neither fixed nor explained
 * in the README's security section. It lives in tools/electronegativity/ (it brings its own
 * TypeScript 4.x and crashes on ours); .ci/run installs it there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TOOL = path.resolve('tools/electronegativity/node_modules/@doyensec/electronegativity/dist/index.js');
const skip = existsSync(TOOL) ? null : 'skipped: not installed — npm ci --prefix tools/electronegativity';
const ELECTRON = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies.electron.replace(/^[^\d]*/, '');

/** Findings the README explains (check id → why it stays). */
const EXPLAINED = ['PRELOAD_JS_CHECK', 'CSP_GLOBAL_CHECK'];

/**
 * The tool's CSV, one finding per record. It writes a finding's sample (a CSP, a line of code)
 * unquoted, so a sample with a line break continues on the next line: a record starts only
 * where a check id (`…_CHECK,`) starts a line.
 */
function parseCsv(text: string): string[][] {
  const records: string[] = [];
  for (const line of text.trim().split('\n').slice(1))
    if (/^[A-Z_]+_CHECK,/.test(line) || records.length === 0) records.push(line);
    else records[records.length - 1] += ` ${line}`;
  return records.map((record) =>
    [...record.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '')),
  );
}

describe.skipIf(skip !== null)(`electronegativity${skip ? ` (${skip})` : ''}`, () => {
  it('finds nothing above informational that is not fixed or explained', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-eneg-'));
    try {
      const out = path.join(dir, 'findings.csv');
      const r = spawnSync(process.execPath, [TOOL, '-i', '.', '-e', ELECTRON, '-r', '-o', out], {
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(existsSync(out), r.stderr || r.stdout).toBe(true);
      const findings = parseCsv(readFileSync(out, 'utf8')).map(
        ([id, severity, confidence, file, location]) => ({
          id,
          severity,
          confidence,
          where: `${file}:${location}`,
        }),
      );
      // out/ and dist/ are builds of the sources scanned here; a stale one must not speak for them.
      const serious = findings.filter(
        (f) => f.severity !== 'INFORMATIONAL' && !EXPLAINED.includes(f.id) && !/^(out|dist)\//.test(f.where),
      );
      expect(serious).toEqual([]);
      const readme = readFileSync('README.md', 'utf8');
      for (const id of EXPLAINED) expect(readme, `README explains ${id}`).toContain(id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
