/** Budget periods in local time: a day from midnight, a week from Monday, a month from the 1st. */
export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/** The start (epoch ms) of the period that contains `ms`, in the machine's time zone. */
export function periodStart(period: Period, ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  if (period === 'week') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  if (period === 'month') d.setDate(1);
  return d.getTime();
}

/** The start of the next period (DST-safe: calendar arithmetic, not a fixed number of hours). */
export function periodEnd(period: Period, ms: number): number {
  const d = new Date(periodStart(period, ms));
  if (period === 'day') d.setDate(d.getDate() + 1);
  if (period === 'week') d.setDate(d.getDate() + 7);
  if (period === 'month') d.setMonth(d.getMonth() + 1);
  return d.getTime();
}

/** "2026-12-03": a local calendar day, for totals per day. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
