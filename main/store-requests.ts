/**
 * App requests served by the store: profiles, rules import/export, history, totals, budgets,
 * events and settings. Every argument is checked here; a bad one is refused with a message
 * naming it, and store errors come back as messages, never as a crash of the app.
 */
import { z } from 'zod';
import type { Store } from './store/store.ts';
import { retentionSchema } from './store/settings-store.ts';
import { PERIODS } from './store/periods.ts';
import { MAX_POINTS } from './store/history-query.ts';

export class StoreRequestError extends Error {
  override name = 'StoreRequestError';
}

const name = z.string().min(1).max(256);
/** No arguments: undefined in-process, null once msgpack has carried it, or an empty object. */
const none = z.union([z.undefined(), z.null(), z.object({}).strict()]);
const seconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);
const range = z
  .object({
    apps: z.array(z.string().min(1).max(1024)).max(64).optional(),
    from: seconds,
    to: seconds,
    maxPoints: z.number().int().min(10).max(MAX_POINTS).optional(),
  })
  .strict();

const SCHEMAS = {
  profiles: none,
  createProfile: z.object({ name, copyFrom: name.optional() }).strict(),
  renameProfile: z.object({ from: name, to: name }).strict(),
  deleteProfile: z.object({ name }).strict(),
  switchProfile: z.object({ name }).strict(),
  exportRules: none,
  importRules: z.object({ document: z.unknown() }).strict(),
  putRule: z.object({ rule: z.unknown() }).strict(),
  deleteRule: z.object({ id: name }).strict(),
  pause: z.object({ paused: z.boolean() }).strict(),
  storedApps: none,
  history: range,
  historyCsv: range,
  dailyTotals: z.object({ from: seconds, to: seconds }).strict(),
  budgets: none,
  setBudget: z.unknown(),
  deleteBudget: z.object({ app: z.string().min(1).max(1024), period: z.enum(PERIODS) }).strict(),
  events: z
    .object({ limit: z.number().int().min(1).max(1000).optional(), before: z.number().int().optional() })
    .strict(),
  settings: none,
  setRetention: retentionSchema,
} as const;
export type StoreOp = keyof typeof SCHEMAS;
export const STORE_OPS = Object.keys(SCHEMAS) as StoreOp[];

export function isStoreOp(op: string): op is StoreOp {
  return Object.hasOwn(SCHEMAS, op);
}

function parse<T extends StoreOp>(op: T, raw: unknown): z.infer<(typeof SCHEMAS)[T]> {
  const r = SCHEMAS[op].safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new StoreRequestError(`${op}: ${i.path.join('.') || 'arguments'}: ${i.message}`);
  }
  return r.data as z.infer<(typeof SCHEMAS)[T]>;
}

/** App keys (bundle id or path) → the store's ids; unknown keys are refused by name. */
function appIds(store: Store, keys: readonly string[] | undefined): number[] | undefined {
  if (keys === undefined) return undefined;
  return keys.map((key) => {
    const app = store.identities.find(key);
    if (app === undefined) throw new StoreRequestError(`history: no app "${key}" has been recorded`);
    return app.id;
  });
}

export async function handleStoreRequest(store: Store, op: StoreOp, raw: unknown): Promise<unknown> {
  switch (op) {
    case 'profiles':
      parse(op, raw);
      return { profiles: store.rules.profiles(), paused: store.settings.get('paused') };
    case 'createProfile': {
      const a = parse(op, raw);
      return store.rules.createProfile(a.name, a.copyFrom);
    }
    case 'renameProfile': {
      const a = parse(op, raw);
      await store.rules.renameProfile(a.from, a.to);
      return store.rules.profiles();
    }
    case 'deleteProfile':
      await store.rules.deleteProfile(parse(op, raw).name);
      return store.rules.profiles();
    case 'switchProfile':
      return store.rules.switchProfile(parse(op, raw).name);
    case 'exportRules':
      parse(op, raw);
      return store.rules.exportDocument();
    case 'importRules':
      return store.rules.importDocument(parse(op, raw).document);
    case 'putRule':
      return store.rules.putRule(parse(op, raw).rule);
    case 'deleteRule':
      return store.rules.deleteRule(parse(op, raw).id);
    case 'pause':
      await store.rules.setPaused(parse(op, raw).paused);
      return { paused: store.settings.get('paused') };
    case 'storedApps':
      parse(op, raw);
      return store.identities.list();
    case 'history': {
      const a = parse(op, raw);
      const result = store.series({ ...a, apps: appIds(store, a.apps) });
      const byId = new Map(store.identities.list().map((x) => [x.id, x]));
      return {
        ...result,
        series: result.series.map((s) => ({
          ...s,
          app: s.appId === null ? null : (byId.get(s.appId)?.key ?? null),
        })),
      };
    }
    case 'historyCsv': {
      const a = parse(op, raw);
      return store.csv({ ...a, apps: appIds(store, a.apps) });
    }
    case 'dailyTotals': {
      const a = parse(op, raw);
      return store.dailyTotals(a.from * 1000, a.to * 1000);
    }
    case 'budgets':
      parse(op, raw);
      return store.budgets.list();
    case 'setBudget':
      return store.budgets.set(parse(op, raw));
    case 'deleteBudget': {
      const a = parse(op, raw);
      store.budgets.remove(a.app, a.period);
      return store.budgets.list();
    }
    case 'events': {
      const a = parse(op, raw);
      return store.events.list(a.limit, a.before);
    }
    case 'settings':
      parse(op, raw);
      return { retention: store.settings.get('retention'), database: store.info() };
    case 'setRetention':
      store.settings.set('retention', parse(op, raw));
      store.events.append('store', 'history retention changed', undefined, store.settings.get('retention'));
      return store.settings.get('retention');
  }
}
