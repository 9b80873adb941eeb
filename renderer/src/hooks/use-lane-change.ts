/**
 * Moving apps between lanes (and setting caps) the way UI.md asks: the control moves at once,
 * the change goes to the agent and on to the driver, a refusal says why and puts the control
 * back, and a success can be undone for ten seconds (the rule set before it is restored).
 */
import { useCallback, useState } from 'react';
import { laneOf, laneOfPriority, type Priority } from '../lanes.ts';
import { rate, reason } from '../format.ts';
import { appRuleId, type AppRow, type Rule, type RuleSet } from '../session/app-data.ts';
import type { ToastSpec } from '../components/toast.tsx';
import { useSession } from './use-session.ts';

/** The lane an app is set to: its own rule's, else the queue the rules or its class decide. */
export function priorityOf(rules: RuleSet, app: AppRow): Priority {
  // A data budget's action overrides the profile's rule while it lasts: show the lane in force.
  if (/^rule budget:/.test(app.reason)) return laneOf(app.queue)?.priority ?? 'low';
  const own = rules.rules.find((r) => r.id === appRuleId(app.bundleId));
  return own?.priority ?? laneOf(app.queue)?.priority ?? 'normal';
}

export function capOf(rules: RuleSet, app: AppRow): number | undefined {
  return rules.rules.find((r) => r.id === appRuleId(app.bundleId))?.capBps;
}

/** The rule set with each app's own rule set to its lane (caps kept). */
export function withPriorities(rules: RuleSet, picks: { app: AppRow; priority: Priority }[]): RuleSet {
  const ids = new Set(picks.map((p) => appRuleId(p.app.bundleId)));
  const mine: Rule[] = picks.map(({ app, priority }) => {
    const cap = capOf(rules, app);
    return {
      id: appRuleId(app.bundleId),
      match: { bundleId: app.bundleId },
      priority,
      enabled: true,
      ...(cap ? { capBps: cap } : {}),
    };
  });
  return { version: 1, rules: [...rules.rules.filter((r) => !ids.has(r.id)), ...mine] };
}

/** The agent's words for a cap out of range, in the units the control shows. */
function capReason(text: string): string {
  const m = /capBps: Number must be (greater|less) than or equal to (\d+)/.exec(text);
  if (m === null) return text;
  return `a cap must be ${m[1] === 'greater' ? 'at least' : 'at most'} ${rate(Number(m[2]))}`;
}

let toastId = 0;

export function useLaneChange() {
  const session = useSession();
  const [pending, setPending] = useState<ReadonlyMap<number, Priority>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [toast, setToast] = useState<ToastSpec | null>(null);

  const mark = (apps: AppRow[], p: Priority | null) =>
    setPending((m) => {
      const next = new Map(m);
      for (const a of apps)
        if (p === null) next.delete(a.slot);
        else next.set(a.slot, p);
      return next;
    });

  const undo = useCallback(
    async (before: RuleSet, what: string) => {
      try {
        await session.setRules(before);
        setToast({ id: ++toastId, text: `Undid “${what}”`, ms: 3000 });
      } catch (e) {
        setError(`Could not undo: ${reason(e)}. The change stays.`);
      }
    },
    [session],
  );

  const setLane = useCallback(
    async (apps: AppRow[], priority: Priority) => {
      if (apps.length === 0) return;
      const before = session.getSnapshot().rules;
      const lane = laneOfPriority(priority);
      const who = apps.length === 1 ? apps[0].name : `${apps.length} apps`;
      mark(apps, priority);
      try {
        if (apps.length === 1) await session.setApp(apps[0], priority);
        else
          await session.setRules(
            withPriorities(
              before,
              apps.map((app) => ({ app, priority })),
            ),
          );
        setError(null);
        const what = `${who} → ${lane.name} (Queue ${lane.queue})`;
        setToast({
          id: ++toastId,
          text: what,
          action: { label: 'Undo', run: () => void undo(before, what) },
        });
      } catch (e) {
        setError(`The driver refused the change for ${who}: ${reason(e)}. Nothing was changed.`);
      } finally {
        mark(apps, null);
      }
    },
    [session, undo],
  );

  const setCap = useCallback(
    async (app: AppRow, capBps: number | null) => {
      const before = session.getSnapshot().rules;
      try {
        await session.setApp(app, priorityOf(before, app), capBps);
        setError(null);
        const what = capBps ? `${app.name} capped at ${rate(capBps)}` : `${app.name} uncapped`;
        setToast({
          id: ++toastId,
          text: what,
          action: { label: 'Undo', run: () => void undo(before, what) },
        });
      } catch (e) {
        setError(`The driver refused the cap for ${app.name}: ${capReason(reason(e))}. Nothing was changed.`);
      }
    },
    [session, undo],
  );

  const dismissToast = useCallback(() => setToast(null), []);
  return { pending, error, clearError: () => setError(null), toast, dismissToast, setLane, setCap };
}
