/**
 * The Electron main process: the app core (the dext in its worker, the broker, the agent), one
 * sandboxed, context-isolated window served from app://netlanes, and the Electron carrier. The
 * same core also listens on 127.0.0.1 with a token, so `npm run netlanes` and a browser can
 * reach the running app as they reach web mode.
 */
import { BrowserWindow, MessageChannelMain, app, ipcMain, protocol, session } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { AppCore } from '../app-core.ts';
import { databasePath } from '../store/data-dir.ts';
import { nativeBindingFor } from '../store/native-binding.ts';
import { DEFAULT_SCENARIO, SCENARIOS } from '../scenarios.ts';
import { contentSecurityPolicy, contentType, staticFile } from '../static-files.ts';
import { removeInstance, writeInstance } from '../web/instance-file.ts';
import { WebServer } from '../web/web-server.ts';
import { ElectronBridge } from './ipc-bridge.ts';
import { APP_ORIGIN } from './sender-check.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** electron-vite's layout: out/main (this file), out/preload, out/renderer. */
const RENDERER_DIR = path.join(HERE, '../renderer');
const PRELOAD = path.join(HERE, '../preload/index.cjs');
/** The dev server's address while developing (electron-vite dev), else the app's own origin. */
const DEV_URL = process.env.ELECTRON_RENDERER_URL;
const CSP = contentSecurityPolicy("'self'");

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

/** app://netlanes/… → a file of the renderer build, with the page's security headers. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = url.host === 'netlanes' ? staticFile(RENDERER_DIR, url.pathname) : null;
  if (file === null) return new Response('forbidden', { status: 403 });
  try {
    return new Response(await readFile(file), {
      headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': CSP },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function createWindow(allowedOrigins: readonly string[]): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 640,
    title: 'NetLanes',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: PRELOAD,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // No new windows, no navigation away from the app's own pages.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, target) => {
    let origin = '';
    try {
      const u = new URL(target);
      origin = u.protocol === 'app:' ? `app://${u.host}` : u.origin;
    } catch {
      // an unparsable target is refused like a foreign one
    }
    if (!allowedOrigins.includes(origin)) event.preventDefault();
  });
  void win.loadURL(DEV_URL ?? `${APP_ORIGIN}/index.html`);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle('app', serveRenderer);
  // The app asks for no permission (camera, notifications …): refuse them all.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const core = await AppCore.start({
    scenario: SCENARIOS[DEFAULT_SCENARIO],
    scenarioName: DEFAULT_SCENARIO,
    scenarios: SCENARIOS,
    worker: true,
    store: {
      file: databasePath(app.getPath('userData')),
      nativeBinding: () =>
        nativeBindingFor(app.isPackaged ? process.resourcesPath : path.join(HERE, '../..')),
    },
    recordEveryMs: 1000,
  });
  for (const notice of [core.storeError, ...(core.store?.notices ?? [])])
    if (notice) console.warn(`NetLanes: ${notice}`);
  const allowedOrigins = [APP_ORIGIN, ...(DEV_URL ? [new URL(DEV_URL).origin] : [])];
  const bridge = new ElectronBridge({
    ipcMain,
    newChannel: () => new MessageChannelMain(),
    allowedOrigins,
    attach: (carrier, name) => core.attach(carrier, { name, entitlements: APP_ENTITLEMENTS }),
    refused: (why) => console.warn(`netlanes: ${why}`),
  });
  const server = new WebServer(core, { staticDir: RENDERER_DIR });
  const url = await server.listen();
  writeInstance({ port: server.port, token: server.token, pid: process.pid, url });

  createWindow(allowedOrigins);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(allowedOrigins);
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    removeInstance();
    bridge.dispose();
    void Promise.all([server.close(), core.dispose()]).finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());
}

void main();
