/**
 * The `npm run sim` option table: every option, its value, the range that value may take and
 * its help text. The parser (parse-cli.ts) accepts exactly these options and holds each value
 * to its range; `--help` (help.ts) is printed from this table. Importing it runs nothing.
 */
import { FAULT_KINDS, FAULT_SYNTAX } from '../../driver-runtime/host/faults.ts';
import { MAX_VIRTUAL_US } from '../../driver-runtime/stack/scenario.ts';
import {
  duration,
  fault,
  filePath,
  four,
  number,
  oneOf,
  priorityOrNone,
  type ValueKind,
} from './option-values.ts';

export interface ValueOption<T> {
  /** Placeholder in `--help`, e.g. TIME. */
  readonly value: string;
  readonly kind: ValueKind<T>;
  readonly help: string;
  /** Text parsed when the option is absent. */
  readonly default?: string;
  /** May be given more than once (each value is kept). */
  readonly multiple?: boolean;
}

export interface FlagOption {
  readonly value: null;
  readonly help: string;
}

export type OptionSpec = ValueOption<unknown> | FlagOption;

const flag = (help: string): FlagOption => ({ value: null, help });

/** One hour of virtual time, the ceiling shared with scenario times; a run costs roughly 1-30 s of real time per virtual second. */
const MAX_RUN_NS = MAX_VIRTUAL_US * 1000;
/** A million messages: an interrupt storm schedules one event per message at one instant (~1 s of real time). */
const MAX_FAULT_COUNT = 1_000_000;

export const OPTIONS = {
  scenario: {
    value: 'NAME|FILE',
    kind: filePath('a name in scenarios/ (home-office, contention, busy-desk) or a scenario JSON file'),
    help: 'the scenario to run (required)',
  },
  duration: {
    value: 'TIME',
    // Below 1 ns nothing can happen (virtual time counts ns); the ceiling keeps a run finite.
    kind: duration(1, MAX_RUN_NS),
    help: 'virtual time to run',
    default: '10s',
  },
  seed: {
    value: 'N',
    kind: number(0, 0xffff_ffff, true), // the PRNG takes a 32-bit seed
    help: "PRNG seed (default: the scenario's)",
  },
  link: {
    value: 'SPEED',
    kind: oneOf(['1g', '2.5g', '10g'] as const), // the NIC's link speeds
    help: "link speed (default: the scenario's)",
  },
  rules: {
    value: 'FILE',
    kind: filePath('a rule-set JSON file (see rules/)'),
    help: 'per-application rule set to apply',
  },
  compare: {
    value: 'FILE',
    kind: filePath('a rule-set JSON file (see rules/)'),
    help: 'what-if: run again with this rule set and print both side by side',
  },
  baseline: flag("also run with no rules on one FIFO queue and print each app's p99 improvement over it"),
  scheduler: {
    value: 'MODE',
    kind: oneOf(['sp', 'drr', 'sp-drr', 'fifo'] as const),
    help: 'hardware Tx arbiter: strict priority (default), deficit round robin, SP over DRR, one FIFO',
  },
  aqm: {
    value: 'MODE',
    kind: oneOf(['codel', 'tail'] as const),
    help: 'software-queue AQM: CoDel 5 ms/100 ms (default), or tail drop only',
  },
  'queue-limit': {
    value: 'BYTES',
    // Room for two of the largest frames (2 × 1522 B tagged, with FCS) up to 1 GiB; the
    // 8192-packet pool fills long before that, so a bigger limit would change nothing.
    kind: number(3044, 1 << 30, true, 'B'),
    help: 'software queue byte limit per hardware queue (default 8 MiB)',
  },
  quanta: {
    value: 'A,B,C,D',
    // 0 = strict in sp-drr; 1 MiB is 692 full frames a round, coarser than any use.
    kind: four(number(0, 1 << 20, true, 'B')),
    help: 'DRR quanta for queues 0..3 (0 = strict in sp-drr; drr needs one above 0)',
  },
  floors: {
    value: 'A,B,C,D',
    kind: four(number(0, 1, false), (f) =>
      f.reduce((a, b) => a + b, 0) > 1 + 1e-9 ? 'the shares sum to more than 1' : null,
    ),
    help: 'starvation guard: minimum link share per queue 0..3, summing to at most 1, e.g. 0.0625,0,0,0',
  },
  'max-mbps': {
    value: 'A,B,C,D',
    kind: four(number(0, 10_000, false, 'Mb/s')), // 10 GbE is the fastest link
    help: 'maximum rate per queue 0..3 (0 = unlimited)',
  },
  pcp: {
    value: 'A,B,C,D',
    kind: four(priorityOrNone()),
    help: '802.1p priority the driver marks on every frame of queues 0..3, "-" for none (default: no marking), e.g. 1,0,5,6',
  },
  fault: {
    value: 'SPEC',
    kind: fault(MAX_RUN_NS, MAX_FAULT_COUNT),
    help: `inject a fault (repeatable): ${FAULT_SYNTAX}; KIND is one of ${FAULT_KINDS.join(', ')}`,
    multiple: true,
  },
  explain: flag(
    'print, per app, the chain that decided its queue (identity → rule → schedule → class → queue)',
  ),
  pcap: {
    value: 'FILE',
    kind: filePath('a file to create or overwrite; checked before the run'),
    help: 'write both wire directions as a pcap file (ns timestamps)',
  },
  json: flag('print the report as JSON instead of tables'),
  help: flag('this text'),
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
