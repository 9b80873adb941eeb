/**
 * The Overview's frame budget with fifty apps live (the busy-desk workload, the app as it runs:
 * dext in its worker, store and recorder, web mode in Debian's Chromium): every long task
 * (> 50 ms on the page's main thread, PerformanceObserver 'longtask') during 10 s.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { AppCore } from '../main/app-core.ts';
import { SCENARIOS } from '../main/scenarios.ts';
import { WebServer } from '../main/web/web-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../main/web/chromium.ts';

export const FRAME_BUDGET_GOAL = { longTaskMs: 50 };

export interface FrameBudgetResult {
  apps: number;
  windowMs: number;
  longTasks: number;
  longestMs: number;
  totalLongMs: number;
}

export async function frameBudget(windowMs = 10_000): Promise<FrameBudgetResult | { skipped: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no ${CHROMIUM_PATH} (apt-get install chromium)` };
  const outDir = mkdtempSync(path.join(tmpdir(), 'netlanes-bench-renderer-'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netlanes-bench-data-'));
  await build({
    configFile: path.resolve('vite.renderer.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  const core = await AppCore.start({
    scenario: SCENARIOS['busy-desk'],
    scenarioName: 'busy-desk',
    worker: true,
    store: { file: path.join(dataDir, 'netlanes.db') },
    recordEveryMs: 1000,
  });
  const server = new WebServer(core, { staticDir: outDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    await server.listen();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByText('Driver running').waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 3000)); // every app seen, charts filling
    const tasks = (await page.evaluate(
      `new Promise((resolve) => {
        const seen = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e.duration); })
          .observe({ type: 'longtask', buffered: false });
        setTimeout(() => resolve(seen), ${windowMs});
      })`,
    )) as number[];
    return {
      apps: core.apps().length,
      windowMs,
      longTasks: tasks.length,
      longestMs: tasks.length ? Math.max(...tasks) : 0,
      totalLongMs: tasks.reduce((a, b) => a + b, 0),
    };
  } finally {
    await browser.close();
    await server.close();
    await core.dispose();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function frameBudgetReport(r: FrameBudgetResult | { skipped: string }): string {
  if ('skipped' in r) return `frame budget: skipped — ${r.skipped}`;
  const ok = r.longTasks === 0;
  return (
    `frame budget (Overview, ${r.apps} apps live, ${r.windowMs / 1000} s): ${r.longTasks} long tasks over ` +
    `${FRAME_BUDGET_GOAL.longTaskMs} ms (longest ${r.longestMs.toFixed(0)} ms) — goal none: ${ok ? 'pass' : 'MISS'}`
  );
}
