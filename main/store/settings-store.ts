/**
 * Settings: one row per key, JSON values checked against their schema on the way in and out
 * (a hand-edited or older value that no longer fits falls back to the default, never throws).
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** How long each resolution of the traffic history is kept, in seconds. */
export const retentionSchema = z
  .object({
    seconds: z
      .number()
      .int()
      .min(2 * MINUTE)
      .max(7 * DAY),
    minutes: z
      .number()
      .int()
      .min(2 * HOUR)
      .max(366 * DAY),
    hours: z
      .number()
      .int()
      .min(2 * DAY)
      .max(10 * 366 * DAY),
  })
  .strict()
  .refine((r) => r.seconds <= r.minutes && r.minutes <= r.hours, {
    message: 'each resolution must be kept at least as long as the finer one',
  });
export type Retention = z.infer<typeof retentionSchema>;

export const DEFAULT_RETENTION: Retention = { seconds: HOUR, minutes: 7 * DAY, hours: 400 * DAY };

export const SETTINGS = {
  retention: { schema: retentionSchema, fallback: DEFAULT_RETENTION as Retention },
  /** The profile whose rules the driver holds. */
  activeProfile: { schema: z.number().int().positive(), fallback: 0 },
  /** The rule-set generation the driver reported for the last applied change. */
  appliedGeneration: { schema: z.number().int().nonnegative(), fallback: 0 },
  /** History rolled up to these times (epoch seconds, exclusive). */
  rolledMinutesUntil: { schema: z.number().int().nonnegative(), fallback: 0 },
  rolledHoursUntil: { schema: z.number().int().nonnegative(), fallback: 0 },
  /** Rules paused from the tray: the driver gets none while true. */
  paused: { schema: z.boolean(), fallback: false },
} as const;
export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;

export class SettingsStore {
  private readonly read: Database.Statement<[string], { value: string }>;
  private readonly write: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.read = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.write = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  get<K extends SettingKey>(key: K): SettingValue<K> {
    const row = this.read.get(key);
    if (row === undefined) return SETTINGS[key].fallback;
    try {
      const parsed = SETTINGS[key].schema.safeParse(JSON.parse(row.value));
      return (parsed.success ? parsed.data : SETTINGS[key].fallback) as SettingValue<K>;
    } catch {
      return SETTINGS[key].fallback;
    }
  }

  /** Stores a value; a value outside its schema is refused with the schema's message. */
  set<K extends SettingKey>(key: K, value: SettingValue<K>): void {
    const parsed = SETTINGS[key].schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RangeError(`${key}${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}`);
    }
    this.write.run(key, JSON.stringify(parsed.data));
  }
}
