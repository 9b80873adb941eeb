/**
 * The product's promise on screen: on a saturated link (the contention workload), a call put
 * in the uploads' lane waits its turn among them and behind the frames already in the ring
 * (~100 µs p99, per-app fair queueing keeps it from their backlog); raised to Highest, its p99
 * falls to the ~12 µs of a frame's wire time within seconds, as the Applications screen shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from '@playwright/test';
import { chromiumMissing } from '../support/chromium.ts';
import { go, startWebApp, type WebApp } from '../support/web-app.ts';

let app: WebApp;

/** The p99 the row shows, in ns (e.g. "4.72 ms" → 4_720_000); NaN while there is none. */
async function p99Ns(row: Locator): Promise<number> {
  const text = (await row.locator('.latency-figure').textContent()) ?? '';
  const m = /([\d.]+)\s*(ns|µs|ms|s)/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 }[m[2] as 'ns' | 'µs' | 'ms' | 's'];
}

describe.skipIf(chromiumMissing !== null)(
  `priority on screen${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      app = await startWebApp('contention');
    }, 120_000);
    afterAll(async () => {
      await app?.close();
    });

    it('a call in the uploads’ lane waits; raised to Highest its p99 falls several-fold within seconds', async () => {
      const page = await app.open();
      await go(page, 'Applications');
      const row = page.locator('tr[data-app="zoom.us"]');
      const lane = (name: string) =>
        row.getByRole('radiogroup', { name: 'Lane for zoom.us' }).getByRole('radio', { name });
      await lane('Low').click();
      await expect.poll(() => p99Ns(row), { timeout: 20_000, interval: 500 }).toBeGreaterThan(60e3);
      const inLow = await p99Ns(row);
      await lane('Highest').click();
      await expect.poll(() => p99Ns(row), { timeout: 15_000, interval: 500 }).toBeLessThan(30e3);
      expect(await p99Ns(row)).toBeLessThan(inLow / 3);
      await page.close();
    }, 90_000);
  },
);
