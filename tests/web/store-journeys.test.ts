/**
 * Journeys that need the database, in Chromium against the live app: history shows data; a
 * malformed rules file is refused with its problems and nothing changes; a budget reached
 * shows its notification and the app drops to Low; switching profile moves every affected
 * app; a rule survives a restart of the app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '@playwright/test';
import { chromiumMissing } from '../support/chromium.ts';
import { go, startWebApp, type WebApp } from '../support/web-app.ts';

let app: WebApp;
let page: Page;
const dataDir = mkdtempSync(path.join(tmpdir(), 'netlanes-journeys-'));

const checkedLane = (p: Page, name: string) =>
  p
    .locator(`tr[data-app="${name}"]`)
    .getByRole('radiogroup', { name: `Lane for ${name}` })
    .getByRole('radio', { checked: true });

describe.skipIf(chromiumMissing !== null)(
  `journeys with the database${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      app = await startWebApp('home-office', { dataDir });
      page = await app.open();
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('history shows what the recorder wrote, per app', async () => {
      await go(page, 'History');
      const list = page.locator('.history-apps');
      await expect.poll(() => list.textContent(), { timeout: 15_000 }).toMatch(/Time Machine.*MiB/s);
      await page.getByRole('img', { name: /Upload rate per app/ }).waitFor();
      expect(await page.getByRole('button', { name: 'Export CSV' }).isEnabled()).toBe(true);
    });

    it('a malformed rules file is refused with its problems, and nothing changes', async () => {
      await go(page, 'Applications');
      const before = app.core.store!.rules.exportDocument();
      const bad = JSON.stringify({
        format: 'netlanes-rules',
        version: 1,
        profiles: [{ name: 'Broken', rules: [{ id: 'x', match: {}, priority: 'urgent', enabled: true }] }],
      });
      await page
        .getByLabel('Rules file to import')
        .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
      const alert = page.getByRole('alert').filter({ hasText: 'refused, nothing changed' });
      await alert.waitFor({ timeout: 5_000 });
      expect(await alert.textContent()).toMatch(/profiles\[0\] "Broken": rule "x" \(rules\[0\]\)/);
      expect({ ...app.core.store!.rules.exportDocument(), exportedAt: '' }).toEqual({
        ...before,
        exportedAt: '',
      });
    });

    it('switching profile moves every affected app at once', async () => {
      await go(page, 'Applications');
      for (const name of ['FaceTime', 'Safari']) {
        await page.locator(`tr[data-app="${name}"]`).getByRole('radio', { name: 'Highest' }).click();
        await expect.poll(() => checkedLane(page, name).textContent(), { timeout: 5_000 }).toBe('Highest');
      }
      await go(page, 'Settings');
      await page.getByLabel(/New profile/).fill('Quiet');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.locator('.profile-list li').filter({ hasText: 'Quiet' }).waitFor();
      // Quiet is a copy of Default: empty it through the app's request, then switch in the UI.
      await app.core.store!.rules.switchProfile('Quiet');
      await app.core.store!.rules.setRules({ version: 1, rules: [] });
      await app.core.store!.rules.switchProfile('Default');
      await go(page, 'Applications');
      await page.getByLabel('Profile').selectOption({ label: 'Quiet (0 rules)' });
      // Back to their service classes: FaceTime (VI) High, Safari (BE) Normal.
      await expect.poll(() => checkedLane(page, 'FaceTime').textContent(), { timeout: 8_000 }).toBe('High');
      await expect.poll(() => checkedLane(page, 'Safari').textContent(), { timeout: 8_000 }).toBe('Normal');
      await page.getByLabel('Profile').selectOption({ label: 'Default (2 rules)' });
      await expect
        .poll(() => checkedLane(page, 'FaceTime').textContent(), { timeout: 8_000 })
        .toBe('Highest');
      await expect.poll(() => checkedLane(page, 'Safari').textContent(), { timeout: 8_000 }).toBe('Highest');
    });

    it('a budget reached shows its notification and the app drops to Low', async () => {
      await go(page, 'Settings');
      const form = page.locator('.budget-form');
      await form.getByLabel('Application').selectOption({ label: 'FaceTime' });
      await form.getByLabel('Limit (MB)').fill('0.4');
      await form.getByLabel('At 100 %').selectOption({ label: 'Drop to Low' });
      await form.getByRole('button', { name: 'Add budget' }).click();
      const notice = page.getByRole('region', { name: 'Budget notifications' });
      await expect
        .poll(() => notice.textContent().catch(() => ''), { timeout: 20_000 })
        .toMatch(/FaceTime reached its daily budget: dropped to Low/);
      await go(page, 'Applications');
      await expect.poll(() => checkedLane(page, 'FaceTime').textContent(), { timeout: 8_000 }).toBe('Low');
      await go(page, 'Settings');
      expect(await page.locator('.budget-table').textContent()).toMatch(/FaceTime.*reached/s);
    });

    it('a rule survives a restart of the app', async () => {
      await app.core.store!.budgets.remove('com.apple.FaceTime', 'day');
      await go(page, 'Applications');
      await page.locator('tr[data-app="Slack"]').getByRole('radio', { name: 'Low' }).click();
      await expect.poll(() => checkedLane(page, 'Slack').textContent(), { timeout: 5_000 }).toBe('Low');
      await app.close();
      app = await startWebApp('home-office', { dataDir });
      page = await app.open();
      await go(page, 'Applications');
      await expect.poll(() => checkedLane(page, 'Slack').textContent(), { timeout: 15_000 }).toBe('Low');
    });
  },
);
