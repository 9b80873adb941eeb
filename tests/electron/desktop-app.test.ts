/**
 * The desktop app in Electron (Playwright's Electron driver), the web journeys' main steps
 * through the Electron carrier: the window loads from app://, the page is sandboxed and sees
 * only the preload's two functions, every screen opens, a lane change reaches the driver, the
 * database is the app's own. Without a display it starts Xvfb. Skips, saying why, where the
 * Electron binary cannot be had.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { build } from 'electron-vite';
import { findElectron } from '../../main/launch/electron-binary.ts';

const electron = findElectron();
const skip = 'missing' in electron ? `skipped: no Electron binary — ${electron.missing}` : null;

describe.skipIf(skip !== null)(`the desktop app${skip ? ` (${skip})` : ''}`, () => {
  const runtime = mkdtempSync(path.join(tmpdir(), 'netlanes-electron-'));
  let app: ElectronApplication;
  let page: Page;
  let xvfb: ChildProcess | null = null;
  const display: Record<string, string> = {};

  beforeAll(async () => {
    if (!process.env.DISPLAY && process.platform === 'linux' && existsSync('/usr/bin/Xvfb')) {
      xvfb = spawn('/usr/bin/Xvfb', [':97', '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], {
        stdio: 'ignore',
      });
      display.DISPLAY = ':97';
      await new Promise((r) => setTimeout(r, 500));
    }
    await build({ configFile: path.resolve('electron.vite.config.ts'), logLevel: 'warn' });
    app = await _electron.launch({
      executablePath: (electron as { path: string }).path,
      args: ['.'],
      env: { ...process.env, ...display, NETLANES_RUNTIME_DIR: runtime, NETLANES_DATA_DIR: runtime },
    });
    page = await app.firstWindow();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    xvfb?.kill();
    rmSync(runtime, { recursive: true, force: true });
  });

  it('loads the page from app:// and shows the card and the four lanes', async () => {
    expect(page.url()).toBe('app://netlanes/index.html');
    await expect
      .poll(() => page.getByRole('banner', { name: 'Network card' }).textContent(), { timeout: 20_000 })
      .toMatch(/Driver running/);
    expect(await page.locator('.lane-band').count()).toBe(4);
  });

  it('the page is sandboxed: no Node, only the bridge’s two functions', async () => {
    const seen = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as unknown as { netlanes: object }).netlanes).sort(),
    }));
    expect(seen).toEqual({ require: 'undefined', process: 'undefined', bridge: ['connect', 'send'] });
  });

  it('every screen opens from the sidebar and Ctrl+number', async () => {
    for (const name of ['Overview', 'Applications', 'History', 'Driver', 'Lab', 'Settings']) {
      await page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('button', { name: new RegExp(`^${name}`) })
        .click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }
    await page.keyboard.press('Control+1');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  it('raising FaceTime to Highest reaches the driver over the Electron carrier', async () => {
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: /^Applications/ })
      .click();
    const picker = page
      .locator('tr[data-app="FaceTime"]')
      .getByRole('radiogroup', { name: 'Lane for FaceTime' });
    await picker.getByRole('radio', { name: 'Highest' }).click();
    await expect
      .poll(() => picker.getByRole('radio', { checked: true }).textContent(), { timeout: 10_000 })
      .toBe('Highest');
  });

  it('keeps its database in the data folder it was given', async () => {
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: /^Settings/ })
      .click();
    await expect
      .poll(() => page.locator('.facts').textContent(), { timeout: 10_000 })
      .toContain(path.join(runtime, 'netlanes.db'));
  });
});
