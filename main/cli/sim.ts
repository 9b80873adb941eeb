/**
 * `npm run sim -- …`: runs a scenario headless in deterministic mode (virtual time, seeded)
 * and prints per-app throughput and latency, per-queue counters and a `netstat -I` table.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScenario, type RunOptions, type RunResult } from '../../driver-runtime/host/run-scenario.ts';
import { parseDuration, type LinkSpeed } from '../../driver-runtime/sim/units.ts';
import type { DriverOptions } from '../../driver-runtime/driver/driver-options.ts';
import { InputError, loadRules, loadScenario } from './load-files.ts';
import { reportText } from './format.ts';
import { comparisonText, baselineText } from './compare.ts';
import { compareRuleSets } from '../../driver-runtime/host/what-if.ts';
import { EMPTY_RULE_SET } from '../../driver-runtime/rules/rule-types.ts';
import { explainText } from './explain.ts';
import { FAULT_SYNTAX, parseFault, type FaultSpec } from '../../driver-runtime/host/faults.ts';

const HELP = `usage: npm run sim -- --scenario NAME [options]

Runs a scenario on the simulated machine (NIC + DriverKit runtime + NetLanes driver + host
stack) in deterministic virtual time and prints what each application got.

  --scenario NAME|FILE   scenario name in scenarios/ (home-office, contention) or a JSON file
  --duration TIME        virtual time to run, e.g. 10s, 500ms (default 10s)
  --seed N               PRNG seed (default: the scenario's)
  --link 1g|2.5g|10g     link speed (default: the scenario's)
  --rules FILE           per-application rule set (JSON) to apply
  --compare FILE         what-if: run again with this rule set and print both side by side
  --baseline             also run with no rules on one FIFO queue and print each app's p99
                         improvement factor over that baseline
  --scheduler MODE       hardware Tx arbiter: sp (default), drr, sp-drr, fifo
  --aqm codel|tail       software-queue AQM: CoDel 5 ms/100 ms (default) or tail drop only
  --queue-limit BYTES    software queue byte limit per hardware queue (default 8 MiB)
  --quanta A,B,C,D       DRR quanta in bytes for queues 0..3 (with drr / sp-drr)
  --floors A,B,C,D       starvation guard: minimum link share per queue 0..3, e.g. 0.0625,0,0,0
  --max-mbps A,B,C,D     maximum rate per queue 0..3 in Mb/s (0 = unlimited)
  --fault SPEC           inject a fault (repeatable): ${FAULT_SYNTAX}
                         kinds: link-flap surprise-removal tx-hang dma-error pool-exhaustion
                         rx-overrun lost-interrupts interrupt-storm reset pause
  --explain              print, per app, the chain that decided its queue
                         (identity match → rule → schedule → default class → queue)
  --pcap FILE            write both wire directions as a pcap file (ns timestamps)
  --json                 print the report as JSON instead of tables
  --help                 this text

Exit status: 0 on success, 1 if shutdown found leaked objects, packets or host memory,
2 when an input file or option is refused (the message says why).`;

interface Cli {
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

function parseCli(argv: string[]): Cli | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      duration: { type: 'string', default: '10s' },
      seed: { type: 'string' },
      link: { type: 'string' },
      rules: { type: 'string' },
      compare: { type: 'string' },
      baseline: { type: 'boolean', default: false },
      scheduler: { type: 'string' },
      quanta: { type: 'string' },
      aqm: { type: 'string' },
      floors: { type: 'string' },
      'max-mbps': { type: 'string' },
      'queue-limit': { type: 'string' },
      pcap: { type: 'string' },
      fault: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  if (!values.scenario) throw new InputError('--scenario is required (try --help)');
  const link = values.link;
  if (link !== undefined && link !== '1g' && link !== '2.5g' && link !== '10g')
    throw new InputError(`--link must be 1g, 2.5g or 10g, not "${link}"`);
  let durationNs: number;
  try {
    durationNs = parseDuration(values.duration!);
  } catch (e) {
    throw new InputError(`--duration: ${(e as Error).message}`);
  }
  if (durationNs <= 0) throw new InputError('--duration must be positive');
  const seed = values.seed === undefined || values.seed.trim() === '' ? undefined : Number(values.seed);
  if (values.seed !== undefined && seed === undefined) throw new InputError('--seed needs a number');
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff))
    throw new InputError(`--seed must be an integer 0..4294967295`);
  const driver: Partial<DriverOptions> = {};
  if (values.scheduler !== undefined) {
    const modes = ['sp', 'drr', 'sp-drr', 'fifo'] as const;
    const mode = modes.find((m) => m === values.scheduler);
    if (!mode) throw new InputError(`--scheduler must be one of ${modes.join(', ')}`);
    driver.txScheduler = mode;
  }
  if (values.aqm !== undefined) {
    if (values.aqm !== 'codel' && values.aqm !== 'tail') throw new InputError('--aqm must be codel or tail');
    driver.aqm = values.aqm;
  }
  if (values['queue-limit'] !== undefined) {
    const bytes = Number(values['queue-limit']);
    if (!Number.isInteger(bytes) || bytes < 3044 || bytes > 1 << 30)
      throw new InputError('--queue-limit takes bytes, 3044..1073741824');
    driver.swQueueBytes = bytes;
  }
  if (values.floors !== undefined) {
    const f = values.floors.split(',').map(Number);
    if (f.length !== 4 || f.some((x) => !(x >= 0 && x <= 1)) || f.reduce((a, b) => a + b, 0) > 1) {
      throw new InputError('--floors takes four shares 0..1 that sum to at most 1');
    }
    driver.floors = f as [number, number, number, number];
  }
  if (values['max-mbps'] !== undefined) {
    const m = values['max-mbps'].split(',').map(Number);
    if (m.length !== 4 || m.some((x) => !(x >= 0 && x <= 100_000)))
      throw new InputError('--max-mbps takes four rates 0..100000 (0 = unlimited)');
    driver.maxBps = m.map((x) => x * 1e6) as [number, number, number, number];
  }
  if (values.quanta !== undefined) {
    const q = values.quanta.split(',').map(Number);
    if (q.length !== 4 || q.some((x) => !Number.isInteger(x) || x < 0 || x > 1 << 20))
      throw new InputError('--quanta takes four integers 0..1048576 (bytes)');
    driver.drrQuanta = q as [number, number, number, number];
  }
  let faults: FaultSpec[];
  try {
    faults = (values.fault ?? []).map(parseFault);
  } catch (e) {
    throw new InputError(`--fault: ${(e as Error).message}`);
  }
  const late = faults.find((f) => f.atNs >= durationNs);
  if (late) throw new InputError(`--fault ${late.kind}: starts at ${late.atNs / 1e6} ms, after the run ends`);
  return {
    faults,
    scenario: values.scenario,
    durationNs,
    ...(seed !== undefined ? { seed } : {}),
    ...(link !== undefined ? { link } : {}),
    ...(values.rules !== undefined ? { rules: values.rules } : {}),
    ...(values.compare !== undefined ? { compare: values.compare } : {}),
    baseline: values.baseline!,
    driver,
    ...(values.pcap !== undefined ? { pcap: values.pcap } : {}),
    json: values.json!,
    explain: values.explain!,
  };
}

function main(argv: string[]): number {
  let cli: Cli | null;
  try {
    cli = parseCli(argv);
  } catch (e) {
    console.error(`sim: ${(e as Error).message}`);
    return 2;
  }
  if (cli === null) {
    console.log(HELP);
    return 0;
  }
  let base: RunOptions;
  let rulesA;
  let rulesB;
  try {
    base = {
      scenario: loadScenario(cli.scenario),
      durationNs: cli.durationNs,
      driver: cli.driver,
      ...(cli.seed !== undefined ? { seed: cli.seed } : {}),
      ...(cli.link !== undefined ? { link: cli.link } : {}),
    };
    rulesA = cli.rules ? loadRules(cli.rules) : undefined;
    rulesB = cli.compare ? loadRules(cli.compare) : undefined;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`sim: ${e.message}`);
    return 2;
  }
  const progress =
    cli.json || !process.stderr.isTTY
      ? undefined
      : (f: number) => process.stderr.write(`\r${(f * 100).toFixed(0)}%`);
  const runOptions: RunOptions = { ...base, faults: cli.faults, capture: cli.pcap !== undefined };
  let a: RunResult;
  let b: RunResult | null = null;
  if (rulesB) {
    const w = compareRuleSets(runOptions, rulesA ?? null, rulesB, progress);
    a = w.a;
    b = w.b;
  } else {
    a = runScenario({
      ...runOptions,
      ...(rulesA ? { rules: rulesA } : {}),
      ...(progress ? { onProgress: progress } : {}),
    });
  }
  if (progress) process.stderr.write('\r    \r');
  if (cli.pcap && a.pcap) writeFileSync(cli.pcap, a.pcap);
  const fifo = cli.baseline
    ? runScenario({ ...base, driver: { ...cli.driver, txScheduler: 'fifo', singleQueue: true } })
    : null;

  const leaked = a.leaks.liveObjects + a.leaks.poolPacketsInUse + a.leaks.hostAllocations;
  const explanation = cli.explain ? explainText(base.scenario, rulesA ?? EMPTY_RULE_SET) : null;
  if (cli.json) {
    console.log(
      JSON.stringify(
        {
          report: a.report,
          leaks: a.leaks,
          events: a.events,
          faults: a.faults,
          compare: b?.report ?? null,
          baseline: fifo?.report ?? null,
          explain: explanation,
        },
        null,
        2,
      ),
    );
    return leaked === 0 ? 0 : 1;
  }
  console.log(reportText(a.report));
  if (explanation) console.log(`\nwhy each app is on its queue (${cli.rules ?? 'no rules'})\n${explanation}`);
  if (cli.pcap) console.log(`\npcap: ${cli.pcap} (${a.report.capturedFrames} frames)`);
  if (b)
    console.log(
      `\nwhat-if: ${cli.rules ?? '(no rules)'} vs ${cli.compare}\n${comparisonText(a.report, b.report)}`,
    );
  if (fifo) console.log(`\nbaseline: one FIFO queue, no rules\n${baselineText(a.report, fifo.report)}`);
  console.log(
    `\nshutdown: ${leaked === 0 ? 'clean (no live objects, packets or host memory left)' : `LEAK ${JSON.stringify(a.leaks)}`}`,
  );
  const log = [
    ...a.faults.map((f) => ({ t: f.timeNs, line: `fault   ${f.kind} ${f.phase}: ${f.detail}` })),
    ...a.events.map((e) => ({ t: e.timeNs, line: `driver  ${e.kind}: ${e.detail}` })),
  ].sort((x, y) => x.t - y.t);
  if (log.length > 0) console.log('\nevents');
  for (const e of log) console.log(`${(e.t / 1e6).toFixed(3).padStart(10)} ms  ${e.line}`);
  return leaked === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
