import { z } from 'zod';
import { PRIORITY_LEVELS, WEEKDAYS, type Rule, type RuleSet } from './rule-types.ts';
import { weeklyWindows } from './schedule.ts';

const MIN_BURST_BYTES = 2 * 1522;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const PATTERN = /^[^*]*\*?$/;

const matchSchema = z
  .object({
    bundleId: z.string().min(1).regex(PATTERN, 'only a trailing * wildcard is allowed').optional(),
    path: z.string().min(1).regex(PATTERN, 'only a trailing * wildcard is allowed').optional(),
    teamId: z
      .string()
      .regex(/^[A-Z0-9]{10}$/, 'must be a 10-character Apple team id')
      .optional(),
  })
  .strict()
  .refine((m) => m.bundleId !== undefined || m.path !== undefined, 'needs a bundleId or a path');

const ruleSchema = z
  .object({
    id: z.string().min(1).max(64),
    name: z.string().max(200).optional(),
    match: matchSchema,
    priority: z.enum(PRIORITY_LEVELS),
    capBps: z.number().int().min(8_000, 'must be at least 8000 bits/s').max(100e9).optional(),
    burstBytes: z
      .number()
      .int()
      .min(MIN_BURST_BYTES, `must be at least ${MIN_BURST_BYTES} bytes`)
      .max(64 << 20)
      .optional(),
    schedule: z
      .object({
        days: z.array(z.enum(WEEKDAYS)).min(1, 'needs at least one day'),
        start: z.string().regex(TIME, 'must be HH:MM (24-hour)'),
        end: z.string().regex(TIME, 'must be HH:MM (24-hour)'),
      })
      .strict()
      .refine((s) => s.start !== s.end, 'start and end must differ')
      .optional(),
    enabled: z.boolean(),
  })
  .strict()
  .refine((r) => r.burstBytes === undefined || r.capBps !== undefined, {
    message: 'burstBytes needs capBps',
    path: ['burstBytes'],
  });

const ruleSetSchema = z.object({ version: z.literal(1), rules: z.array(ruleSchema).max(4096) }).strict();

/** A rule set refused as a whole; `problems` name the rule and field of each fault. */
export class RuleSetError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid rule set:\n  ${problems.join('\n  ')}`);
    this.name = 'RuleSetError';
  }
}

/**
 * Validates a whole rule set: shape and values first, then what only the whole shows —
 * duplicate ids, and two enabled rules for the same identity whose schedules can be
 * active together but that disagree (a conflict the user must resolve).
 */
export function validateRuleSet(input: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(input);
  if (!parsed.success) {
    const rules = (input as { rules?: { id?: unknown }[] } | null)?.rules;
    throw new RuleSetError(
      parsed.error.issues.map((issue) => {
        const [head, index, ...rest] = issue.path;
        if (head === 'rules' && typeof index === 'number') {
          const id = rules?.[index]?.id;
          const label = typeof id === 'string' ? `rule "${id}" (rules[${index}])` : `rules[${index}]`;
          return `${label}${rest.length ? '.' + rest.join('.') : ''}: ${issue.message}`;
        }
        return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
      }),
    );
  }
  const set = parsed.data as RuleSet;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  set.rules.forEach((rule, i) => {
    const prior = seen.get(rule.id);
    if (prior !== undefined)
      problems.push(`rule "${rule.id}" (rules[${i}]).id: duplicate of rules[${prior}]`);
    else seen.set(rule.id, i);
  });
  for (let i = 0; i < set.rules.length; i++) {
    for (let j = i + 1; j < set.rules.length; j++) {
      const a = set.rules[i];
      const b = set.rules[j];
      if (!a.enabled || !b.enabled || identityKey(a.match) !== identityKey(b.match)) continue;
      if (!schedulesMayOverlap(a, b)) continue;
      if (a.priority !== b.priority || a.capBps !== b.capBps) {
        problems.push(
          `rule "${b.id}" (rules[${j}]).match: conflicts with rule "${a.id}" — same apps, overlapping times, different priority or cap`,
        );
      }
    }
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  return set;
}

/** The identity a rule's match names: rules with the same key are for the same apps. */
export function identityKey(m: { bundleId?: string; path?: string; teamId?: string }): string {
  return `${m.bundleId ?? ''}\u0000${m.path ?? ''}\u0000${m.teamId ?? ''}`;
}

/**
 * A scheduled rule overrides an unscheduled one for the same apps while it is active, so
 * only two rules that are both unscheduled, or both scheduled with intersecting windows,
 * can disagree.
 */
function schedulesMayOverlap(a: Rule, b: Rule): boolean {
  if (!a.schedule && !b.schedule) return true;
  if (!a.schedule || !b.schedule) return false;
  const wa = weeklyWindows(a.schedule);
  const wb = weeklyWindows(b.schedule);
  return wa.some(([s1, e1]) => wb.some(([s2, e2]) => s1 < e2 && s2 < e1));
}
