import type { RuleSet } from '../rules/rule-types.ts';
import { runScenario, type RunOptions, type RunResult } from './run-scenario.ts';
import type { Grade } from './bufferbloat-grade.ts';

export interface SideFigures {
  txBps: number;
  p50: number;
  p99: number;
  grade: Grade;
  /** The app's latency histogram, [bucket, count] (for CDFs). */
  buckets: [number, number][];
}

export interface AppComparison {
  name: string;
  a: SideFigures;
  b: SideFigures;
}

export interface WhatIfResult {
  a: RunResult;
  b: RunResult;
  apps: AppComparison[];
}

/**
 * What-if: the same seeded scenario under two rule sets (or none), compared per app. The
 * runs are deterministic, so any difference comes from the rules alone. `onProgress`
 * receives the overall fraction done (0..1] across both runs — the app's what-if view
 * drives a progress bar with it.
 */
export function compareRuleSets(
  options: Omit<RunOptions, 'rules' | 'onProgress'>,
  rulesA: RuleSet | null,
  rulesB: RuleSet | null,
  onProgress?: (fraction: number) => void,
  /** Run B differently (e.g. one FIFO queue, the RRUL-style baseline). */
  sideB: Partial<Omit<RunOptions, 'rules' | 'onProgress'>> = {},
): WhatIfResult {
  const half = (offset: number) => (f: number) => onProgress?.(offset + f / 2);
  const a = runScenario({ ...options, ...(rulesA ? { rules: rulesA } : {}), onProgress: half(0) });
  const b = runScenario({
    ...options,
    ...sideB,
    ...(rulesB ? { rules: rulesB } : {}),
    onProgress: half(0.5),
  });
  const apps = a.report.apps.map((x, i) => {
    const y = b.report.apps[i];
    return {
      name: x.name,
      a: {
        txBps: x.txBps,
        p50: x.latency.p50,
        p99: x.latency.p99,
        grade: x.grade,
        buckets: x.latencyBuckets,
      },
      b: {
        txBps: y.txBps,
        p50: y.latency.p50,
        p99: y.latency.p99,
        grade: y.grade,
        buckets: y.latencyBuckets,
      },
    };
  });
  return { a, b, apps };
}
