/**
 * Runs what-if comparisons for the lab, each in a thread of its own so the live machine keeps
 * its pace: the arguments are checked before a thread starts, progress and the result come
 * back as the thread sends them, and a job's result stays readable until it is collected.
 */
import { z } from 'zod';
import type { Scenario } from '../stack/scenario.ts';
import { validateRuleSet } from '../rules/rule-validation.ts';
import type { WhatIfJob } from './what-if-worker.ts';
import { startThread, threadEntry } from './thread.ts';

/** The longest what-if run (OURS: 60 s of virtual time each side; a run takes ~1 s per virtual s). */
export const WHAT_IF_MAX_DURATION_NS = 60e9;
/** Finished jobs kept for GetWhatIfResult (OURS). */
const RESULTS_KEPT = 8;

const argsSchema = z
  .object({
    scenario: z.string().min(1).max(64),
    rulesA: z.unknown().nullable(),
    rulesB: z.unknown().nullable(),
    durationNs: z.number().positive().max(WHAT_IF_MAX_DURATION_NS),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** Run B on one FIFO queue without rules (rulesB is then ignored). */
    fifoB: z.boolean().optional(),
  })
  .strict();

export type WhatIfOutcome = { ok: true; result: unknown } | { ok: false; error: string };

export interface WhatIfListener {
  progress(jobId: number, fraction: number): void;
  done(jobId: number, outcome: WhatIfOutcome): void;
}

export class WhatIfLauncher {
  private nextJob = 1;
  private readonly running = new Set<{ terminate(): Promise<number> }>();
  private readonly results = new Map<number, WhatIfOutcome>();
  private disposed = false;

  constructor(private readonly scenarios: ReadonlyMap<string, Scenario>) {}

  get runningCount(): number {
    return this.running.size;
  }

  /** Checks the arguments (throws with the reason) and starts the job; returns its id. */
  start(raw: unknown, listener: WhatIfListener): number {
    const parsed = argsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`whatIf: ${issue.path.join('.') || 'arguments'}: ${issue.message}`);
    }
    const a = parsed.data;
    const scenario = this.scenarios.get(a.scenario);
    if (scenario === undefined)
      throw new Error(
        `whatIf: no scenario "${a.scenario}" (one of ${[...this.scenarios.keys()].join(', ')})`,
      );
    const job: WhatIfJob = {
      scenario,
      rulesA: a.rulesA === null ? null : validateRuleSet(a.rulesA),
      rulesB: a.rulesB === null ? null : validateRuleSet(a.rulesB),
      durationNs: a.durationNs,
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      ...(a.fifoB ? { fifoB: true } : {}),
    };
    const id = this.nextJob++;
    const worker = startThread(threadEntry('what-if-worker'), job);
    this.running.add(worker);
    let finished = false;
    const finish = (outcome: WhatIfOutcome) => {
      if (finished || this.disposed) return;
      finished = true;
      this.running.delete(worker);
      this.results.set(id, outcome);
      for (const old of this.results.keys()) if (this.results.size > RESULTS_KEPT) this.results.delete(old);
      listener.done(id, outcome);
      void worker.terminate();
    };
    worker.on('message', (m: { progress?: number; result?: unknown }) => {
      if (m.progress !== undefined) listener.progress(id, m.progress);
      if (m.result !== undefined) finish({ ok: true, result: m.result });
    });
    worker.on('error', (e) => finish({ ok: false, error: e.message }));
    worker.on('exit', (code) => finish({ ok: false, error: `what-if thread exited with ${code}` }));
    return id;
  }

  /** A finished job's outcome, or null (unknown, still running, or long gone). */
  result(jobId: number): WhatIfOutcome | null {
    return this.results.get(jobId) ?? null;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.running];
    this.running.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
