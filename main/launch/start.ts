/**
 * `npm start`: the desktop app. Builds it (electron-vite), finds or fetches the Electron
 * binary, and runs it; where there is no Electron to be had, says so and starts web mode —
 * the same app core and page, in the browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fetchElectron, findElectron } from './electron-binary.ts';
import { rebuildSqliteForElectron } from './rebuild-sqlite.ts';

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => child.kill(s));
  });
}

async function main(): Promise<number> {
  let electron = findElectron();
  if ('missing' in electron) {
    console.log('netlanes: the Electron binary is not installed; fetching it once…');
    electron = fetchElectron();
  }
  if ('missing' in electron) {
    console.log(
      `netlanes: no Electron here (${electron.missing}); starting web mode instead — the address below.`,
    );
    return run('npm', ['run', 'start:web', '--silent', '--', '--open', ...process.argv.slice(2)]);
  }
  // The database's native addon, built for Electron once (the Node build stays for tests and web mode).
  const sqlite = rebuildSqliteForElectron(electron.path);
  if ('error' in sqlite) console.log(`netlanes: ${sqlite.error}; the app will run without its database.`);
  const built = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) return built.status ?? 1;
  return run(electron.path, ['.', ...process.argv.slice(2)]);
}

process.exit(await main());
