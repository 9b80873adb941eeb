/**
 * Electron's carrier without Electron: the bridge driven through Node's own MessagePorts and
 * an ipcMain stand-in. A trusted page gets a port and reaches the driver; a frame that is not
 * the app's top frame is refused on connect and on every message; a reload or a closed window
 * ends the page's session and closes its connections.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteCarrier } from '../../ipc/byte-carrier.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { CONNECT_CHANNEL, MESSAGE_CHANNEL, PORT_CHANNEL } from '../../ipc/electron-bridge-api.ts';
import { Broker } from '../../main/broker/broker.ts';
import { ElectronBridge, type IpcEvent, type MainPort } from '../../main/electron/ipc-bridge.ts';
import { APP_ORIGIN, isTrustedSender, type FrameLike } from '../../main/electron/sender-check.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { scenario } from '../machine/helpers.ts';

/** MessagePortMain's face over a Node port: events carry { data }. */
class NodeMainPort implements MainPort {
  constructor(readonly port: MessagePort) {}
  postMessage(message: unknown): void {
    this.port.postMessage(message);
  }
  on(event: 'message' | 'close', listener: ((e: { data: unknown }) => void) | (() => void)): this {
    if (event === 'message')
      this.port.on('message', (data) => (listener as (e: { data: unknown }) => void)({ data }));
    else this.port.on('close', listener as () => void);
    return this;
  }
  start(): void {
    this.port.start();
  }
  close(): void {
    this.port.close();
  }
}

class FakeContents extends EventEmitter {
  delivered: { channel: string; message: unknown; ports: NodeMainPort[] }[] = [];
  constructor(readonly id: number) {
    super();
  }
  postMessage(channel: string, message: unknown, transfer: NodeMainPort[]): void {
    this.delivered.push({ channel, message, ports: transfer });
  }
}

const top = (url: string): FrameLike => ({ url, parent: null });
const NONCE = 'a'.repeat(32);

const rigs: { broker: Broker; kernel: LocalKernel; bridge: ElectronBridge<NodeMainPort> }[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    r.bridge.dispose();
    await r.broker.dispose();
    await r.kernel.dispose();
  }
});

function rig() {
  const kernel = new LocalKernel({ scenario: scenario('home-office') });
  const broker = new Broker(kernel, { frameMs: 1000 });
  const ipcMain = new EventEmitter();
  const refusals: string[] = [];
  const bridge = new ElectronBridge<NodeMainPort>({
    ipcMain: ipcMain as never,
    newChannel: () => {
      const c = new MessageChannel();
      return { port1: new NodeMainPort(c.port1), port2: new NodeMainPort(c.port2) };
    },
    allowedOrigins: [APP_ORIGIN],
    attach: (carrier, name) => broker.attach(carrier, { name, entitlements: APP_ENTITLEMENTS }),
    refused: (why) => refusals.push(why),
  });
  rigs.push({ broker, kernel, bridge });
  const emit = (channel: string, contents: FakeContents, frame: FrameLike | null, arg: unknown) =>
    ipcMain.emit(channel, { sender: contents, senderFrame: frame } as unknown as IpcEvent<NodeMainPort>, arg);
  /** The page side: connect, take the port, speak through "ipcRenderer" up and the port down. */
  const page = (contents: FakeContents, frame: FrameLike) => {
    emit(CONNECT_CHANNEL, contents, frame, NONCE);
    const last = contents.delivered.at(-1);
    if (last === undefined || last.channel !== PORT_CHANNEL) return null;
    expect(last.message).toBe(NONCE);
    const port = last.ports[0].port;
    const carrier = new ByteCarrier({
      send: (bytes) => emit(MESSAGE_CHANNEL, contents, frame, bytes),
      onFrame: (l) => port.on('message', l),
      onEnd: (l) => port.on('close', l),
      close: () => port.close(),
    });
    return new IOKitClient(carrier);
  };
  return { kernel, broker, bridge, emit, page, refusals };
}

describe('the sender check', () => {
  it('accepts only the app’s own top frame', () => {
    const allowed = [APP_ORIGIN, 'http://localhost:5173'];
    expect(isTrustedSender(top('app://netlanes/index.html'), allowed)).toBe(true);
    expect(isTrustedSender(top('http://localhost:5173/'), allowed)).toBe(true);
    for (const url of [
      'app://evil/index.html',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'file:///etc/passwd',
      'app://netlanes.evil.com/',
      'not a url',
      '',
    ])
      expect(isTrustedSender(top(url), allowed), url).toBe(false);
    expect(isTrustedSender({ url: 'app://netlanes/x', parent: top('app://netlanes/') }, allowed)).toBe(false);
    expect(isTrustedSender(null, allowed)).toBe(false);
  });
});

describe('the Electron carrier', () => {
  it('a trusted page gets a port and reaches the driver through it', async () => {
    const r = rig();
    const io = r.page(new FakeContents(1), top(`${APP_ORIGIN}/index.html`))!;
    expect(io).not.toBeNull();
    expect(await io.hello('window')).toBe(1);
    const nl = await NetLanesClient.open(io);
    expect((await nl.info()).queueCount).toBe(4);
    await nl.setRuleSet(3, '{"version":1,"rules":[]}'); // async completion back down the port
    expect((await nl.ruleSet()).generation).toBe(3);
    expect(r.bridge.sessionCount).toBe(1);
  });

  it('an iframe or a foreign page is refused on connect, and its messages are dropped', async () => {
    const r = rig();
    const evil = new FakeContents(2);
    expect(r.page(evil, { url: `${APP_ORIGIN}/x`, parent: top(`${APP_ORIGIN}/`) })).toBeNull();
    expect(r.page(evil, top('https://example.com/'))).toBeNull();
    expect(evil.delivered).toHaveLength(0);
    // A trusted page's session; then a message from a foreign frame of the same contents.
    const contents = new FakeContents(3);
    const io = r.page(contents, top(`${APP_ORIGIN}/index.html`))!;
    await io.hello('window');
    const before = r.bridge.refusals;
    r.emit(MESSAGE_CHANNEL, contents, top('https://example.com/'), new Uint8Array([0x80]));
    expect(r.bridge.refusals).toBe(before + 1);
    expect(r.refusals.at(-1)).toMatch(/untrusted frame \(https:\/\/example\.com\/\)/);
    expect((await NetLanesClient.open(io).then((c) => c.info())).queueCount).toBe(4); // still served
  });

  it('a reload ends the old session (its connections close); a closed window ends its own', async () => {
    const r = rig();
    const contents = new FakeContents(4);
    const first = r.page(contents, top(`${APP_ORIGIN}/index.html`))!;
    const nl = await NetLanesClient.open(first);
    const open = r.kernel.machine.kernel.openConnections;
    const second = r.page(contents, top(`${APP_ORIGIN}/index.html`))!;
    await second.hello('window');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.kernel.machine.kernel.openConnections).toBe(open - 1); // the old page's client closed
    expect(r.bridge.sessionCount).toBe(1);
    const again = await NetLanesClient.open(second);
    expect((await again.info()).queueCount).toBe(4);
    expect(nl.connection).not.toBe(again.connection);
    contents.emit('destroyed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.bridge.sessionCount).toBe(0);
    expect(r.kernel.machine.kernel.openConnections).toBe(open - 1);
  });

  it('a malformed frame from the trusted page ends only that page’s session', async () => {
    const r = rig();
    const a = new FakeContents(5);
    const b = new FakeContents(6);
    const ioA = r.page(a, top(`${APP_ORIGIN}/index.html`))!;
    const ioB = r.page(b, top(`${APP_ORIGIN}/index.html`))!;
    await Promise.all([ioA.hello('a'), ioB.hello('b')]);
    r.emit(MESSAGE_CHANNEL, a, top(`${APP_ORIGIN}/index.html`), 'not bytes');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.bridge.sessionCount).toBe(1);
    expect((await NetLanesClient.open(ioB).then((c) => c.info())).queueCount).toBe(4);
  });
});
