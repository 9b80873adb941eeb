import type { ScenarioReport } from '../../driver-runtime/host/scenario-report.ts';
import { mbps, table, us } from './format.ts';

/** What-if: the same seeded scenario under two rule sets, per app side by side. */
export function comparisonText(a: ScenarioReport, b: ScenarioReport): string {
  return table(
    ['app', 'A Mb/s', 'B Mb/s', 'A p50 µs', 'B p50 µs', 'A p99 µs', 'B p99 µs', 'A grade', 'B grade'],
    a.apps.map((x, i) => {
      const y = b.apps[i];
      return [
        x.name,
        mbps(x.txBps),
        mbps(y.txBps),
        us(x.latency.p50),
        us(y.latency.p50),
        us(x.latency.p99),
        us(y.latency.p99),
        x.grade,
        y.grade,
      ];
    }),
  );
}

/** Improvement of each app's p99 over the single-FIFO baseline (baseline p99 / ours). */
export function baselineText(ours: ScenarioReport, fifo: ScenarioReport): string {
  return table(
    ['app', 'FIFO p99 µs', 'NetLanes p99 µs', 'improvement', 'FIFO grade', 'NetLanes grade'],
    ours.apps.map((x, i) => {
      const y = fifo.apps[i];
      const factor = x.latency.p99 > 0 ? y.latency.p99 / x.latency.p99 : 0;
      return [
        x.name,
        us(y.latency.p99),
        us(x.latency.p99),
        `${factor.toFixed(factor >= 10 ? 0 : 2)}×`,
        y.grade,
        x.grade,
      ];
    }),
  );
}
