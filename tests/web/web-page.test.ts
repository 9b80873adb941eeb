/**
 * Web mode end to end: the renderer build served by the web server, a real Chromium page that
 * connects over the WebSocket with the token from its address, and the driver's live figures
 * on the page. Without the token the page says what to do instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser } from '@playwright/test';
import { AppCore } from '../../main/app-core.ts';
import { WebServer } from '../../main/web/web-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing } from '../support/chromium.ts';
import { scenario } from '../machine/helpers.ts';

const outDir = mkdtempSync(path.join(tmpdir(), 'netlanes-renderer-'));
let core: AppCore;
let server: WebServer;
let browser: Browser;

describe.skipIf(chromiumMissing !== null)(
  `web mode in Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      await build({
        configFile: path.resolve('vite.renderer.config.ts'),
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true },
      });
      core = await AppCore.start({ scenario: scenario('home-office'), worker: true });
      server = new WebServer(core, { staticDir: outDir });
      await server.listen();
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await core?.dispose();
      rmSync(outDir, { recursive: true, force: true });
    });

    it('shows the card and four lanes with live rates, and takes the token out of the address bar', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url);
      await expect.poll(() => page.textContent('header'), { timeout: 15_000 }).toMatch(/driver running/);
      expect(await page.textContent('header')).toMatch(/1\.00 Gb\/s full duplex · MTU 1500/);
      const lanes = page.locator('.lane');
      expect(await lanes.count()).toBe(4);
      expect(await lanes.allTextContents()).toEqual([
        expect.stringMatching(/^Highest Queue 3/),
        expect.stringMatching(/^High Queue 2/),
        expect.stringMatching(/^Normal Queue 1/),
        expect.stringMatching(/^Low Queue 0/),
      ]);
      // The home-office backup fills the Low lane: hundreds of Mb/s within a second or two.
      await expect
        .poll(async () => (await lanes.nth(3).textContent()) ?? '', { timeout: 15_000 })
        .toMatch(/\d+(\.\d+)? Mb\/s/);
      expect(new URL(page.url()).hash).toBe('');
      // A reload keeps working (the token is kept for this tab).
      await page.reload();
      await expect.poll(() => page.textContent('header'), { timeout: 15_000 }).toMatch(/driver running/);
      await page.close();
    }, 60_000);

    it('without the token, the page says where to find it', async () => {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      await expect
        .poll(() => page.textContent('header'), { timeout: 10_000 })
        .toMatch(/no token: open the address npm run start:web printed/);
      await page.close();
    });
  },
);
