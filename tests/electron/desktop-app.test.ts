/**
 * The desktop app in Electron (Playwright's Electron driver): the window loads from app://,
 * the page is sandboxed and sees only the preload's two functions, and the driver's figures
 * arrive over the Electron carrier. Skips, saying why, where the Electron binary cannot be had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

  beforeAll(async () => {
    await build({ configFile: path.resolve('electron.vite.config.ts'), logLevel: 'warn' });
    app = await _electron.launch({
      executablePath: (electron as { path: string }).path,
      args: ['.'],
      env: { ...process.env, NETLANES_RUNTIME_DIR: runtime, NETLANES_DATA_DIR: runtime },
    });
    page = await app.firstWindow();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
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
});
