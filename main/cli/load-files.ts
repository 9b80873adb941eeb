/**
 * The files `npm run sim` reads and writes, all checked before the run starts. Every problem
 * is an InputError `<path>: <what is wrong>` naming the file as the user gave it.
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseScenario, ScenarioError, type Scenario } from '../../driver-runtime/stack/scenario.ts';
import { RuleSetError, validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import { InputError } from './input-error.ts';

export const SCENARIO_DIR = path.resolve(import.meta.dirname, '../../scenarios');

/**
 * 16 MiB: a scenario holds at most 255 apps (~150 KB) and a rule set at most 4096 rules
 * (~2 MB); anything bigger is not the file the user meant, and is not read into memory.
 */
const MAX_INPUT_BYTES = 16 << 20;

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'name too long',
  ENOSPC: 'no space left on device',
};

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? FS_REASONS[code] : undefined) ?? `cannot be used (${code ?? String(e)})`;
}

function readJson(file: string, shown: string, what: string): unknown {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError(`${shown}: is a directory, not a ${what} file`);
    if (!st.isFile()) throw new InputError(`${shown}: not a regular file`);
    if (st.size > MAX_INPUT_BYTES)
      throw new InputError(`${shown}: ${st.size} bytes; a ${what} file may have at most ${MAX_INPUT_BYTES}`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${shown}: ${fsReason(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${shown}: not valid JSON (${(e as Error).message})`);
  }
}

/** "contention" → scenarios/contention.json; a path (with / or .json) is used as given. */
export function loadScenario(nameOrPath: string): Scenario {
  const named = !nameOrPath.endsWith('.json') && !nameOrPath.includes('/');
  const file = named ? path.join(SCENARIO_DIR, `${nameOrPath}.json`) : path.resolve(nameOrPath);
  const relative = path.relative(process.cwd(), file);
  const shown = !named ? nameOrPath : relative.startsWith('..') ? file : relative;
  let json: unknown;
  try {
    json = readJson(file, shown, 'scenario');
  } catch (e) {
    if (!(e instanceof InputError) || !named) throw e;
    const known = readdirSync(SCENARIO_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    throw new InputError(`${e.message} (scenarios: ${known.join(', ')})`);
  }
  // parseScenario's ScenarioError already reads "<file>: <field>: <what is wrong>".
  try {
    return parseScenario(json, shown);
  } catch (e) {
    if (e instanceof ScenarioError) throw new InputError(e.message);
    throw e;
  }
}

export function loadRules(file: string): RuleSet {
  const json = readJson(path.resolve(file), file, 'rules');
  try {
    return validateRuleSet(json);
  } catch (e) {
    if (e instanceof RuleSetError)
      throw new InputError(`${file}: invalid rule set: ${e.problems.join('; ')}`);
    throw e;
  }
}

/** An output file opened (created or truncated) before the run, so a bad path fails first. */
export interface OutputFile {
  write(bytes: Uint8Array): void;
}

export function openOutput(file: string): OutputFile {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new InputError(`${file}: cannot write: ${fsReason(e)}`);
  }
  return {
    write(bytes) {
      try {
        for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
        closeSync(fd);
      } catch (e) {
        throw new InputError(`${file}: cannot write: ${fsReason(e)}`);
      }
    },
  };
}
