import { WEEKDAYS, type RuleSchedule } from './rule-types.ts';

export const MINUTES_PER_DAY = 1440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** Local wall-clock position within the week: minutes since Sunday 00:00. */
export type MinuteOfWeek = number;

export function minuteOfWeek(weekday: number, hours: number, minutes: number): MinuteOfWeek {
  return weekday * MINUTES_PER_DAY + hours * 60 + minutes;
}

function parseClock(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The schedule as half-open [start, end) minute-of-week intervals. A window whose end is
 * before its start runs past midnight into the next day (Saturday wraps to Sunday).
 */
export function weeklyWindows(schedule: RuleSchedule): [number, number][] {
  const start = parseClock(schedule.start);
  const end = parseClock(schedule.end);
  const windows: [number, number][] = [];
  for (const day of schedule.days) {
    const base = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY;
    if (end > start) {
      windows.push([base + start, base + end]);
    } else {
      windows.push([base + start, base + MINUTES_PER_DAY]);
      const next = (base + MINUTES_PER_DAY) % MINUTES_PER_WEEK;
      windows.push([next, next + end]);
    }
  }
  return windows;
}

export function scheduleActive(schedule: RuleSchedule | undefined, at: MinuteOfWeek): boolean {
  if (!schedule) return true;
  const t = ((at % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  return weeklyWindows(schedule).some(([s, e]) => t >= s && t < e);
}

/** Minutes from `at` until the schedule next changes state (Infinity if it never does). */
export function minutesToNextChange(schedule: RuleSchedule | undefined, at: MinuteOfWeek): number {
  if (!schedule) return Infinity;
  const t = ((at % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const edges: number[] = [];
  for (const [s, e] of weeklyWindows(schedule)) {
    for (const edge of [s, e % MINUTES_PER_WEEK]) {
      const d = (edge - t + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      edges.push(d === 0 ? MINUTES_PER_WEEK : d);
    }
  }
  // Adjacent windows (Saturday into Sunday) share an edge that is not a change: skip those.
  const now = scheduleActive(schedule, t);
  for (const d of edges.sort((a, b) => a - b)) {
    if (scheduleActive(schedule, t + d) !== now) return d;
  }
  return Infinity;
}

/** "Fri 09:30" for explanations. */
export function formatMinuteOfWeek(at: MinuteOfWeek): string {
  const t = ((at % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const day = WEEKDAYS[Math.floor(t / MINUTES_PER_DAY)];
  const m = t % MINUTES_PER_DAY;
  return `${day[0].toUpperCase()}${day.slice(1)} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
