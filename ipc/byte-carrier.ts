/**
 * Carriers that move bytes: every message is msgpack one way and decoded the other, and a
 * frame that does not decode ends the channel (the sender is broken or hostile). A WebSocket
 * is one such channel; Electron's is another — requests up through ipcRenderer, whose sender
 * frame main checks on every message, and answers, events and mapping updates down a
 * MessagePort.
 */
import { Emitter, decodeMessage, encodeMessage, type Carrier, type Unsubscribe } from './carrier.ts';
import type { Message } from './protocol.ts';

/** Bytes each way, and the end of it: what a byte carrier runs on. */
export interface ByteChannel {
  send(bytes: Uint8Array): void;
  /** Frames as they arrive (a Uint8Array or an ArrayBuffer; anything else is malformed). */
  onFrame(listener: (frame: unknown) => void): void;
  onEnd(listener: () => void): void;
  /** Ends the channel; `malformed` when the far side sent something that does not decode. */
  close(malformed: boolean): void;
}

export class ByteCarrier implements Carrier {
  private readonly messages = new Emitter<Message>();
  private readonly closes = new Emitter<void>();
  private closed = false;

  constructor(private readonly channel: ByteChannel) {
    channel.onFrame((frame) => {
      if (this.closed) return;
      const bytes =
        frame instanceof Uint8Array ? frame : frame instanceof ArrayBuffer ? new Uint8Array(frame) : null;
      let message: unknown;
      try {
        if (bytes === null) throw new Error('not a binary frame');
        message = decodeMessage(bytes);
      } catch {
        this.channel.close(true);
        this.end();
        return;
      }
      this.messages.fire(message as Message);
    });
    channel.onEnd(() => this.end());
  }

  send(message: Message): void {
    if (!this.closed) this.channel.send(encodeMessage(message));
  }

  onMessage(listener: (message: Message) => void): Unsubscribe {
    return this.messages.on(listener);
  }

  onClose(listener: () => void): Unsubscribe {
    return this.closes.on(listener);
  }

  close(): void {
    if (this.closed) return;
    this.channel.close(false);
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
    this.messages.clear();
  }
}

/** A WebSocket-shaped object as the `ws` package has it (the renderer adapts a browser's). */
export interface SocketLike {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  binaryType?: string;
  on(event: 'message' | 'close' | 'error', listener: (data: unknown) => void): unknown;
}

/** A WebSocket as a byte channel: a malformed frame closes it with 1003 (unsupported data). */
export function socketChannel(socket: SocketLike): ByteChannel {
  socket.binaryType = 'arraybuffer';
  return {
    send: (bytes) => socket.send(bytes),
    onFrame: (listener) => socket.on('message', listener),
    onEnd: (listener) => {
      socket.on('close', listener);
      // A frame the socket layer refuses (too large, bad UTF-8) errors the socket: it ends
      // here, never as an uncaught error that would take the server down.
      socket.on('error', listener);
    },
    close: (malformed) =>
      malformed ? socket.close(1003, 'malformed message') : socket.close(1000, 'closed'),
  };
}

/** A carrier over a WebSocket. */
export class SocketCarrier extends ByteCarrier {
  constructor(socket: SocketLike) {
    super(socketChannel(socket));
  }
}
