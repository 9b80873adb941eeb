/**
 * Runs a what-if comparison (the lab's) in a worker thread: the same seeded scenario under two
 * rule sets, with progress as it goes. Arguments are checked before any thread starts.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseScenario } from '../driver-runtime/stack/scenario.ts';
import { validateRuleSet } from '../driver-runtime/rules/rule-validation.ts';
import type { WhatIfJob } from '../driver-runtime/host/what-if-worker.ts';

const ENTRY = new URL('../driver-runtime/host/what-if-worker.ts', import.meta.url);
const TS_BOOT = fileURLToPath(new URL('./broker/ts-worker-boot.mjs', import.meta.url));
const SCENARIOS = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../scenarios');
/** The longest what-if run (OURS: 60 s of virtual time each side; runs take ~1 s per virtual s). */
const MAX_DURATION_NS = 60e9;

const argsSchema = z.object({
  scenario: z.enum(['home-office', 'contention']),
  rulesA: z.unknown().nullable(),
  rulesB: z.unknown().nullable(),
  durationNs: z.number().positive().max(MAX_DURATION_NS),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
});

export async function runWhatIf(raw: unknown, progress: (fraction: number) => void): Promise<unknown> {
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`whatIf: ${issue.path.join('.')}: ${issue.message}`);
  }
  const a = parsed.data;
  const file = path.join(SCENARIOS, `${a.scenario}.json`);
  const job: WhatIfJob = {
    scenario: parseScenario(JSON.parse(readFileSync(file, 'utf8')), `${a.scenario}.json`),
    rulesA: a.rulesA === null ? null : validateRuleSet(a.rulesA),
    rulesB: a.rulesB === null ? null : validateRuleSet(a.rulesB),
    durationNs: a.durationNs,
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(TS_BOOT, { workerData: { ...job, __entry: ENTRY.href } });
    worker.on('message', (m: { progress?: number; result?: unknown }) => {
      if (m.progress !== undefined) progress(m.progress);
      if (m.result !== undefined) {
        resolve(m.result);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`what-if worker exited with ${code}`));
    });
  });
}
