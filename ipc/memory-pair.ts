import { Emitter, decodeMessage, encodeMessage, type Carrier, type Unsubscribe } from './carrier.ts';
import type { Message } from './protocol.ts';

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
