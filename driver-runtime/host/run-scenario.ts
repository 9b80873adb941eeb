import { Machine, type LeakReport, type MachineOptions } from './machine.ts';
import { buildReport, type ScenarioReport } from './scenario-report.ts';
import { scheduleFault, type FaultRecord, type FaultSpec } from './faults.ts';
import type { DriverEvent } from '../driver/driver-events.ts';

export interface RunOptions extends MachineOptions {
  durationNs: number;
  /** Called after each slice of virtual time with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
  /** Slice length for progress reports, ns (default 100 ms). */
  progressSliceNs?: number;
  /** Faults to inject, in virtual time from the start. */
  faults?: FaultSpec[];
  /** Inspect or poke the machine after boot (rule changes, extra probes). */
  onBoot?: (machine: Machine) => void;
}

export interface RunResult {
  report: ScenarioReport;
  leaks: LeakReport;
  pcap: Uint8Array | null;
  /** What the driver noticed (link, hangs, resets, faults), with time and cause. */
  events: DriverEvent[];
  /** Injected faults as they began and ended. */
  faults: FaultRecord[];
}

/**
 * Runs one scenario in deterministic mode and returns its report: the engine behind
 * `npm run sim`, the what-if comparison and (later) the app's what-if view. The same
 * options and seed always give the same report and the same pcap bytes.
 */
export function runScenario(options: RunOptions): RunResult {
  const machine = Machine.boot(options);
  const faults: FaultRecord[] = [];
  const scheduled = (options.faults ?? []).map((f) => scheduleFault(machine, f, faults));
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
  for (const f of scheduled) f.finish();
  const events = machine.driver.events.all().slice();
  const leaks = machine.shutdown();
  return { report, leaks, pcap, events, faults };
}
