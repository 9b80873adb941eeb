import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario, type Scenario } from '../../driver-runtime/stack/scenario.ts';
import { validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';

export const SCENARIO_DIR = path.resolve(import.meta.dirname, '../../scenarios');

/** A file the user named could not be used; the message says which and why. */
export class InputError extends Error {}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new InputError(`${what} file not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** "contention" → scenarios/contention.json; a path is used as given. */
export function loadScenario(nameOrPath: string): Scenario {
  const file =
    nameOrPath.endsWith('.json') || nameOrPath.includes('/')
      ? path.resolve(nameOrPath)
      : path.join(SCENARIO_DIR, `${nameOrPath}.json`);
  try {
    return parseScenario(readJson(file, 'scenario'), path.basename(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError((e as Error).message);
  }
}

export function loadRules(file: string): RuleSet {
  const json = readJson(path.resolve(file), 'rules');
  try {
    return validateRuleSet(json);
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
}
