/**
 * The rules file users import and export: every profile with its rules, and which one is
 * active. Versioned; a file that is malformed or partly invalid is refused whole, with every
 * problem named (profile, rule, field), so an import either changes everything it says or
 * nothing.
 *
 * {
 *   "format": "netlanes-rules", "version": 1,
 *   "activeProfile": "Work",                  // optional: which profile to switch to
 *   "profiles": [ { "name": "Work", "rules": [ <rule>, … ] }, … ]
 * }
 * A <rule> is the rule of rules/*.json: id, match { bundleId | path, teamId? }, priority
 * (highest | high | normal | low), capBps?, burstBytes?, schedule?, enabled.
 */
import { z } from 'zod';
import { RuleSetError, validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';

export const RULES_FORMAT = 'netlanes-rules';
export const RULES_DOCUMENT_VERSION = 1;
export const PROFILE_NAME_MAX = 64;
export const PROFILES_MAX = 64;

export const profileNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(PROFILE_NAME_MAX, `must be at most ${PROFILE_NAME_MAX} characters`)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20), 'must not contain control characters');

const documentShape = z
  .object({
    format: z.literal(RULES_FORMAT),
    version: z.literal(RULES_DOCUMENT_VERSION),
    exportedAt: z.string().optional(),
    activeProfile: z.string().optional(),
    profiles: z
      .array(z.object({ name: profileNameSchema, rules: z.array(z.unknown()) }).strict())
      .min(1, 'needs at least one profile')
      .max(PROFILES_MAX),
  })
  .strict();

export interface RulesDocument {
  format: typeof RULES_FORMAT;
  version: typeof RULES_DOCUMENT_VERSION;
  exportedAt?: string;
  activeProfile?: string;
  profiles: { name: string; rules: RuleSet['rules'] }[];
}

export class RulesDocumentError extends Error {
  constructor(readonly problems: string[]) {
    super(`the rules file was refused, nothing changed:\n  ${problems.join('\n  ')}`);
    this.name = 'RulesDocumentError';
  }
}

/** Parses file text (or an already parsed value) into a document, or refuses it with every problem. */
export function parseRulesDocument(input: unknown): RulesDocument {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (e) {
      throw new RulesDocumentError([`not JSON: ${e instanceof Error ? e.message : String(e)}`]);
    }
  }
  const shape = documentShape.safeParse(value);
  if (!shape.success)
    throw new RulesDocumentError(
      shape.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  const problems: string[] = [];
  const names = new Map<string, number>();
  const profiles = shape.data.profiles.map((p, i) => {
    const key = p.name.toLowerCase();
    const prior = names.get(key);
    if (prior !== undefined) problems.push(`profiles[${i}] "${p.name}": same name as profiles[${prior}]`);
    else names.set(key, i);
    try {
      return { name: p.name, rules: validateRuleSet({ version: 1, rules: p.rules }).rules };
    } catch (e) {
      const list = e instanceof RuleSetError ? e.problems : [String(e)];
      for (const problem of list) problems.push(`profiles[${i}] "${p.name}": ${problem}`);
      return { name: p.name, rules: [] };
    }
  });
  const active = shape.data.activeProfile;
  if (active !== undefined && !names.has(active.toLowerCase()))
    problems.push(`activeProfile: "${active}" is not one of the file's profiles`);
  if (problems.length > 0) throw new RulesDocumentError(problems);
  return {
    format: RULES_FORMAT,
    version: RULES_DOCUMENT_VERSION,
    ...(active !== undefined ? { activeProfile: active } : {}),
    profiles,
  };
}
