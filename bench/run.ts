/**
 * `npm run bench`: measures the simulated data path on one core, in deterministic mode
 * (virtual time, so the work done is identical run to run; only the wall time varies).
 * Prints a table and writes bench/results/latest.json. A benchmark, not a test: nothing
 * here passes or fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
import { rxScenario, txScenario } from './scenarios.ts';
import { classifierCost } from './classifier-cost.ts';
import { allocationPerPacket } from './allocation.ts';

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
  machine.run(20e6); // warm up: JIT, ring and queue steady state
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
  link: LinkSpeed,
  frameBytes: number,
  wallMs: number,
): Promise<{ name: string; cpuShare: number; simThreadShare: number; lagNs: number; packets: number }> {
  const m = Machine.boot({ scenario: txScenario(link, frameBytes), verifyChecksums: false });
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
    name: `real-time ${frameBytes + FCS_BYTES} B @ ${link}`,
    cpuShare: (cpu.user + cpu.system) / 1000 / elapsed,
    simThreadShare: stats.busyMs / elapsed,
    lagNs: stats.lagNs,
    packets,
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

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const v = quick ? 20e6 : 100e6;
  const paths: PathResult[] = [
    bestOf(5, () => txPath('10g', 60, v)),
    bestOf(5, () => txPath('10g', 1514, v * 4)),
    ...rulesOffOn(v),
    bestOf(5, () => rxPath('10g', 60, v)),
    bestOf(5, () => rxPath('10g', 1514, v * 4)),
  ];
  // Three real-time runs: this machine alternates between a fast and a slow mode (about 1.6×,
  // from run to run, not within one), so the range is reported, not one sample.
  const rts = [];
  for (let i = 0; i < 3; i++) rts.push(await realTime('2.5g', 1514, quick ? 500 : 2000));
  rts.sort((a, b) => a.simThreadShare - b.simThreadShare);
  const rt = rts[0];
  const rtWorst = rts[rts.length - 1];
  const classifier = classifierCost(quick ? 2e6 : 2e7);
  const allocatedBytesPerPacket = await allocationPerPacket(quick ? 20e6 : 50e6);
  const off = paths[2];
  const on = paths[3];
  const result = {
    node: process.version,
    date: new Date().toISOString(),
    gcExposed: gc !== undefined,
    paths,
    realTime: rt,
    realTimeWorst: rtWorst,
    classifier,
    rulesCost: 1 - on.mpps / off.mpps,
    allocatedBytesPerPacket,
  };
  const table = [
    ['path', 'packets', 'wall ms', 'Mpps', 'ns/pkt', 'line rate Mpps', 'heap growth'].join('\t'),
    ...paths.map((p) =>
      [
        p.name,
        p.packets,
        p.wallMs.toFixed(0),
        p.mpps.toFixed(3),
        p.nsPerPacket.toFixed(0),
        p.lineRateMpps.toFixed(3),
        `${(p.heapGrowthBytes / 1024).toFixed(0)} KiB`,
      ].join('\t'),
    ),
  ];
  console.log(table.join('\n'));
  console.log(
    `\n${rt.name}: simulation ${(rt.simThreadShare * 100).toFixed(1)}–${(rtWorst.simThreadShare * 100).toFixed(1)}% of one core ` +
      `over 3 runs (whole process incl. GC/JIT threads ${(rt.cpuShare * 100).toFixed(1)}–${(rtWorst.cpuShare * 100).toFixed(1)}%), ` +
      `lag ${(rtWorst.lagNs / 1e6).toFixed(2)} ms, ${rt.packets} frames`,
  );
  console.log(
    `classifier: ${classifier.flowTableNs.toFixed(2)} ns/pkt (5-tuple flow table), ${classifier.appIdNs.toFixed(2)} ns/pkt (a per-packet app id, as the simulator used to give), ${classifier.serviceClassNs.toFixed(2)} ns/pkt (service class only), per-app accounting ${classifier.accountingNs.toFixed(2)} ns/pkt`,
  );
  console.log(`rules on vs off (Tx 64 B): ${(result.rulesCost * 100).toFixed(1)}% slower`);
  console.log(`allocation (Tx 64 B, garbage included): ${allocatedBytesPerPacket.toFixed(1)} bytes/packet`);
  if (!gc)
    console.log('(heap growth measured without GC between samples; run via npm run bench for --expose-gc)');
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(result, null, 2));
  console.log(`\nJSON: ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
}

await main();
