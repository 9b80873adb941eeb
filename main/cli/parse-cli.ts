/**
 * argv → what to run. Accepts exactly the options in options.ts; every refusal is an
 * InputError whose one-line message names the option and, for a bad value, its range.
 */
import { parseArgs } from 'node:util';
import type { DriverOptions } from '../../driver-runtime/driver/driver-options.ts';
import type { FaultSpec } from '../../driver-runtime/host/faults.ts';
import type { LinkSpeed } from '../../driver-runtime/sim/units.ts';
import { InputError } from './input-error.ts';
import { durationText, ValueError } from './option-values.ts';
import { OPTIONS, type OptionName, type OptionSpec, type ValueOption } from './options.ts';

export interface Cli {
  scenario: string;
  durationNs: number;
  seed?: number;
  link?: LinkSpeed;
  rules?: string;
  compare?: string;
  baseline: boolean;
  driver: Partial<DriverOptions>;
  pcap?: string;
  json: boolean;
  explain: boolean;
  faults: FaultSpec[];
}

type ValueName = { [K in OptionName]: (typeof OPTIONS)[K]['value'] extends null ? never : K }[OptionName];
type ValueOf<K extends ValueName> = (typeof OPTIONS)[K] extends ValueOption<infer T> ? T : never;

const spec = (name: OptionName): OptionSpec => OPTIONS[name];

// strict: false so that "--seed -1" hands us "-1" to refuse with the seed's range, where
// strict parsing would call it ambiguous; unknown options and missing values are refused below.
const PARSE_ARGS_OPTIONS = Object.fromEntries(
  (Object.keys(OPTIONS) as OptionName[]).map((name) => {
    const s = spec(name);
    return [name, { type: s.value === null ? 'boolean' : 'string', multiple: true }] as const;
  }),
);

/** The texts given for each option, in order ('' for a flag). */
function collect(argv: string[]): Map<OptionName, string[]> {
  const { tokens } = parseArgs({
    args: argv,
    options: PARSE_ARGS_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Map<OptionName, string[]>();
  for (const t of tokens) {
    if (t.kind === 'positional')
      throw new InputError(`unexpected argument "${t.value}" (options start with --; try --help)`);
    if (t.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, t.name)) throw new InputError(`unknown option ${t.rawName} (try --help)`);
    const name = t.name as OptionName;
    const s = spec(name);
    const texts = seen.get(name) ?? [];
    if (texts.length > 0 && !(s.value !== null && s.multiple === true))
      throw new InputError(`--${name} is given more than once`);
    if (s.value === null) {
      if (t.value !== undefined) throw new InputError(`--${name} takes no value`);
      texts.push('');
    } else {
      // "--rules --json": the next word is an option, not the FILE that was forgotten.
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--')))
        throw new InputError(`--${name}: missing ${s.value}, which must be ${s.kind.range}`);
      texts.push(t.value);
    }
    seen.set(name, texts);
  }
  return seen;
}

function parseValue<K extends ValueName>(name: K, text: string): ValueOf<K> {
  const s: ValueOption<unknown> = OPTIONS[name];
  try {
    return s.kind.parse(text) as ValueOf<K>;
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    const why = e.message === '' ? '' : `${e.message}; `;
    throw new InputError(`--${name} ${JSON.stringify(text)}: ${why}must be ${s.kind.range}`);
  }
}

/** Returns null for --help. */
export function parseCli(argv: string[]): Cli | null {
  const seen = collect(argv);
  if (seen.has('help')) return null;
  const get = <K extends ValueName>(name: K): ValueOf<K> | undefined => {
    const s: ValueOption<unknown> = OPTIONS[name];
    const text = seen.get(name)?.[0] ?? s.default;
    return text === undefined ? undefined : parseValue(name, text);
  };
  const has = (name: OptionName) => seen.has(name);

  const scenario = get('scenario');
  if (scenario === undefined)
    throw new InputError(`--scenario is required: ${OPTIONS.scenario.kind.range} (try --help)`);
  const durationNs = get('duration')!;
  const faults = (seen.get('fault') ?? []).map((text) => {
    const f = parseValue('fault', text);
    if (f.atNs >= durationNs)
      throw new InputError(
        `--fault ${JSON.stringify(text)}: starts at ${durationText(f.atNs)}, after the run ends (--duration ${durationText(durationNs)})`,
      );
    return f;
  });

  const driver: Partial<DriverOptions> = {};
  const scheduler = get('scheduler');
  if (scheduler !== undefined) driver.txScheduler = scheduler;
  const aqm = get('aqm');
  if (aqm !== undefined) driver.aqm = aqm;
  const queueLimit = get('queue-limit');
  if (queueLimit !== undefined) driver.swQueueBytes = queueLimit;
  const floors = get('floors');
  if (floors !== undefined) driver.floors = floors;
  const maxMbps = get('max-mbps');
  if (maxMbps !== undefined)
    driver.maxBps = [maxMbps[0] * 1e6, maxMbps[1] * 1e6, maxMbps[2] * 1e6, maxMbps[3] * 1e6];
  const pcp = get('pcp');
  if (pcp !== undefined) driver.pcp = pcp;
  const quanta = get('quanta');
  if (quanta !== undefined) {
    // The driver refuses to start DRR that could never send; say so before booting it.
    if (scheduler === 'drr' && quanta.every((q) => q === 0))
      throw new InputError(`--quanta ${JSON.stringify(seen.get('quanta')![0])}: drr needs a quantum above 0`);
    driver.drrQuanta = quanta;
  }

  const seed = get('seed');
  const link = get('link');
  const rules = get('rules');
  const compare = get('compare');
  const pcap = get('pcap');
  return {
    scenario,
    durationNs,
    ...(seed !== undefined ? { seed } : {}),
    ...(link !== undefined ? { link } : {}),
    ...(rules !== undefined ? { rules } : {}),
    ...(compare !== undefined ? { compare } : {}),
    baseline: has('baseline'),
    driver,
    ...(pcap !== undefined ? { pcap } : {}),
    json: has('json'),
    explain: has('explain'),
    faults,
  };
}
