/**
 * Electron's carrier, main side. A page asks to connect (CONNECT); if its frame is the app's
 * own, main opens a MessageChannelMain, attaches one end to the broker as a session and sends
 * the other to the page. Requests then arrive on MESSAGE — each one's sender frame checked,
 * and routed to the session of the page that sent it; answers go down the port. A reload or a
 * closed window ends the session (its connections are closed, its mappings unmapped).
 *
 * Written against the few Electron shapes it uses, so tests drive it with Node's own ports.
 */
import { ByteCarrier } from '../../ipc/byte-carrier.ts';
import { Emitter } from '../../ipc/carrier.ts';
import {
  CONNECT_CHANNEL,
  MESSAGE_CHANNEL,
  NONCE_PATTERN,
  PORT_CHANNEL,
} from '../../ipc/electron-bridge-api.ts';
import type { Carrier } from '../../ipc/carrier.ts';
import { isTrustedSender, type FrameLike } from './sender-check.ts';

/** MessagePortMain, as far as the bridge uses it. */
export interface MainPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export interface SenderContents<P extends MainPort> {
  readonly id: number;
  postMessage(channel: string, message: unknown, transfer: P[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcEvent<P extends MainPort> {
  readonly sender: SenderContents<P>;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike<P extends MainPort> {
  on(channel: string, listener: (event: IpcEvent<P>, ...args: unknown[]) => void): unknown;
  removeAllListeners(channel: string): unknown;
}

export interface ElectronBridgeOptions<P extends MainPort> {
  ipcMain: IpcMainLike<P>;
  newChannel(): { port1: P; port2: P };
  /** Origins whose top frame may connect (the app's page; the dev server in development). */
  allowedOrigins: readonly string[];
  /** A new session for a trusted page. */
  attach(carrier: Carrier, name: string): void;
  /** Refusals, for the log (a message from an untrusted frame names its URL). */
  refused?(why: string): void;
}

interface PageSession {
  frames: Emitter<unknown>;
  carrier: ByteCarrier;
}

export class ElectronBridge<P extends MainPort> {
  private readonly sessions = new Map<number, PageSession>();
  /** Messages refused because of their sender (for tests and the log). */
  refusals = 0;

  constructor(private readonly o: ElectronBridgeOptions<P>) {
    o.ipcMain.on(CONNECT_CHANNEL, (event, nonce) => this.connect(event, nonce));
    o.ipcMain.on(MESSAGE_CHANNEL, (event, frame) => this.message(event, frame));
  }

  private trusted(event: IpcEvent<P>, what: string): boolean {
    if (isTrustedSender(event.senderFrame, this.o.allowedOrigins)) return true;
    this.refusals++;
    this.o.refused?.(`${what} from an untrusted frame (${event.senderFrame?.url ?? 'no frame'}) refused`);
    return false;
  }

  private connect(event: IpcEvent<P>, nonce: unknown): void {
    if (!this.trusted(event, 'connect')) return;
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return;
    const contents = event.sender;
    // A page that connects again (a reload) starts over: its old session ends.
    this.sessions.get(contents.id)?.carrier.close();
    const { port1, port2 } = this.o.newChannel();
    const frames = new Emitter<unknown>();
    const ends = new Emitter<void>();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      ends.fire();
    };
    port1.on('close', end);
    contents.once('destroyed', end);
    const carrier = new ByteCarrier({
      send: (bytes) => port1.postMessage(bytes),
      onFrame: (listener) => frames.on(listener),
      onEnd: (listener) => ends.on(listener),
      close: () => port1.close(),
    });
    const session = { frames, carrier };
    this.sessions.set(contents.id, session);
    carrier.onClose(() => {
      if (this.sessions.get(contents.id) === session) this.sessions.delete(contents.id);
    });
    port1.start();
    this.o.attach(carrier, `window ${contents.id}`);
    contents.postMessage(PORT_CHANNEL, nonce, [port2]);
  }

  private message(event: IpcEvent<P>, frame: unknown): void {
    if (!this.trusted(event, 'message')) return;
    this.sessions.get(event.sender.id)?.frames.fire(frame);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  dispose(): void {
    this.o.ipcMain.removeAllListeners(CONNECT_CHANNEL);
    this.o.ipcMain.removeAllListeners(MESSAGE_CHANNEL);
    for (const s of [...this.sessions.values()]) s.carrier.close();
  }
}
