/**
 * Requests that are the app's, not the driver's: the apps the agent knows and their rules,
 * the simulated lab (inject a fault, the dext's clock), and what-if runs. They travel as Lab
 * messages on the same protocol; a bad request is refused with a message naming what is wrong.
 */
import { z } from 'zod';
import { decide } from '../driver-runtime/rules/rule-matching.ts';
import { validateRuleSet } from '../driver-runtime/rules/rule-validation.ts';
import { PRIORITY_LEVELS, type Rule, type RuleSet } from '../driver-runtime/rules/rule-types.ts';
import { parseFault, scheduleFault } from '../driver-runtime/host/faults.ts';
import { LocalKernel } from '../driver-runtime/host/kernel-port.ts';
import type { AppCore } from './app-core.ts';
import { WorkerKernel } from './broker/worker-kernel.ts';
import { runWhatIf } from './what-if-runner.ts';

export class LabError extends Error {
  override name = 'LabError';
}

const setAppArgs = z.object({
  /** Name, bundle id or slot of an app the agent has seen. */
  app: z.union([z.string().min(1).max(256), z.number().int().positive()]),
  priority: z.enum(PRIORITY_LEVELS),
  capBps: z.number().int().min(8000).max(100e9).optional(),
});

export interface AppRow {
  slot: number;
  name: string;
  bundleId: string;
  executablePath: string;
  teamId?: string;
  pid: number;
  serviceClass: number;
  queue: number;
  reason: string;
}

function appRows(core: AppCore): AppRow[] {
  const rules = core.agent.currentRules;
  const minute = core.agent.minuteNow();
  return core.apps().map(({ slot, identity }) => {
    const d = decide(rules, identity, minute);
    return {
      slot,
      name: identity.name,
      bundleId: identity.bundleId,
      executablePath: identity.executablePath,
      ...(identity.teamId ? { teamId: identity.teamId } : {}),
      pid: identity.pid,
      serviceClass: identity.serviceClass,
      queue: d.queue,
      reason: d.rule ? `rule ${d.rule.id}` : 'service class',
    };
  });
}

/** `netlanes set <app> high [--cap 100M]`: one rule per app, replaced in place. */
function setApp(core: AppCore, raw: unknown): RuleSet {
  const args = setAppArgs.safeParse(raw);
  if (!args.success)
    throw new LabError(`setApp: ${args.error.issues[0].path.join('.')}: ${args.error.issues[0].message}`);
  const { app, priority, capBps } = args.data;
  const row = appRows(core).find((r) => r.slot === app || r.name === app || r.bundleId === app);
  if (row === undefined) throw new LabError(`setApp: no app "${app}" has sent traffic yet (see \`apps\`)`);
  const id = `app-${row.bundleId}`.slice(0, 64);
  const rule: Rule = {
    id,
    match: { bundleId: row.bundleId },
    priority,
    enabled: true,
    ...(capBps ? { capBps } : {}),
  };
  const current = core.agent.currentRules;
  const rules = [...current.rules.filter((r) => r.id !== id), rule];
  const next = validateRuleSet({ version: 1, rules });
  core.setRules(next);
  return next;
}

export async function handleLab(
  core: AppCore,
  op: string,
  args: unknown,
  progress: (fraction: number) => void,
): Promise<unknown> {
  switch (op) {
    case 'apps':
      return appRows(core);
    case 'rules':
      return core.agent.currentRules;
    case 'setRules': {
      let rules: RuleSet;
      try {
        rules = validateRuleSet(args);
      } catch (e) {
        throw new LabError(e instanceof Error ? e.message : String(e));
      }
      core.setRules(rules);
      return rules;
    }
    case 'setApp':
      return setApp(core, args);
    case 'fault': {
      if (typeof args !== 'string') throw new LabError('fault: give a spec such as link-flap@0ms+200ms');
      let spec;
      try {
        spec = parseFault(args);
      } catch (e) {
        throw new LabError(`fault: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (core.kernel instanceof WorkerKernel) return core.kernel.fault(args);
      if (core.kernel instanceof LocalKernel) {
        const m = core.kernel.machine;
        scheduleFault(m, { ...spec, atNs: m.scheduler.now + spec.atNs }, []);
        return { atNs: m.scheduler.now + spec.atNs };
      }
      throw new LabError('fault: this dext cannot be reached for faults');
    }
    case 'status': {
      if (core.kernel instanceof WorkerKernel) return core.kernel.stats();
      if (core.kernel instanceof LocalKernel)
        return { virtualNs: core.kernel.machine.scheduler.now, pacer: core.kernel.pacerStats() };
      return null;
    }
    case 'whatIf':
      return runWhatIf(args, progress);
    default:
      throw new LabError(`unknown lab operation "${op}"`);
  }
}
