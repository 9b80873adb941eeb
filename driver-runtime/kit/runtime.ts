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
}

let current: DextRuntime | null = null;

export function createRuntime(scheduler: Scheduler, memory: HostMemory, tracer = new Tracer()): DextRuntime {
  return { scheduler, memory, tracer, liveObjects: new Map() };
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
