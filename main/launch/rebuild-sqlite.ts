/**
 * `npm run rebuild:electron-sqlite`: builds better-sqlite3 for Electron's ABI into
 * native/electron-<abi>/, from a copy of the package, so the Node build in node_modules that
 * tests and web mode use is never replaced. Needs the Electron binary (for its ABI) and
 * Electron's headers (node-gyp downloads them); says which is missing otherwise.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBindingPath } from '../store/native-binding.ts';
import { findElectron } from './electron-binary.ts';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type RebuildResult = { file: string; built: boolean } | { error: string };

/** Electron's NODE_MODULE_VERSION, asked of the binary itself. */
function electronAbi(electronPath: string): string | null {
  const r = spawnSync(electronPath, ['-p', 'process.versions.modules'], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 30_000,
  });
  const abi = r.stdout?.trim();
  return r.status === 0 && /^\d+$/.test(abi) ? abi : null;
}

export function rebuildSqliteForElectron(electronPath: string, root = ROOT): RebuildResult {
  const abi = electronAbi(electronPath);
  if (abi === null) return { error: `could not ask ${electronPath} for its ABI` };
  const target = electronBindingPath(root, abi);
  if (existsSync(target)) return { file: target, built: false };
  const version = (
    JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }
  ).version;
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(path.join(tmpdir(), 'netlanes-sqlite-'));
  try {
    const copy = path.join(work, 'better-sqlite3');
    cpSync(source, copy, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });
    const gyp = require.resolve('node-gyp/bin/node-gyp.js');
    const r = spawnSync(
      process.execPath,
      [
        gyp,
        'rebuild',
        '--release',
        `--target=${version}`,
        '--runtime=electron',
        '--dist-url=https://electronjs.org/headers',
      ],
      { cwd: copy, encoding: 'utf8', timeout: 15 * 60_000 },
    );
    const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (r.status !== 0 || !existsSync(built)) {
      const why = `${r.stderr ?? ''}${r.stdout ?? ''}`
        .trim()
        .split('\n')
        .filter((l) => /ERR!|error/i.test(l))
        .slice(0, 3);
      return {
        error: `building better-sqlite3 for Electron ${version} failed (it needs Electron's headers): ${why.join(' | ') || `exit ${r.status}`}`,
      };
    }
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(built, target);
    return { file: target, built: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const electron = findElectron();
  if ('missing' in electron) {
    console.error(`rebuild:electron-sqlite: no Electron binary (${electron.missing})`);
    process.exit(2);
  }
  const result = rebuildSqliteForElectron(electron.path);
  if ('error' in result) {
    console.error(`rebuild:electron-sqlite: ${result.error}`);
    process.exit(1);
  }
  console.log(`better-sqlite3 for Electron: ${result.file}${result.built ? ' (built)' : ' (already there)'}`);
}
