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
