import { Machine, type LeakReport, type MachineOptions } from './machine.ts';
import { buildReport, type ScenarioReport } from './scenario-report.ts';

export interface RunOptions extends MachineOptions {
  durationNs: number;
  /** Called after each slice of virtual time with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
  /** Slice length for progress reports, ns (default 100 ms). */
  progressSliceNs?: number;
  /** Inspect or poke the machine after boot (fault injection, rule changes). */
  onBoot?: (machine: Machine) => void;
}

export interface RunResult {
  report: ScenarioReport;
  leaks: LeakReport;
  pcap: Uint8Array | null;
  /** Trace lines at warn level and above, for the CLI's event log. */
  events: { timeNs: number; level: string; source: string; message: string }[];
}

/**
 * Runs one scenario in deterministic mode and returns its report: the engine behind
 * `npm run sim`, the what-if comparison and (later) the app's what-if view. The same
 * options and seed always give the same report and the same pcap bytes.
 */
export function runScenario(options: RunOptions): RunResult {
  const machine = Machine.boot(options);
  options.onBoot?.(machine);
  const slice = options.progressSliceNs ?? 100e6;
  let done = 0;
  while (done < options.durationNs) {
    const step = Math.min(slice, options.durationNs - done);
    machine.run(step);
    done += step;
    options.onProgress?.(done / options.durationNs);
  }
  const report = buildReport(machine, options.durationNs);
  const pcap = machine.tap ? machine.tap.bytes().slice() : null;
  const leaks = machine.shutdown();
  const events = machine.runtime.tracer
    .all()
    .filter((e) => e.level === 'warn' || e.level === 'error')
    .map((e) => ({ ...e }));
  return { report, leaks, pcap, events };
}
