/** Severity of a trace line; `warn` marks guest/driver mistakes as QEMU's `*_wrn` events do. */
export type TraceLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TraceEvent {
  timeNs: number;
  level: TraceLevel;
  source: string;
  message: string;
}

/**
 * Bounded trace log. Off the data path: callers trace state changes and faults, never
 * per packet. Keeps the newest `capacity` events and counts the rest.
 */
export class Tracer {
  private readonly events: TraceEvent[] = [];
  dropped = 0;
  /** Optional live sink (CLI --verbose, tests). */
  sink: ((e: TraceEvent) => void) | null = null;
  clock: () => number = () => 0;

  constructor(private readonly capacity = 4096) {}

  log(level: TraceLevel, source: string, message: string): void {
    const e: TraceEvent = { timeNs: this.clock(), level, source, message };
    if (this.events.length >= this.capacity) {
      this.events.shift();
      this.dropped++;
    }
    this.events.push(e);
    this.sink?.(e);
  }

  info(source: string, message: string): void {
    this.log('info', source, message);
  }

  warn(source: string, message: string): void {
    this.log('warn', source, message);
  }

  error(source: string, message: string): void {
    this.log('error', source, message);
  }

  all(): readonly TraceEvent[] {
    return this.events;
  }

  find(pattern: RegExp): TraceEvent[] {
    return this.events.filter((e) => pattern.test(e.message));
  }
}
