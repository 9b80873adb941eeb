/**
 * `npm run sim -- …`: runs a scenario headless in deterministic mode (virtual time, seeded)
 * and prints per-app throughput and latency, per-queue counters and a `netstat -I` table.
 */
import { runScenario, type RunOptions, type RunResult } from '../../driver-runtime/host/run-scenario.ts';
import { compareRuleSets } from '../../driver-runtime/host/what-if.ts';
import { EMPTY_RULE_SET } from '../../driver-runtime/rules/rule-types.ts';
import { comparisonText, baselineText } from './compare.ts';
import { EXIT } from './exit-status.ts';
import { explainText } from './explain.ts';
import { reportText } from './format.ts';
import { helpText } from './help.ts';
import { InputError } from './input-error.ts';
import { loadRules, loadScenario, openOutput } from './load-files.ts';
import { parseCli, type Cli } from './parse-cli.ts';

/** Runs what `cli` asks for; every input and output path is checked before the run starts. */
function run(cli: Cli): number {
  const base: RunOptions = {
    scenario: loadScenario(cli.scenario),
    durationNs: cli.durationNs,
    driver: cli.driver,
    ...(cli.seed !== undefined ? { seed: cli.seed } : {}),
    ...(cli.link !== undefined ? { link: cli.link } : {}),
  };
  const rulesA = cli.rules !== undefined ? loadRules(cli.rules) : undefined;
  const rulesB = cli.compare !== undefined ? loadRules(cli.compare) : undefined;
  const pcapOut = cli.pcap !== undefined ? openOutput(cli.pcap) : null;
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
  if (pcapOut && a.pcap) pcapOut.write(a.pcap);
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
    return leaked === 0 ? EXIT.ok : EXIT.leaks;
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
  return leaked === 0 ? EXIT.ok : EXIT.leaks;
}

/** Refusals are one line on stderr and exit status 2; status 1 stays for leaks alone. */
function main(argv: string[]): number {
  try {
    const cli = parseCli(argv);
    if (cli === null) {
      console.log(helpText());
      return EXIT.ok;
    }
    return run(cli);
  } catch (e) {
    if (e instanceof InputError) {
      // Messages quote file text (JSON errors) that may hold newlines; keep it to one line.
      console.error(`sim: ${e.message.replace(/\s*\n\s*/g, ' ')}`);
      return EXIT.refused;
    }
    console.error(`sim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.internal;
  }
}

process.exitCode = main(process.argv.slice(2));
