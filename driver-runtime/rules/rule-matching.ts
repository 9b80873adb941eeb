import { SERVICE_CLASS_NAMES, serviceClassToQueue } from '../networking/constants.ts';
import {
  levelToQueue,
  queueToLevel,
  type AppIdentity,
  type AppMatch,
  type PriorityLevel,
  type Rule,
  type RuleSet,
} from './rule-types.ts';
import { formatMinuteOfWeek, scheduleActive, type MinuteOfWeek } from './schedule.ts';

/**
 * Matching precedence, most specific first (documented in the README):
 *   1. bundle id exact  2. bundle id wildcard (longer prefix first)
 *   3. executable path exact  4. path wildcard (longer prefix first)
 * A rule naming a team id matches only apps signed by that team and ranks above the same
 * rule without one. Among equal ranks, a scheduled rule that is active beats an
 * unscheduled one, then the earlier rule in the list wins. Disabled rules never match;
 * a scheduled rule outside its window is skipped and the next candidate is tried.
 */
export function matchRank(match: AppMatch, app: AppIdentity): number {
  let rank = -1;
  if (match.bundleId !== undefined) {
    const r = patternRank(match.bundleId, app.bundleId);
    if (r < 0) return -1;
    rank = 3_000_000 + r;
  }
  if (match.path !== undefined) {
    const r = patternRank(match.path, app.executablePath);
    if (r < 0) return -1;
    rank = Math.max(rank, 1_000_000 + r);
  }
  if (match.teamId !== undefined) {
    if (match.teamId !== app.teamId) return -1;
    rank += 1;
  }
  return rank;
}

/** Exact: 1_000_000 - 0 beats any wildcard; wildcard: 2 × literal prefix length (room for the team bonus). */
function patternRank(pattern: string, value: string): number {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return value.startsWith(prefix) ? 2 * prefix.length : -1;
  }
  return pattern === value ? 999_998 : -1;
}

export interface Decision {
  queue: number;
  level: PriorityLevel;
  source: 'rule' | 'default';
  rule: Rule | null;
  /** The chain that decided, one line per step, for the user. */
  steps: string[];
}

/** Class value → its name, from the one table of service classes. */
const SERVICE_CLASS_LABEL: Record<number, string> = Object.fromEntries(
  Object.entries(SERVICE_CLASS_NAMES).map(([name, value]) => [value, name]),
);

/** explain(app): identity match → rule → schedule → default class → queue. */
export function decide(rules: RuleSet, app: AppIdentity, at: MinuteOfWeek): Decision {
  const steps: string[] = [
    `identity: ${app.name} (bundle ${app.bundleId}, path ${app.executablePath}${app.teamId ? `, team ${app.teamId}` : ''})`,
  ];
  const candidates = rules.rules
    .map((rule, index) => ({ rule, index, rank: rule.enabled ? matchRank(rule.match, app) : -1 }))
    .filter((c) => c.rank >= 0)
    .sort(
      (a, b) => b.rank - a.rank || Number(!!b.rule.schedule) - Number(!!a.rule.schedule) || a.index - b.index,
    );
  const disabled = rules.rules.filter((r) => !r.enabled && matchRank(r.match, app) >= 0);
  for (const r of disabled) steps.push(`rule "${r.id}" matches but is disabled`);
  for (const c of candidates) {
    const how = describeMatch(c.rule.match);
    if (!scheduleActive(c.rule.schedule, at)) {
      steps.push(
        `rule "${c.rule.id}" matches by ${how} but its schedule is not active at ${formatMinuteOfWeek(at)}`,
      );
      continue;
    }
    const queue = levelToQueue(c.rule.priority);
    steps.push(
      `rule "${c.rule.id}" matches by ${how}${c.rule.schedule ? ` (schedule active at ${formatMinuteOfWeek(at)})` : ''}`,
    );
    steps.push(
      `priority ${c.rule.priority} → Queue ${queue}${c.rule.capBps ? `, capped at ${c.rule.capBps} bit/s` : ''}`,
    );
    return { queue, level: c.rule.priority, source: 'rule', rule: c.rule, steps };
  }
  const queue = serviceClassToQueue(app.serviceClass);
  steps.push(candidates.length === 0 ? 'no enabled rule matches' : 'no matching rule is active now');
  steps.push(
    `default: service class ${SERVICE_CLASS_LABEL[app.serviceClass] ?? app.serviceClass} folds to Queue ${queue} (xnu 10 → 4)`,
  );
  return { queue, level: queueToLevel(queue), source: 'default', rule: null, steps };
}

function describeMatch(m: AppMatch): string {
  const parts: string[] = [];
  if (m.bundleId) parts.push(`bundle id ${m.bundleId.endsWith('*') ? 'wildcard' : 'exact'} "${m.bundleId}"`);
  if (m.path) parts.push(`path ${m.path.endsWith('*') ? 'wildcard' : 'exact'} "${m.path}"`);
  if (m.teamId) parts.push(`team ${m.teamId}`);
  return parts.join(' and ');
}
