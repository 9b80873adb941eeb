/**
 * The whole carrier contract (VS Code's IMessagePassingProtocol): send a message, hear
 * messages, hear the end. The channel client and server know nothing else of how bytes move.
 */
import { decode, encode } from '@msgpack/msgpack';
import { MAX_MESSAGE_BYTES, type Message } from './protocol.ts';

export type Unsubscribe = () => void;

export interface Carrier {
  send(message: Message): void;
  onMessage(listener: (message: Message) => void): Unsubscribe;
  onClose(listener: () => void): Unsubscribe;
  close(): void;
}

/** A tiny listener list; listeners added while firing hear the next event, not this one. */
export class Emitter<T> {
  private listeners: ((value: T) => void)[] = [];

  on(listener: (value: T) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  clear(): void {
    this.listeners = [];
  }
}

/** Messages as bytes for carriers that move bytes (msgpack: numbers, strings, Uint8Arrays, arrays, maps). */
export function encodeMessage(message: Message): Uint8Array {
  return encode(message);
}

/** Bytes back to a message; throws on malformed or oversized input (the receiver validates the shape). */
export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes.byteLength > MAX_MESSAGE_BYTES)
    throw new Error(`message of ${bytes.byteLength} bytes is over the limit`);
  return decode(bytes);
}

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

/**
 * Two carriers joined in memory, for tests and for main-side clients in the broker's thread.
 * Delivery is asynchronous (a microtask), as on every real carrier; `bytes` runs every
 * message through the msgpack codec, as a WebSocket would.
 */
export function memoryPair(bytes = false): [Carrier, Carrier] {
  const a = new MemoryCarrier(bytes);
  const b = new MemoryCarrier(bytes);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryCarrier implements Carrier {
  peer: MemoryCarrier | null = null;
  private readonly messages = new Emitter<Message>();
  private readonly closes = new Emitter<void>();
  private closed = false;

  constructor(private readonly bytes: boolean) {}

  send(message: Message): void {
    const peer = this.peer;
    if (this.closed || peer === null) return;
    const payload = this.bytes ? encodeMessage(message) : message;
    queueMicrotask(() => {
      if (!peer.closed)
        peer.messages.fire((this.bytes ? decodeMessage(payload as Uint8Array) : payload) as Message);
    });
  }

  onMessage(listener: (message: Message) => void): Unsubscribe {
    return this.messages.on(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.closes.on(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
    const peer = this.peer;
    this.peer = null;
    if (peer) queueMicrotask(() => peer.close());
  }
}

/** A WebSocket-shaped object: the browser's and the `ws` package's both fit. */
export interface SocketLike {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  binaryType?: string;
  /** Node's `ws` has this; a browser WebSocket gets it from `browserSocket` in the renderer. */
  on(event: 'message' | 'close' | 'error', listener: (data: unknown) => void): unknown;
}

/** A carrier over a WebSocket: msgpack bytes each way; a frame that does not decode closes it. */
export class SocketCarrier implements Carrier {
  private readonly messages = new Emitter<Message>();
  private readonly closes = new Emitter<void>();
  private closed = false;

  constructor(private readonly socket: SocketLike) {
    socket.binaryType = 'arraybuffer';
    const deliver = (data: unknown) => {
      if (this.closed) return;
      const bytes =
        data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
      let message: unknown;
      try {
        if (bytes === null) throw new Error('not a binary frame');
        message = decodeMessage(bytes);
      } catch {
        this.socket.close(1003, 'malformed message');
        return;
      }
      this.messages.fire(message as Message);
    };
    socket.on('message', deliver);
    socket.on('close', () => this.end());
    // A frame the socket layer refuses (too large, bad UTF-8) errors the socket: it ends here,
    // never as an uncaught error that would take the server down.
    socket.on('error', () => this.end());
  }

  send(message: Message): void {
    if (!this.closed) this.socket.send(encodeMessage(message));
  }

  onMessage(listener: (message: Message) => void): Unsubscribe {
    return this.messages.on(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.closes.on(listener);
  }

  close(): void {
    if (this.closed) return;
    this.socket.close(1000, 'closed');
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
    this.messages.clear();
  }
}
