import type { DriverEventName } from '../abi/netlanes-abi.ts';

/** Things the driver noticed, each with the virtual time and cause: the app's event log. */
export type DriverEventKind = DriverEventName;

export interface DriverEvent {
  /** Numbers every event the driver logged, from 1; survives the log dropping old ones. */
  sequence: number;
  timeNs: number;
  kind: DriverEventKind;
  detail: string;
}

/** Bounded log (newest kept); control path only, never per packet. */
export class DriverEventLog {
  private readonly events: DriverEvent[] = [];
  private sequence = 0;
  dropped = 0;
  /** Told of every event as it is logged (the user client's subscriptions). */
  onEvent: ((event: DriverEvent) => void) | null = null;

  constructor(private readonly capacity = 1024) {}

  add(timeNs: number, kind: DriverEventKind, detail: string): void {
    if (this.events.length >= this.capacity) {
      this.events.shift();
      this.dropped++;
    }
    const event = { sequence: ++this.sequence, timeNs, kind, detail };
    this.events.push(event);
    this.onEvent?.(event);
  }

  all(): readonly DriverEvent[] {
    return this.events;
  }

  /** Events after `sequence`, oldest first. */
  since(sequence: number): DriverEvent[] {
    return this.events.filter((e) => e.sequence > sequence);
  }

  count(kind: DriverEventKind): number {
    let n = 0;
    for (const e of this.events) if (e.kind === kind) n++;
    return n;
  }
}
