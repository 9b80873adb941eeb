/**
 * `npm run start:web`: the app's main side without Electron — the dext in its worker, the
 * broker, the agent — with the renderer served on 127.0.0.1 and the one protocol on a
 * WebSocket beside it. Prints the URL with its token, and leaves the port and token where
 * `npm run netlanes` finds them (a file only this user can read).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIOS, SCENARIO_NAMES } from '../scenarios.ts';
import { AppCore } from '../app-core.ts';
import { databasePath } from '../store/data-dir.ts';
import { removeInstance, writeInstance } from './instance-file.ts';
import { WebServer } from './web-server.ts';
import { openBrowser } from './open-browser.ts';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const HELP = `npm run start:web -- [--port N] [--scenario NAME]

Runs NetLanes in web mode: the simulated machine in real time in a worker thread, the page
served on 127.0.0.1 only. Prints the page's URL (with its per-launch token).

  --port N         listen on port N (default: any free port)
  --scenario NAME  the scenario the simulated machine runs (default home-office)
  --open           open the page in the browser registered for URLs, where there is one
  --help           this text

The database (rules, profiles, budgets, traffic history) is the one the desktop app uses:
NetLanes/netlanes.db in the per-user app data folder; NETLANES_DATA_DIR moves the folder,
NETLANES_DB names the file.`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        scenario: { type: 'string', default: 'home-office' },
        open: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`start:web: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`start:web: --port ${values.port}: must be an integer 0..65535`);
    process.exit(2);
  }
  const scenario = SCENARIOS[values.scenario];
  if (scenario === undefined) {
    console.error(`start:web: --scenario ${values.scenario}: one of ${SCENARIO_NAMES.join(', ')}`);
    process.exit(2);
  }
  const staticDir = path.join(ROOT, 'out', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    console.error('start:web: the renderer is not built (out/renderer): run npm run build:renderer first');
    process.exit(2);
  }
  const core = await AppCore.start({
    scenario,
    scenarioName: values.scenario,
    scenarios: SCENARIOS,
    worker: true,
    store: { file: databasePath() },
    recordEveryMs: 1000,
  });
  if (core.storeError) console.warn(`start:web: running without a database: ${core.storeError}`);
  for (const notice of core.store?.notices ?? []) console.warn(`start:web: ${notice}`);
  if (core.store) console.log(`database: ${core.store.file}`);
  const server = new WebServer(core, { port, staticDir });
  const url = await server.listen();
  writeInstance({ port: server.port, token: server.token, pid: process.pid, url });
  console.log(`NetLanes web mode: ${url}`);
  if (values.open) openBrowser(url);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    removeInstance();
    await server.close();
    await core.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
