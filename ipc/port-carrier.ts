/**
 * A carrier over a port that clones structures: a worker's port, a MessagePort in a browser,
 * Electron or Node. No encoding step; the receiver validates every message's shape.
 */
import { Emitter, type Carrier, type Unsubscribe } from './carrier.ts';
import type { Message } from './protocol.ts';

/** Anything postMessage-shaped: a worker port, a MessagePort (browser, Electron or Node). */
export interface PortLike {
  postMessage(message: unknown): void;
  close?(): void;
  start?(): void;
  on?(event: 'message' | 'close', listener: (value: unknown) => void): unknown;
  addEventListener?(event: 'message' | 'close', listener: (event: { data: unknown }) => void): void;
}

/**
 * A carrier over a port that clones structures (no encoding step). `wrapped` says whether the
 * port delivers events ({ data }) or bare values (Node's worker ports).
 */
export class PortCarrier implements Carrier {
  private readonly messages = new Emitter<Message>();
  private readonly closes = new Emitter<void>();
  private closed = false;

  constructor(private readonly port: PortLike) {
    const deliver = (data: unknown) => {
      if (!this.closed) this.messages.fire(data as Message);
    };
    const end = () => this.end();
    if (port.on) {
      port.on('message', deliver);
      port.on('close', end);
    } else if (port.addEventListener) {
      port.addEventListener('message', (e) => deliver(e.data));
      port.addEventListener('close', end);
    }
    port.start?.();
  }

  send(message: Message): void {
    if (!this.closed) this.port.postMessage(message);
  }

  onMessage(listener: (message: Message) => void): Unsubscribe {
    return this.messages.on(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.closes.on(listener);
  }

  close(): void {
    if (this.closed) return;
    this.port.close?.();
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
    this.messages.clear();
  }
}
