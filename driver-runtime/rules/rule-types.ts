/**
 * Per-application transmit priority rules: pure data. A rule maps an application identity
 * to one of four priority levels (= hardware Tx queues), with optional caps and schedule.
 */

export const PRIORITY_LEVELS = ['low', 'normal', 'high', 'highest'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];

/** Queue 3 highest … Queue 0 lowest: the level's index is the hardware queue. */
export function levelToQueue(level: PriorityLevel): number {
  return PRIORITY_LEVELS.indexOf(level);
}

export function queueToLevel(queue: number): PriorityLevel {
  return PRIORITY_LEVELS[queue] ?? 'normal';
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Active on these days between start (inclusive) and end (exclusive), local "HH:MM"; end < start wraps past midnight. */
export interface RuleSchedule {
  days: Weekday[];
  start: string;
  end: string;
}

/**
 * Which apps a rule is for. `bundleId` and `path` are exact strings or end in `*`
 * (a prefix wildcard). `teamId`, when given, must also match the app's signing team.
 */
export interface AppMatch {
  bundleId?: string;
  path?: string;
  teamId?: string;
}

export interface Rule {
  id: string;
  name?: string;
  match: AppMatch;
  priority: PriorityLevel;
  /** Tx rate cap in bits per second. */
  capBps?: number;
  /** Token-bucket depth in bytes for the cap (default: 10 ms at the cap, at least 2 max frames). */
  burstBytes?: number;
  schedule?: RuleSchedule;
  enabled: boolean;
}

export interface RuleSet {
  version: 1;
  rules: Rule[];
}

export type { AppIdentity } from '../abi/app-identity.ts';

export const EMPTY_RULE_SET: RuleSet = { version: 1, rules: [] };
