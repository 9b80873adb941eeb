/**
 * `npm run bench`: measures the simulated data path on one core, in deterministic mode
 * (virtual time, so the work done is identical run to run; only the wall time varies), the
 * protocol's round trips on its three carriers, and mapped memory kept fresh by the broker.
 * Prints a table and writes bench/results/latest.json. A benchmark, not a test: figures are
 * marked against the project's goals ("pass" / "MISS"), but nothing fails.
 *
 *   npm run bench -- --quick            shorter runs
 *   npm run bench -- --only rpc         one section (repeat, or comma-separate, for several):
 *                                       paths, realtime, classifier, allocation, profile, rpc,
 *                                       mapping, store, ui
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Machine } from '../driver-runtime/host/machine.ts';
import { Pacer } from '../driver-runtime/sim/pacer.ts';
import {
  FCS_BYTES,
  IFG_BYTES,
  LINK_BPS,
  PREAMBLE_BYTES,
  type LinkSpeed,
} from '../driver-runtime/sim/units.ts';
import type { RuleSet } from '../driver-runtime/rules/rule-types.ts';
import { imixScenario, rxScenario, txScenario } from './scenarios.ts';
import type { Scenario } from '../driver-runtime/stack/scenario.ts';
import { classifierCost } from './classifier-cost.ts';
import { skeletonReference } from './skeleton.ts';
import { allocationPerPacket } from './allocation.ts';
import { profileByLayer, profileReport } from './profile.ts';
import { RPC_GOALS, rpcRoundTrips, type RpcResult } from './rpc.ts';
import { MAPPING_GOALS, mappingBench, type MappingResult } from './mapping.ts';
import { STORE_GOALS, storeBench, storeReport } from './store.ts';
import { FRAME_BUDGET_GOAL, frameBudget, frameBudgetReport } from './frame-budget.ts';

const gc = (globalThis as { gc?: () => void }).gc;

interface PathResult {
  name: string;
  packets: number;
  wallMs: number;
  mpps: number;
  nsPerPacket: number;
  lineRateMpps: number;
  /** Heap growth over the measured steady-state window (after GC), bytes. */
  heapGrowthBytes: number;
}

function lineRatePps(link: LinkSpeed, frameBytes: number): number {
  return LINK_BPS[link] / ((frameBytes + FCS_BYTES + PREAMBLE_BYTES + IFG_BYTES) * 8);
}

function heapUsed(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

function measure(
  name: string,
  machine: Machine,
  count: () => number,
  virtualNs: number,
  linePps: number,
): PathResult {
  // Warm up for 100 ms of virtual time (~0.3 s): JIT tiers settle, rings and queues reach steady state.
  machine.run(100e6);
  const startCount = count();
  const heap0 = heapUsed();
  const t0 = performance.now();
  machine.run(virtualNs);
  const wallMs = performance.now() - t0;
  const heapGrowthBytes = heapUsed() - heap0;
  const packets = count() - startCount;
  machine.shutdown();
  return {
    name,
    packets,
    wallMs,
    mpps: packets / wallMs / 1000,
    nsPerPacket: (wallMs * 1e6) / packets,
    lineRateMpps: linePps / 1e6,
    heapGrowthBytes,
  };
}

function txPath(link: LinkSpeed, frameBytes: number, virtualNs: number, rules?: RuleSet | null): PathResult {
  // Two senders whenever rules are compared (on or off), so both runs do the same work.
  const senders = rules === undefined ? 1 : 2;
  const m = Machine.boot({
    scenario: txScenario(link, frameBytes, senders),
    verifyChecksums: false,
    ...(rules ? { rules } : {}),
  });
  const label = `Tx ${frameBytes + FCS_BYTES} B @ ${link}${rules === undefined ? '' : rules ? ', 2 apps, rules on' : ', 2 apps, rules off'}`;
  return measure(label, m, () => m.partner.counters.fromNicFrames, virtualNs, lineRatePps(link, frameBytes));
}

function rxPath(link: LinkSpeed, frameBytes: number, virtualNs: number): PathResult {
  const m = Machine.boot({ scenario: rxScenario(link, frameBytes, LINK_BPS[link]), verifyChecksums: false });
  return measure(
    `Rx ${frameBytes + FCS_BYTES} B @ ${link}`,
    m,
    () => m.stack.counters.rxPackets,
    virtualNs,
    lineRatePps(link, frameBytes),
  );
}

/** Real-time mode: virtual time paced to the wall clock; reports the share of one core used. */
async function realTime(
  name: string,
  scenario: Scenario,
  wallMs: number,
): Promise<{
  name: string;
  cpuShare: number;
  simThreadShare: number;
  lagNs: number;
  packets: number;
  wallMs: number;
}> {
  const m = Machine.boot({ scenario, verifyChecksums: false });
  m.run(50e6); // warm up (JIT) before the measured window, as the long-running app would be
  const pacer = new Pacer(m.scheduler);
  m.within(() => pacer.start());
  const start = m.partner.counters.fromNicFrames;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, wallMs));
  pacer.stop();
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = pacer.stats();
  const packets = m.partner.counters.fromNicFrames - start;
  m.shutdown();
  return {
    name,
    cpuShare: (cpu.user + cpu.system) / 1000 / elapsed,
    simThreadShare: stats.busyMs / elapsed,
    lagNs: stats.lagNs,
    packets,
    wallMs: elapsed,
  };
}

/** Best of `n` fresh runs: wall time on a shared 2-core machine is noisy; the fastest run is the least disturbed. */
function bestOf(n: number, run: () => PathResult): PathResult {
  let best: PathResult | null = null;
  for (let i = 0; i < n; i++) {
    const r = run();
    if (best === null || r.mpps > best.mpps) best = r;
  }
  return best!;
}

/** Rules off vs on, interleaved (off, on, off, on, …) so drift hits both alike; best of five each. */
function rulesOffOn(virtualNs: number): [PathResult, PathResult] {
  let off: PathResult | null = null;
  let on: PathResult | null = null;
  for (let i = 0; i < 5; i++) {
    const a = txPath('10g', 60, virtualNs, null);
    const b = txPath('10g', 60, virtualNs, contentionRules);
    if (off === null || a.mpps > off.mpps) off = a;
    if (on === null || b.mpps > on.mpps) on = b;
  }
  return [off!, on!];
}

const contentionRules: RuleSet = {
  version: 1,
  rules: [
    { id: 'even', match: { bundleId: 'bench.bulk0' }, priority: 'low', enabled: true },
    { id: 'odd', match: { bundleId: 'bench.bulk1' }, priority: 'high', enabled: true },
  ],
};

const SECTIONS = [
  'paths',
  'realtime',
  'classifier',
  'allocation',
  'profile',
  'rpc',
  'mapping',
  'store',
  'ui',
] as const;
type Section = (typeof SECTIONS)[number];

function options(): { quick: boolean; only: Set<Section> | null } {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
    strict: true,
  });
  if (values.only === undefined) return { quick: values.quick, only: null };
  const names = values.only.flatMap((v) => v.split(',')).filter((v) => v !== '');
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    console.error(`bench: --only ${unknown.join(',') || '(nothing)'}: one of ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  return { quick: values.quick, only: new Set(names as Section[]) };
}

const mark = (met: boolean) => (met ? 'pass' : 'MISS');

/** The goal a carrier's p50 round trip is held to (none in-process: the issue sets none). */
function p50GoalUs(r: RpcResult): number | null {
  return r.carrierId === 'worker'
    ? RPC_GOALS.workerP50Us
    : r.carrierId === 'websocket'
      ? RPC_GOALS.socketP50Us
      : null;
}

function rpcReport(results: RpcResult[]) {
  const rows = results.map((r) => {
    const goal = p50GoalUs(r);
    return {
      ...r,
      goals: {
        p50Us: goal === null ? null : { goal, met: r.sequential.p50Us <= goal },
        callsPerSec: { goal: RPC_GOALS.callsPerSec, met: r.pipelined.callsPerSec >= RPC_GOALS.callsPerSec },
      },
    };
  });
  const table = [
    [
      'carrier',
      'method',
      'p50 µs',
      'p99 µs',
      'p50 goal',
      'sequential calls/s',
      'pipelined calls/s',
      'calls/s goal',
      'pipelined p50/p99 µs',
    ].join('\t'),
    ...rows.map((r) =>
      [
        r.carrier,
        r.method,
        r.sequential.p50Us.toFixed(0),
        r.sequential.p99Us.toFixed(0),
        r.goals.p50Us === null ? '—' : `≤ ${r.goals.p50Us.goal}: ${mark(r.goals.p50Us.met)}`,
        r.sequential.callsPerSec.toFixed(0),
        `${r.pipelined.callsPerSec.toFixed(0)} (${r.pipelined.inFlight} in flight)`,
        `≥ ${r.goals.callsPerSec.goal}: ${mark(r.goals.callsPerSec.met)}`,
        `${r.pipelined.p50Us.toFixed(0)} / ${r.pipelined.p99Us.toFixed(0)}`,
      ].join('\t'),
    ),
  ];
  return { rows, table: table.join('\n') };
}

function mappingReport(m: MappingResult) {
  const delay = m.delay.map((d) => ({
    ...d,
    goal: { p99Ms: MAPPING_GOALS.delayMs, met: d.p99Ms <= MAPPING_GOALS.delayMs },
  }));
  const cpu = m.cpu.map((c) => ({
    ...c,
    // Held on the larger of the two: the process figure carries the dext thread's noise.
    goal: {
      cpuShare: MAPPING_GOALS.cpuShare,
      met: Math.max(c.cpuShare, c.mainThreadShare) < MAPPING_GOALS.cpuShare,
    },
  }));
  const goalMs = MAPPING_GOALS.delayMs.toFixed(1);
  const table = [
    `mapping delay (driver change → replica; broker frame ${m.frameMs} ms)\tp50 ms\tp99 ms\tmax ms\tsamples\tframes skipped (seqlock busy)\tgoal`,
    ...delay.map((d) =>
      [
        d.path,
        d.p50Ms.toFixed(2),
        d.p99Ms.toFixed(2),
        d.maxMs.toFixed(2),
        d.lost > 0 ? `${d.samples} (+${d.lost} lost)` : d.samples,
        `${d.busyPolls} of ${d.polls}`,
        `p99 ≤ ${goalMs} ms: ${mark(d.goal.met)}`,
      ].join('\t'),
    ),
    `mapping CPU (kept fresh at the frame rate; with minus without)\tprocess CPU, % of a core\tmain thread %\tupdates/s\tframes skipped (seqlock busy)\tgoal`,
    ...cpu.map((c) =>
      [
        c.name,
        (c.cpuShare * 100).toFixed(2),
        (c.mainThreadShare * 100).toFixed(2),
        c.updatesPerSec.toFixed(1),
        `${c.busyPolls} of ${c.polls}`,
        `< ${MAPPING_GOALS.cpuShare * 100} %: ${mark(c.goal.met)}`,
      ].join('\t'),
    ),
  ];
  return { ...m, delay, cpu, table: table.join('\n') };
}

async function main(): Promise<void> {
  const { quick, only } = options();
  const want = (s: Section) => only === null || only.has(s);
  const v = quick ? 20e6 : 100e6;
  const result: Record<string, unknown> = {
    node: process.version,
    date: new Date().toISOString(),
    gcExposed: gc !== undefined,
    quick,
    sections: only === null ? [...SECTIONS] : [...only],
  };
  if (want('paths')) {
    const paths: PathResult[] = [
      bestOf(5, () => txPath('10g', 60, v)),
      bestOf(5, () => txPath('10g', 1514, v * 4)),
      ...rulesOffOn(v),
      bestOf(5, () => rxPath('10g', 60, v)),
      bestOf(5, () => rxPath('10g', 1514, v * 4)),
    ];
    const off = paths[2];
    const on = paths[3];
    // Measured in the same run as the paths, so both see the same machine state.
    const skeleton = skeletonReference(60, quick ? 500_000 : 2_000_000);
    result.paths = paths.map((p) => ({ ...p, skeletonRatio: p.nsPerPacket / skeleton.touchNs }));
    result.skeleton = skeleton;
    result.rulesCost = 1 - on.mpps / off.mpps;
    const table = [
      ['path', 'packets', 'wall ms', 'Mpps', 'ns/pkt', '× skeleton', 'line rate Mpps', 'heap growth'].join(
        '\t',
      ),
      ...paths.map((p) =>
        [
          p.name,
          p.packets,
          p.wallMs.toFixed(0),
          p.mpps.toFixed(3),
          p.nsPerPacket.toFixed(0),
          (p.nsPerPacket / skeleton.touchNs).toFixed(1),
          p.lineRateMpps.toFixed(3),
          `${(p.heapGrowthBytes / 1024).toFixed(0)} KiB`,
        ].join('\t'),
      ),
      [
        'skeleton Tx 64 B (bench/skeleton.ts: same rings and pool, no model logic)',
        skeleton.packets,
        '',
        (1e3 / skeleton.touchNs).toFixed(3),
        `${skeleton.touchNs.toFixed(1)} (handles only ${skeleton.bareNs.toFixed(1)})`,
        '1.0',
        '',
        '',
      ].join('\t'),
    ];
    console.log(table.join('\n'));
    console.log(`rules on vs off (Tx 64 B): ${((1 - on.mpps / off.mpps) * 100).toFixed(1)}% slower`);
    if (!gc)
      console.log('(heap growth measured without GC between samples; run via npm run bench for --expose-gc)');
  }
  if (want('realtime')) {
    // Three real-time runs each: this machine alternates between a fast and a slow mode (about
    // 1.6×, from run to run, not within one), so the range is reported, not one sample.
    const cases = [
      {
        name: 'real-time 1518 B @ 2.5g',
        scenario: txScenario('2.5g', 1514),
        goal: 0.1,
        pps: lineRatePps('2.5g', 1514),
      },
      {
        name: 'real-time IMIX 7:4:1 (64/576/1518 B) @ 10g, 98 % of line rate',
        scenario: imixScenario('10g', 0.98),
        goal: 1,
        pps: (0.98 * LINK_BPS['10g']) / (8 * ((7 * 84 + 4 * 596 + 1538) / 12)),
      },
    ];
    const realTimes = [];
    for (const c of cases) {
      const rts = [];
      for (let i = 0; i < 3; i++) rts.push(await realTime(c.name, c.scenario, quick ? 500 : 2000));
      rts.sort((a, b) => a.simThreadShare - b.simThreadShare);
      const rt = rts[0];
      const rtWorst = rts[rts.length - 1];
      // Keeping up: the frames sent match the offered rate (a pacer that lags sends fewer, and
      // its share then understates what real time would need: scale it by offered/sent).
      const offered = (c.pps * rtWorst.wallMs) / 1000;
      const keptUp = rtWorst.packets >= 0.97 * offered;
      const neededShare = rtWorst.simThreadShare * Math.max(1, offered / rtWorst.packets);
      const met = keptUp && rtWorst.simThreadShare < c.goal;
      realTimes.push({
        best: rt,
        worst: rtWorst,
        goalShare: c.goal,
        offeredFrames: offered,
        keptUp,
        neededShare,
        met,
      });
      console.log(
        `\n${rt.name}: simulation ${(rt.simThreadShare * 100).toFixed(1)}–${(rtWorst.simThreadShare * 100).toFixed(1)}% of one core ` +
          `over 3 runs (whole process incl. GC/JIT threads ${(rt.cpuShare * 100).toFixed(1)}–${(rtWorst.cpuShare * 100).toFixed(1)}%), ` +
          `lag ${(rtWorst.lagNs / 1e6).toFixed(2)} ms, ${rtWorst.packets} of ${offered.toFixed(0)} offered frames ` +
          `(${keptUp ? 'kept up' : `fell behind: real time would need ≈ ${(neededShare * 100).toFixed(0)} %`}); ` +
          `goal < ${c.goal * 100} %: ${mark(met)}`,
      );
    }
    result.realTime = realTimes[0].best;
    result.realTimeWorst = realTimes[0].worst;
    result.realTimes = realTimes;
  }
  if (want('classifier')) {
    const classifier = classifierCost(quick ? 2e6 : 2e7);
    result.classifier = classifier;
    console.log(
      `classifier: ${classifier.flowTableNs.toFixed(2)} ns/pkt (5-tuple flow table), ${classifier.appIdNs.toFixed(2)} ns/pkt (a per-packet app id, as the simulator used to give), ${classifier.serviceClassNs.toFixed(2)} ns/pkt (service class only), per-app accounting ${classifier.accountingNs.toFixed(2)} ns/pkt`,
    );
  }
  if (want('allocation')) {
    const allocatedBytesPerPacket = await allocationPerPacket(quick ? 20e6 : 50e6);
    result.allocatedBytesPerPacket = allocatedBytesPerPacket;
    console.log(`allocation (Tx 64 B, garbage included): ${allocatedBytesPerPacket.toFixed(1)} bytes/packet`);
  }
  if (want('profile')) {
    const profile = await profileByLayer(quick ? 50e6 : 200e6);
    result.profile = profile;
    console.log(`\n${profileReport(profile)}`);
  }
  if (want('rpc')) {
    const { rows, table } = rpcReport(await rpcRoundTrips({ runMs: quick ? 300 : 1000, inFlight: 64 }));
    result.rpc = { goals: RPC_GOALS, results: rows };
    console.log(`\n${table}`);
  }
  if (want('mapping')) {
    const { table, ...mapping } = mappingReport(
      await mappingBench({ delayMs: quick ? 1000 : 2500, cpuWindowMs: quick ? 750 : 1500 }),
    );
    result.mapping = { goals: MAPPING_GOALS, ...mapping };
    console.log(`\n${table}`);
  }
  if (want('store')) {
    const store = await storeBench(quick);
    result.store = { goals: STORE_GOALS, ...store };
    console.log(`\n${storeReport(store)}`);
  }
  if (want('ui')) {
    const ui = await frameBudget(quick ? 5000 : 10_000);
    result.frameBudget = { goal: FRAME_BUDGET_GOAL, ...ui };
    console.log(`\n${frameBudgetReport(ui)}`);
  }
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  // A partial run does not overwrite the full one.
  const file = path.join(dir, only === null ? 'latest.json' : `latest-${[...only].join('+')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);
}

await main();
