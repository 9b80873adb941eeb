/**
 * What the store's app requests answer (main/store-requests.ts), checked at the border: profiles,
 * budgets, settings, history series, totals per day and events.
 */
import { z } from 'zod';

export const profilesSchema = z.object({
  profiles: z.array(
    z.object({ id: z.number(), name: z.string(), ruleCount: z.number(), active: z.boolean() }),
  ),
  paused: z.boolean(),
});
export type Profiles = z.infer<typeof profilesSchema>;

export const storeStatusSchema = z.object({
  available: z.boolean(),
  error: z.string().nullable(),
  notices: z.array(z.string()),
});
export type StoreStatus = z.infer<typeof storeStatusSchema>;

export const PERIODS = ['day', 'week', 'month'] as const;
export const BUDGET_ACTIONS = ['notify', 'cap', 'low'] as const;

export const budgetSchema = z.object({
  app: z.string(),
  name: z.string(),
  period: z.enum(PERIODS),
  limitBytes: z.number(),
  action: z.enum(BUDGET_ACTIONS),
  capBps: z.number().optional(),
  usedBytes: z.number(),
  periodStart: z.number(),
  periodEnd: z.number(),
  warned: z.boolean(),
  reached: z.boolean(),
});
export type Budget = z.infer<typeof budgetSchema>;

export const retentionSchema = z.object({ seconds: z.number(), minutes: z.number(), hours: z.number() });
export type Retention = z.infer<typeof retentionSchema>;

export const settingsSchema = z.object({
  retention: retentionSchema,
  database: z.object({
    file: z.string(),
    bytes: z.number(),
    schemaVersion: z.number(),
    notices: z.array(z.string()),
  }),
});
export type StoreSettings = z.infer<typeof settingsSchema>;

const column = z.array(z.number());
export const seriesSchema = z.object({
  resolution: z.number(),
  step: z.number(),
  from: z.number(),
  to: z.number(),
  series: z.array(
    z.object({
      app: z.string().nullable(),
      t: column,
      txMean: column,
      txMin: column,
      txMax: column,
      rxMean: column,
      rxMin: column,
      rxMax: column,
    }),
  ),
});
export type SeriesResult = z.infer<typeof seriesSchema>;

export const dayTotalsSchema = z.array(
  z.object({ day: z.string(), app: z.string(), name: z.string(), txBytes: z.number(), rxBytes: z.number() }),
);
export type DayTotals = z.infer<typeof dayTotalsSchema>;

export const storedEventSchema = z.object({
  id: z.number(),
  at: z.number(),
  kind: z.string(),
  message: z.string(),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;
