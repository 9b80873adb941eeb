/** Things the driver noticed, each with the virtual time and cause: the app's event log. */
export type DriverEventKind =
  | 'link-up'
  | 'link-down'
  | 'tx-hang'
  | 'reset'
  | 'dma-error'
  | 'device-removed'
  | 'rx-overrun'
  | 'unexpected-reset'
  | 'interrupt-recovery'
  | 'rules-applied';

export interface DriverEvent {
  timeNs: number;
  kind: DriverEventKind;
  detail: string;
}

/** Bounded log (newest kept); control path only, never per packet. */
export class DriverEventLog {
  private readonly events: DriverEvent[] = [];
  dropped = 0;

  constructor(private readonly capacity = 1024) {}

  add(timeNs: number, kind: DriverEventKind, detail: string): void {
    if (this.events.length >= this.capacity) {
      this.events.shift();
      this.dropped++;
    }
    this.events.push({ timeNs, kind, detail });
  }

  all(): readonly DriverEvent[] {
    return this.events;
  }

  count(kind: DriverEventKind): number {
    let n = 0;
    for (const e of this.events) if (e.kind === kind) n++;
    return n;
  }
}
