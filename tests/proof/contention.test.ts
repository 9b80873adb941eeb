/**
 * The proof the product exists for (issue "Per-application transmit priority" §4), asserted
 * from deterministic runs: virtual time, so the figures are exact, not timing-dependent.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runScenario } from '../../driver-runtime/host/run-scenario.ts';
import { validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import { scenario } from '../machine/helpers.ts';

const rules = (name: string) =>
  validateRuleSet(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../rules', name), 'utf8')));
const MS = 1e6;

describe('contention on a saturated 1 GbE link', () => {
  const withRules = runScenario({
    scenario: scenario('contention'),
    durationNs: 3000 * MS,
    rules: rules('contention.json'),
  });
  const fifo = runScenario({
    scenario: scenario('contention'),
    durationNs: 3000 * MS,
    driver: { txScheduler: 'fifo', singleQueue: true },
  });
  const app = (r: typeof withRules, name: string) => r.report.apps.find((a) => a.name === name)!;

  it('Highest (video call): p99 enqueue-to-wire ≤ 30 µs and no drops', () => {
    const zoom = app(withRules, 'zoom.us');
    expect(zoom.queue).toBe(3);
    expect(zoom.latency.count).toBeGreaterThan(700);
    expect(zoom.latency.p99).toBeLessThanOrEqual(30_000);
    expect(zoom.drops).toBe(0);
  });

  it('High (game): p99 ≤ 100 µs', () => {
    const game = app(withRules, 'League of Legends');
    expect(game.queue).toBe(2);
    expect(game.latency.p99).toBeLessThanOrEqual(100_000);
    expect(game.drops).toBe(0);
  });

  it('link utilisation ≥ 97 % while the bulk apps have data', () => {
    expect(withRules.report.linkUtilisation).toBeGreaterThanOrEqual(0.97);
  });

  it('the FIFO baseline is what priority fixes: interactive p99 improves by orders of magnitude', () => {
    for (const name of ['zoom.us', 'League of Legends']) {
      const factor = app(fifo, name).latency.p99 / app(withRules, name).latency.p99;
      expect(factor).toBeGreaterThan(100);
    }
    expect(app(withRules, 'zoom.us').grade).toBe('A+');
    expect(fifo.report.linkUtilisation).toBeGreaterThanOrEqual(0.97);
  });

  it('shuts down clean in both runs', () => {
    for (const r of [withRules, fifo])
      expect(r.leaks).toMatchObject({ liveObjects: 0, poolPacketsInUse: 0, hostAllocations: 0 });
  });
});

describe('per-app caps', () => {
  it('a 100 Mb/s cap holds the backup to its rate (frame bytes incl. FCS) and frees the link for the other bulk app', () => {
    const r = runScenario({
      scenario: scenario('contention'),
      durationNs: 2000 * MS,
      rules: rules('backup-capped.json'),
    });
    const backup = r.report.apps.find((a) => a.name === 'Backblaze')!;
    const dropbox = r.report.apps.find((a) => a.name === 'Dropbox')!;
    // txBytes count frames without FCS: the cap counts 4 more per frame.
    const capped = ((backup.txBytes + 4 * backup.txPackets) * 8) / 2;
    expect(capped).toBeGreaterThan(98e6);
    expect(capped).toBeLessThanOrEqual(100e6 * 1.01);
    expect(dropbox.txBps).toBeGreaterThan(800e6);
  });
});
