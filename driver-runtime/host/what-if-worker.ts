/**
 * A what-if comparison in a thread of its own, so the live dext and the app stay responsive
 * while two deterministic runs take their seconds: progress goes out as `{ progress }`, the
 * per-app comparison as `{ result }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compareRuleSets } from './what-if.ts';
import type { Scenario } from '../stack/scenario.ts';
import type { RuleSet } from '../rules/rule-types.ts';

export interface WhatIfJob {
  scenario: Scenario;
  rulesA: RuleSet | null;
  rulesB: RuleSet | null;
  durationNs: number;
  seed?: number;
  /** B runs on one FIFO queue with no rules: priority against none (flent's RRUL, per app). */
  fifoB?: boolean;
}

const port = parentPort;
if (port === null) throw new Error('what-if-worker.ts runs only as a worker thread');
const job = workerData as WhatIfJob;
const r = compareRuleSets(
  {
    scenario: job.scenario,
    durationNs: job.durationNs,
    ...(job.seed !== undefined ? { seed: job.seed } : {}),
  },
  job.rulesA,
  job.fifoB ? null : job.rulesB,
  (fraction) => port.postMessage({ progress: fraction }),
  job.fifoB ? { driver: { txScheduler: 'fifo', singleQueue: true } } : {},
);
port.postMessage({
  result: {
    apps: r.apps,
    a: { linkUtilisation: r.a.report.linkUtilisation },
    b: { linkUtilisation: r.b.report.linkUtilisation, ...(job.fifoB ? { fifo: true } : {}) },
  },
});
