/**
 * The app in web mode for browser tests: the renderer built into a temporary folder, the app
 * core with its dext in a worker (real time), the web server, and Debian's Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type Page } from '@playwright/test';
import { AppCore } from '../../main/app-core.ts';
import { WebServer } from '../../main/web/web-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { scenario } from '../machine/helpers.ts';

export interface WebApp {
  core: AppCore;
  server: WebServer;
  browser: Browser;
  /** A page at 1280×800 on the app, once the driver is live. */
  open(options?: { colorScheme?: 'light' | 'dark'; bypassCSP?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export interface WebAppOptions {
  /** The folder of the database (kept by the caller to test a restart); a fresh one otherwise. */
  dataDir?: string;
}

export async function startWebApp(
  scenarioName = 'home-office',
  options: WebAppOptions = {},
): Promise<WebApp> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'netlanes-renderer-'));
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'netlanes-data-'));
  await build({
    configFile: path.resolve('vite.renderer.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  // As the app runs: a database, the recorder sampling every second.
  const core = await AppCore.start({
    scenario: scenario(scenarioName),
    scenarioName,
    worker: true,
    store: { file: path.join(dataDir, 'netlanes.db') },
    recordEveryMs: 1000,
  });
  const server = new WebServer(core, { staticDir: outDir });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    core,
    server,
    browser,
    async open(options = {}) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...options });
      await page.goto(server.url);
      await page.getByText('Driver running').waitFor({ timeout: 20_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      await core.dispose();
      rmSync(outDir, { recursive: true, force: true });
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Clicks a screen in the sidebar and waits for its heading. */
export async function go(page: Page, screen: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: new RegExp(`^${screen}`) })
    .click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}
