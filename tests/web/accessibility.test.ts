/**
 * axe-core over every screen, in light and dark: no serious or critical violation (contrast,
 * names, roles, keyboard traps…). The page's CSP is bypassed only to let the test inject axe.
 * Each screen is kept as a screenshot (test-artifacts/screens/, 1280×800 and 1920×1080).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from '../support/chromium.ts';
import { go, startWebApp, type WebApp } from '../support/web-app.ts';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const SCREENS = ['Overview', 'Applications', 'History', 'Driver', 'Lab', 'Settings'];
const SHOTS = path.resolve('test-artifacts', 'screens');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let app: WebApp;

describe.skipIf(chromiumMissing !== null)(
  `accessibility (axe-core)${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`,
  () => {
    beforeAll(async () => {
      app = await startWebApp();
    }, 120_000);
    afterAll(async () => {
      await app?.close();
    });

    for (const scheme of ['light', 'dark'] as const)
      it(`every screen in ${scheme}: no serious or critical violation`, async () => {
        const page = await app.open({ colorScheme: scheme, bypassCSP: true });
        await new Promise((r) => setTimeout(r, 2500)); // live figures and history to show
        const found: string[] = [];
        for (const screen of SCREENS) {
          await go(page, screen);
          await new Promise((r) => setTimeout(r, 800));
          mkdirSync(SHOTS, { recursive: true });
          await page.screenshot({ path: path.join(SHOTS, `${screen.toLowerCase()}-${scheme}-1280x800.png`) });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.screenshot({
            path: path.join(SHOTS, `${screen.toLowerCase()}-${scheme}-1920x1080.png`),
          });
          await page.setViewportSize({ width: 1280, height: 800 });
          await page.addScriptTag({ path: AXE });
          const violations = (await page.evaluate(
            'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
          )) as Violation[];
          for (const v of violations)
            if (v.impact === 'serious' || v.impact === 'critical')
              found.push(
                `${screen}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
                  .map((n) => n.target.join(' '))
                  .slice(0, 3)
                  .join('; ')}`,
              );
        }
        await page.close();
        expect(found, found.join('\n')).toEqual([]);
      }, 120_000);
  },
);
