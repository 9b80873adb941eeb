/**
 * Requests that are the app's, not the driver's: the apps the agent knows and their rules.
 * They travel as App messages on the same protocol; a bad request is refused with a message
 * naming what is wrong. (The driver and the lab answer through their user clients.)
 */
import { z } from 'zod';
import { decide } from '../driver-runtime/rules/rule-matching.ts';
import { validateRuleSet } from '../driver-runtime/rules/rule-validation.ts';
import { PRIORITY_LEVELS, type Rule, type RuleSet } from '../driver-runtime/rules/rule-types.ts';
import type { PolicyAgent } from '../driver-runtime/host/policy-agent.ts';
import type { AppIdentity } from '../driver-runtime/abi/app-identity.ts';
import type { Store } from './store/store.ts';
import { handleStoreRequest, isStoreOp } from './store-requests.ts';

/** What the requests work on (the app core). */
export interface AppState {
  readonly agent: PolicyAgent;
  readonly store: Store | null;
  readonly storeError: string | null;
  apps(): { slot: number; identity: AppIdentity }[];
  setRules(rules: RuleSet): Promise<number>;
}

export class AppRequestError extends Error {
  override name = 'AppRequestError';
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

function appRows(core: AppState): AppRow[] {
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

/** `netlanes set <app> high [--cap 100M]`: one rule per app, replaced in place (and stored). */
async function setApp(core: AppState, raw: unknown): Promise<RuleSet> {
  const args = setAppArgs.safeParse(raw);
  if (!args.success)
    throw new AppRequestError(
      `setApp: ${args.error.issues[0].path.join('.')}: ${args.error.issues[0].message}`,
    );
  const { app, priority, capBps } = args.data;
  const row = appRows(core).find((r) => r.slot === app || r.name === app || r.bundleId === app);
  if (row === undefined)
    throw new AppRequestError(`setApp: no app "${app}" has sent traffic yet (see \`apps\`)`);
  const id = `app-${row.bundleId}`.slice(0, 64);
  const rule: Rule = {
    id,
    match: { bundleId: row.bundleId },
    priority,
    enabled: true,
    ...(capBps ? { capBps } : {}),
  };
  if (core.store) return core.store.rules.putRule(rule);
  const current = core.agent.currentRules;
  const rules = [...current.rules.filter((r) => r.id !== id), rule];
  const next = validateRuleSet({ version: 1, rules });
  await core.setRules(next);
  return next;
}

export async function handleAppRequest(
  core: AppState,
  op: string,
  args: unknown,
  _progress: (fraction: number) => void,
): Promise<unknown> {
  switch (op) {
    case 'apps':
      return appRows(core);
    case 'rules':
      return core.store ? core.store.rules.rules() : core.agent.currentRules;
    case 'setRules': {
      if (core.store) return core.store.rules.setRules(args);
      let rules: RuleSet;
      try {
        rules = validateRuleSet(args);
      } catch (e) {
        throw new AppRequestError(e instanceof Error ? e.message : String(e));
      }
      await core.setRules(rules);
      return rules;
    }
    case 'setApp':
      return setApp(core, args);
    case 'storeStatus':
      return { available: core.store !== null, error: core.storeError, notices: core.store?.notices ?? [] };
    default:
      if (isStoreOp(op)) {
        if (core.store === null)
          throw new AppRequestError(
            `${op}: the database is not available (${core.storeError ?? 'not opened'})`,
          );
        return handleStoreRequest(core.store, op, args);
      }
      throw new AppRequestError(`unknown operation "${op}"`);
  }
}
