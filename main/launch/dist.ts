/**
 * `npm run dist`: installers for the host platform (electron-builder.yml). Builds the bundles,
 * the app icon and better-sqlite3 for Electron, then packages. Where Electron cannot be had
 * (no binary, no network for electron-builder's download), says so in one line and fails.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchElectron, findElectron } from './electron-binary.ts';
import { writeAppIcon } from './icon.ts';
import { rebuildSqliteForElectron } from './rebuild-sqlite.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function fail(why: string): never {
  console.error(`dist: ${why}`);
  process.exit(1);
}

let electron = findElectron();
if ('missing' in electron) electron = fetchElectron();
if ('missing' in electron)
  fail(
    `installers need Electron, which cannot be had here (${electron.missing}); run npm run dist where the network reaches github.com`,
  );
const sqlite = rebuildSqliteForElectron(electron.path, ROOT);
if ('error' in sqlite) fail(sqlite.error);
writeAppIcon(ROOT);
const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
  stdio: 'inherit',
  cwd: ROOT,
});
if (build.status !== 0) fail('the bundles did not build');
const pack = spawnSync(
  'npx',
  ['electron-builder', '--config', 'electron-builder.yml', '--publish', 'never'],
  {
    stdio: 'inherit',
    cwd: ROOT,
  },
);
if (pack.status !== 0) fail('electron-builder failed (see above)');
console.log(`dist: installers in ${path.join(ROOT, 'dist')}`);
