/**
 * Where the Electron binary is, or why there is none. The `electron` package downloads it in
 * an install script, which this project does not run (npm install must work offline), so the
 * binary is fetched on first use where the network allows, and its absence is an answer, not
 * a crash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type ElectronBinary = { path: string } | { missing: string };

export function findElectron(): ElectronBinary {
  try {
    const binary = require('electron') as unknown;
    if (typeof binary === 'string' && existsSync(binary)) return { path: binary };
    return { missing: `the electron package names ${String(binary)}, which does not exist` };
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return {
      missing: /failed to install/.test(message)
        ? 'the Electron binary was never downloaded (its install script is off so npm install works offline; npm start fetches it where the network allows)'
        : message,
    };
  }
}

/** Runs the electron package's own download (its install script); the binary, or why not. */
export function fetchElectron(timeoutMs = 120_000): ElectronBinary {
  let script: string;
  try {
    script = require.resolve('electron/install.js');
  } catch {
    return { missing: 'the electron package is not installed (npm install)' };
  }
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) {
    // The first line names the error (e.g. "RequestError: getaddrinfo ENOTFOUND github.com").
    const why = (r.stderr || r.stdout || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    return { missing: `downloading Electron failed: ${why}` };
  }
  // The package reads its path file at load: ask a fresh process.
  const check = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    encoding: 'utf8',
    cwd: process.cwd(),
  });
  return check.status === 0 && existsSync(check.stdout)
    ? { path: check.stdout }
    : { missing: 'download ran but no binary appeared' };
}
