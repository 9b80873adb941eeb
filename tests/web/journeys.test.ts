/**
 * Journeys through the app in web mode, in a real Chromium against the live simulated
 * machine: every screen reachable by mouse and keyboard; an app raised to Highest lands in
 * Queue 3 (as the driver's own statistics say); a refused cap rolls back with the reason; the
 * Driver screen's hex view of the statistics mapping moves with the traffic; a link flap
 * injected in the Lab shows up as the driver's events; a what-if run compares two rule sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '@playwright/test';
import { chromiumMissing } from '../support/chromium.ts';
import { go, startWebApp, type WebApp } from '../support/web-app.ts';

let app: WebApp;
let page: Page;

const SCREENS = ['Overview', 'Applications', 'History', 'Driver', 'Lab', 'Settings'];

/** Controls without an accessible name (run in the page; tests have no DOM types). */
const UNNAMED_CONTROLS = `[...document.querySelectorAll('button, input, select, [role="radio"], [role="tab"]')]
  .filter((el) => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.labels?.length || el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 80))`;

/** The text of the hex rows that hold app.txPackets[] for slots 1..7 (offsets 0x40–0x7f). */
async function txPacketRows(p: Page): Promise<string> {
  const rows = await p.locator('.hex-row').allTextContents();
  return rows.filter((r) => /^000000[4-7]0/.test(r)).join('\n');
}

describe.skipIf(chromiumMissing !== null)(
  `journeys in Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      app = await startWebApp();
      page = await app.open();
    }, 120_000);

    afterAll(async () => {
      await app?.close();
    });

    it('reaches every screen from the sidebar, by mouse and by keyboard', async () => {
      for (const name of SCREENS) {
        await go(page, name);
        const current = page.getByRole('navigation', { name: 'Screens' }).locator('[aria-current="page"]');
        expect(await current.textContent()).toContain(name);
        expect(await page.title()).toBe(`${name} — NetLanes`);
      }
      expect(await page.locator('main').textContent()).toMatch(/Database.*Profiles.*Data budgets/s);
      // Keyboard: the sidebar is one tab stop; arrows move, Enter opens.
      await go(page, 'Overview');
      await page.getByRole('button', { name: 'Overview' }).focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
      // Ctrl+number jumps straight to a screen.
      await page.keyboard.press('Control+4');
      await page.getByRole('heading', { level: 1, name: 'Driver' }).waitFor();
      await page.keyboard.press('Control+1');
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    });

    it('raising FaceTime to Highest moves it to Queue 3, as the driver reports it', async () => {
      await go(page, 'Applications');
      const row = page.locator('tr[data-app="FaceTime"]');
      const picker = row.getByRole('radiogroup', { name: 'Lane for FaceTime' });
      // Home office: FaceTime's service class (VI) puts it in High.
      expect(await picker.getByRole('radio', { checked: true }).textContent()).toBe('High');
      await picker.getByRole('radio', { name: 'Highest' }).click();
      await expect
        .poll(() => picker.getByRole('radio', { checked: true }).textContent(), { timeout: 5_000 })
        .toBe('Highest');
      await page.getByRole('status').filter({ hasText: 'FaceTime → Highest (Queue 3)' }).waitFor();
      // The Overview's chip follows the queue the driver put its packets on (its stats region).
      await go(page, 'Overview');
      const chip = page.locator('.top-apps tr[data-app="FaceTime"] .chip');
      await expect.poll(() => chip.getAttribute('data-queue'), { timeout: 10_000 }).toBe('3');
      expect(await chip.textContent()).toBe('HighestQ3');
      expect(await page.locator('.lane-band').first().textContent()).toContain('FaceTime');
      // And by keyboard: on its row, 3 puts it back in Normal (lanes numbered top down).
      await go(page, 'Applications');
      await row.focus();
      await page.keyboard.press('3');
      await expect
        .poll(() => picker.getByRole('radio', { checked: true }).textContent(), { timeout: 5_000 })
        .toBe('Normal');
    });

    it('a cap the agent refuses says why and puts the control back', async () => {
      await go(page, 'Applications');
      const cap = page.getByRole('combobox', { name: 'Upload cap for Safari' });
      await cap.selectOption('custom');
      const input = page.getByRole('textbox', { name: 'Custom cap for Safari, Mb/s' });
      await input.fill('0.001');
      await input.press('Enter');
      const alert = page.getByRole('alert').filter({ hasText: 'refused the cap for Safari' });
      await alert.waitFor({ timeout: 5_000 });
      expect(await alert.textContent()).toMatch(/a cap must be at least 8.00 kb\/s. Nothing was changed/);
      expect(await cap.inputValue()).toBe('none');
      const rules = app.core.agent.currentRules.rules;
      expect(rules.find((r) => r.match.bundleId === 'com.apple.Safari')).toBeUndefined();
    });

    it("the Driver screen's hex view of the statistics mapping moves with the traffic", async () => {
      await go(page, 'Driver');
      await page.getByRole('tab', { name: 'Mappings' }).click();
      const hex = page.getByRole('region', { name: 'Hex view of the mapped memory' });
      await hex.waitFor();
      expect(await hex.textContent()).toMatch(/^00000000\s*4e 4c 53 54/); // "NLST", the stats magic
      const before = await txPacketRows(page);
      await expect.poll(() => txPacketRows(page), { timeout: 5_000 }).not.toBe(before);
      expect(await page.locator('.hex-b.hot').count()).toBeGreaterThan(0);
      // The registry lists the driver and this window's user client.
      const tree = page.getByRole('tree', { name: 'I/O Registry' });
      expect(await tree.textContent()).toMatch(/NetLanesDriver.*NetLanesUserClient/);
    });

    it('a link flap injected in the Lab appears as the driver’s events, and Diagnose names its object', async () => {
      await go(page, 'Lab');
      await page.getByRole('button', { name: /^Link flap/ }).click();
      const log = page.getByRole('log', { name: 'Events' });
      await log.locator('[data-event="link-down"]').waitFor({ timeout: 10_000 });
      expect(await log.locator('[data-event="link-down"]').first().textContent()).toContain('Link is Down');
      await log.locator('[data-event="link-up"]').nth(1).waitFor({ timeout: 10_000 });
      expect(await log.textContent()).toContain('inject link-flap');
      await go(page, 'Driver');
      await page.getByRole('tab', { name: 'Diagnostics' }).click();
      await page.getByRole('button', { name: 'NetLanesDriver' }).waitFor();
    });

    it('a what-if run shows progress and compares the two rule sets side by side', async () => {
      await go(page, 'Lab');
      await page.getByRole('tab', { name: 'What-if' }).click();
      await page
        .getByRole('radiogroup', { name: 'Lane for Time Machine in run B' })
        .getByRole('radio', { name: 'Highest' })
        .click();
      await page.getByRole('button', { name: 'Run the comparison' }).click();
      await page.getByRole('progressbar').waitFor({ timeout: 10_000 });
      const table = page.getByRole('table', { name: 'What-if comparison per app' });
      await table.waitFor({ timeout: 90_000 });
      const tm = table.getByRole('row', { name: /^Time Machine/ });
      expect(await tm.locator('.chip').allTextContents()).toEqual(['Low', 'Highest']);
      expect(await page.getByRole('img', { name: /^p99 wait per app/ }).count()).toBe(1);
      // Now lanes against one FIFO queue (RRUL-style): a latency CDF per app, each side drawn.
      await page.getByRole('radio', { name: /One FIFO queue/ }).click();
      await page.getByRole('button', { name: 'Run the comparison' }).click();
      await page
        .getByRole('heading', { name: 'Latency under load — CDF per app' })
        .waitFor({ timeout: 90_000 });
      expect(await page.locator('.what-if-table').textContent()).toMatch(/B · one FIFO queue/);
      expect(await page.locator('.cdf-cell').count()).toBeGreaterThanOrEqual(3);
    }, 180_000);

    it('every control has a name a screen reader can say', async () => {
      for (const name of SCREENS) {
        await go(page, name);
        const unnamed = (await page.evaluate(UNNAMED_CONTROLS)) as string[];
        expect(unnamed, name).toEqual([]);
      }
    });
  },
);
