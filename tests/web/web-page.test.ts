/**
 * Web mode end to end: the renderer build served by the web server, a real Chromium page that
 * connects over the WebSocket with the token from its address, the card line and the four
 * lanes with live figures. Without the token the page says what to do instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.ts';
import { startWebApp, type WebApp } from '../support/web-app.ts';

let app: WebApp;

describe.skipIf(chromiumMissing !== null)(
  `web mode in Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      app = await startWebApp();
    }, 120_000);

    afterAll(async () => {
      await app?.close();
    });

    it('shows the card and four lanes with live rates, and takes the token out of the address bar', async () => {
      const page = await app.open();
      const header = page.getByRole('banner', { name: 'Network card' });
      expect(await header.textContent()).toMatch(
        /SIM-I2xx.*3c:22:fb:10:20:30.*1 Gb\/s full duplex.*MTU 1500.*Driver running/,
      );
      const lanes = page.locator('.lane-band');
      expect(await lanes.count()).toBe(4);
      expect(await lanes.locator('.lane-id').allTextContents()).toEqual([
        'HighestQueue 3',
        'HighQueue 2',
        'NormalQueue 1',
        'LowQueue 0',
      ]);
      // The home-office backup fills the Low lane: hundreds of Mb/s within a second or two.
      await expect
        .poll(async () => (await lanes.nth(3).textContent()) ?? '', { timeout: 15_000 })
        .toMatch(/\d{3} Mb\/s/);
      // Time Machine is in it, and the headline names who uses the link.
      expect(await lanes.nth(3).textContent()).toContain('Time Machine');
      await expect
        .poll(() => page.locator('.headline').textContent(), { timeout: 10_000 })
        .toMatch(/Time Machine is using \d+ % of the link/);
      expect(new URL(page.url()).hash).toBe('');
      // A reload keeps working (the token is kept for this tab).
      await page.reload();
      await page.getByText('Driver running').waitFor({ timeout: 15_000 });
      await page.close();
    }, 60_000);

    it('without the token, the page says where to find it', async () => {
      const page = await app.browser.newPage();
      await page.goto(`http://127.0.0.1:${app.server.port}/`);
      await expect
        .poll(() => page.getByRole('alert').first().textContent(), { timeout: 10_000 })
        .toMatch(/no token: open the address npm run start:web printed/);
      expect(await page.getByRole('banner').textContent()).toContain('Cannot reach NetLanes');
      await page.close();
    });
  },
);
