import type { Scheduler } from '../sim/scheduler.ts';
import type { HostMemory } from '../sim/host-memory.ts';
import { Tracer } from './tracer.ts';

/**
 * What one simulated dext process runs on: the virtual clock, host physical memory, a
 * tracer and the live-object count. DriverKit's static `Create` calls take no context,
 * so the machine that drives a runtime makes it current while it runs (`withRuntime`);
 * objects remember the runtime they were created in.
 */
export interface DextRuntime {
  readonly scheduler: Scheduler;
  readonly memory: HostMemory;
  readonly tracer: Tracer;
  /** Live OSObjects by class name (leak checks). */
  readonly liveObjects: Map<string, number>;
  /**
   * OURS: virtual ns from an interrupt reaching a source whose handler is idle to the dext's
   * queue starting the delivery — the kernel waking the thread that waits in
   * IOInterruptDispatchSource's CheckForWork. Messages arriving in that window coalesce into
   * one handler call. 0 (the default) delivers at the same instant, so only messages that
   * land while a delivery is already queued coalesce.
   */
  interruptWakeLatencyNs: number;
}

let current: DextRuntime | null = null;

export function createRuntime(scheduler: Scheduler, memory: HostMemory, tracer = new Tracer()): DextRuntime {
  return { scheduler, memory, tracer, liveObjects: new Map(), interruptWakeLatencyNs: 0 };
}

export function currentRuntime(): DextRuntime {
  if (current === null) throw new Error('DriverKit call outside a runtime: wrap it in withRuntime()');
  return current;
}

/** Runs `fn` with `runtime` current, restoring the previous one (machines may nest in what-if runs). */
export function withRuntime<T>(runtime: DextRuntime, fn: () => T): T {
  const previous = current;
  current = runtime;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** Total live OSObjects in a runtime. */
export function liveObjectCount(runtime: DextRuntime): number {
  let n = 0;
  for (const v of runtime.liveObjects.values()) n += v;
  return n;
}
