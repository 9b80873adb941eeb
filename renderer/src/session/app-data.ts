/**
 * What the app's own requests answer (main/app-requests.ts), checked at the border: the apps
 * the agent has seen and the rule set it applies. The renderer keeps its own copy of the rule
 * shape (it may not import driver-runtime/rules); main validates every rule set it is sent.
 */
import { z } from 'zod';

const priority = z.enum(['low', 'normal', 'high', 'highest']);

export const appRowSchema = z.object({
  slot: z.number().int(),
  name: z.string(),
  bundleId: z.string(),
  executablePath: z.string(),
  teamId: z.string().optional(),
  pid: z.number(),
  serviceClass: z.number(),
  queue: z.number().int(),
  reason: z.string(),
});
export type AppRow = z.infer<typeof appRowSchema>;

const ruleSchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    match: z.object({
      bundleId: z.string().optional(),
      path: z.string().optional(),
      teamId: z.string().optional(),
    }),
    priority,
    capBps: z.number().optional(),
    burstBytes: z.number().optional(),
    schedule: z.object({ days: z.array(z.string()), start: z.string(), end: z.string() }).optional(),
    enabled: z.boolean(),
  })
  .passthrough();
export type Rule = z.infer<typeof ruleSchema>;

export const ruleSetSchema = z.object({ version: z.literal(1), rules: z.array(ruleSchema) });
export type RuleSet = z.infer<typeof ruleSetSchema>;

export const EMPTY_RULES: RuleSet = { version: 1, rules: [] };

/** The rule `setApp` writes for an app (main/app-requests.ts: one rule per bundle id). */
export function appRuleId(bundleId: string): string {
  return `app-${bundleId}`.slice(0, 64);
}

/** The rule that decided an app's queue, if a rule did ("rule <id>"). */
export function ruleOf(rules: RuleSet, row: AppRow): Rule | undefined {
  const id = /^rule (.+)$/.exec(row.reason)?.[1];
  return id === undefined ? undefined : rules.rules.find((r) => r.id === id);
}

/** OS service classes as xnu names them (kIOUserNetworkServiceClass*). */
const SERVICE_CLASSES: Readonly<Record<number, string>> = {
  0: 'Best effort (BE)',
  100: 'Background system (BK_SYS)',
  200: 'Background (BK)',
  300: 'Responsive data (RD)',
  400: 'Operations (OAM)',
  500: 'Multimedia audio/video (AV)',
  600: 'Responsive multimedia (RV)',
  700: 'Interactive video (VI)',
  750: 'Signalling (SIG)',
  800: 'Interactive voice (VO)',
  900: 'Network control (CTL)',
};

export function serviceClassName(value: number): string {
  return SERVICE_CLASSES[value] ?? `class ${value}`;
}
