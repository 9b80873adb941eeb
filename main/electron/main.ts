/**
 * The Electron main process: the app core (the dext in its worker, the broker, the agent), one
 * sandboxed, context-isolated window served from app://netlanes, and the Electron carrier. The
 * same core also listens on 127.0.0.1 with a token, so `npm run netlanes` and a browser can
 * reach the running app as they reach web mode.
 */
import {
  BrowserWindow,
  Menu,
  MessageChannelMain,
  Notification,
  app,
  ipcMain,
  protocol,
  screen,
  session,
  type MenuItemConstructorOptions,
} from 'electron';
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
import { exportRulesFile, importRulesFile } from './rules-files.ts';
import { startTray } from './tray.ts';
import { menuTemplate } from '../desktop/app-menu.ts';
import {
  DEFAULT_SIZE,
  MIN_SIZE,
  readWindowState,
  restoreBounds,
  writeWindowState,
} from '../desktop/window-state.ts';
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
  const userData = app.getPath('userData');
  const bounds = restoreBounds(
    readWindowState(userData),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width ?? DEFAULT_SIZE.width,
    height: bounds.height ?? DEFAULT_SIZE.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'NetLanes',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: PRELOAD,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      // Middle-click would open links in a new window before will-navigate could refuse them.
      disableBlinkFeatures: 'Auxclick',
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
  if (bounds.maximized) win.maximize();
  // Remember where the window was (its normal bounds, and whether it was maximized).
  win.on('close', () =>
    writeWindowState(userData, { ...win.getNormalBounds(), maximized: win.isMaximized() }),
  );
  void win.loadURL(DEV_URL ?? `${APP_ORIGIN}/index.html`);
  return win;
}

async function main(): Promise<void> {
  // One NetLanes per user: a second launch brings the first one's window forward.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
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
  // Budget warnings and actions through the OS's notifications.
  core.store?.onNotice((n) => {
    if (Notification.isSupported()) new Notification({ title: 'NetLanes', body: n.message }).show();
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

  let window: BrowserWindow | null = createWindow(allowedOrigins);
  const openWindow = () => {
    if (window === null || window.isDestroyed()) window = createWindow(allowedOrigins);
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  app.on('second-instance', openWindow);
  app.on('activate', openWindow);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(process.platform, {
        importRules: () => void importRulesFile(core.store, window),
        exportRules: () => void exportRulesFile(core.store, window),
      }) as MenuItemConstructorOptions[],
    ),
  );
  const stopTray = startTray(core, {
    openWindow,
    switchProfile: (name) =>
      void core.store?.rules
        .switchProfile(name)
        .catch((e: unknown) => console.warn(`NetLanes: ${String(e)}`)),
    setPaused: (paused) =>
      void core.store?.rules.setPaused(paused).catch((e: unknown) => console.warn(`NetLanes: ${String(e)}`)),
    quit: () => app.quit(),
  });
  // Quit cleanly on signals too: the driver stopped, the database closed.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    removeInstance();
    stopTray();
    bridge.dispose();
    void Promise.all([server.close(), core.dispose()]).finally(() => app.exit(0));
  });
  // The tray keeps the app (and its recorder) running with no window, as NetLimiter's does.
  app.on('window-all-closed', () => undefined);
}

void main();
