/**
 * The one protocol end to end, in one thread: a client library speaking to the broker over an
 * in-memory carrier (plain and through the msgpack codec, as a WebSocket would), the broker
 * calling a machine's kernel — open, calls, async completions, mappings kept fresh, bad input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../../ipc/memory-pair.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { Broker } from '../../main/broker/broker.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { EventKind, MemoryType, Selector } from '../../driver-runtime/abi/netlanes-abi.ts';
import { StatsView, H_SEQUENCE } from '../../driver-runtime/abi/stats-layout.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotOpen,
  kIOReturnNotPermitted,
} from '../../driver-runtime/kit/io-return.ts';
import { scenario } from '../machine/helpers.ts';

const opened: { kernel: LocalKernel; broker: Broker }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.broker.dispose();
    await o.kernel.dispose();
  }
});

async function rig(bytes = false, entitlements = APP_ENTITLEMENTS) {
  const kernel = new LocalKernel({ scenario: scenario('home-office') });
  const broker = new Broker(kernel, { frameMs: 1000 });
  opened.push({ kernel, broker });
  const [clientSide, brokerSide] = memoryPair(bytes);
  broker.attach(brokerSide, { name: 'test', entitlements });
  const iokit = new IOKitClient(clientSide);
  return { kernel, broker, iokit, run: (ns: number) => kernel.machine.run(ns) };
}

describe.each([false, true])('broker over an in-memory carrier (msgpack bytes: %s)', (bytes) => {
  it('opens the dext, calls it, and hears async completions and events', async () => {
    const r = await rig(bytes);
    expect(await r.iokit.hello('test')).toBe(1);
    const client = await NetLanesClient.open(r.iokit);
    const info = await client.info();
    expect(info.model).toMatch(/SIM-I2xx/);
    expect(info.queueCount).toBe(4);
    const events: number[][] = [];
    expect(await client.subscribe((a) => events.push([...a]))).toBe(0);
    // An async struct method resolves when its completion arrives.
    await client.setRuleSet(7, '{"version":1,"rules":[]}');
    expect((await client.ruleSet()).generation).toBe(7);
    expect(events.some((e) => e[0] === EventKind.Generation && e[2] === 7)).toBe(true);
    r.run(200e6);
    expect((await client.stats()).opkts).toBeGreaterThan(1000);
    expect(await client.close()).toBe(0);
  });

  it('a mapping arrives as a replica that the broker keeps fresh, only when it changed', async () => {
    const r = await rig(bytes);
    const client = await NetLanesClient.open(r.iokit);
    const info = await client.info();
    const stats = await client.map(MemoryType.Stats);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stats.generation).toBe(1); // the first frame is sent at once
    const view = () => new StatsView(stats.bytes.buffer, stats.bytes.byteOffset, info.appSlots);
    const before = view().queue.txPackets[1];
    expect(r.broker.pollMirrors()).toBe(0); // nothing changed: nothing sent
    r.run(100e6);
    expect(r.broker.pollMirrors()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stats.generation).toBe(2);
    expect(view().queue.txPackets[1]).toBeGreaterThan(before);
    expect(new DataView(stats.bytes.buffer).getUint32(H_SEQUENCE, true) % 2).toBe(0);
    // Read-only: writes are refused; the command buffer is read-write and writes go through.
    expect(await stats.write(0, Uint8Array.of(1))).toBe(kIOReturnNotPermitted);
    const command = await client.map(MemoryType.Command);
    expect(command.readOnly).toBe(false);
    expect(await command.write(16, Uint8Array.of(1, 2, 3))).toBe(0);
    expect(await command.write(command.length, Uint8Array.of(1))).toBe(kIOReturnBadArgument);
    expect(await client.unmap(MemoryType.Stats)).toBe(0);
    expect(await client.unmap(MemoryType.Stats)).toBe(kIOReturnBadArgument); // double unmap
  });
});

describe('broker refusals', () => {
  it('answers malformed requests with a failure and keeps serving', async () => {
    const r = await rig();
    const [c, b] = memoryPair();
    r.broker.attach(b, { name: 'raw', entitlements: APP_ENTITLEMENTS });
    const answers: unknown[] = [];
    c.onMessage((m) => answers.push(m));
    c.send({ kind: 104, id: 5, connection: 'x' } as never);
    c.send({ nonsense: true } as never);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ kind: 201, id: 5, name: 'BadRequest' });
    const client = await NetLanesClient.open(r.iokit);
    expect((await client.info()).queueCount).toBe(4);
  });

  it('a session reaches only the connections it opened; a client without the entitlement cannot open', async () => {
    const r = await rig();
    const client = await NetLanesClient.open(r.iokit);
    const other = await rig(false, {});
    const [c, b] = memoryPair();
    other.broker.attach(b, { name: 'nobody', entitlements: {} });
    const stranger = new IOKitClient(c);
    const service = await stranger.IOServiceGetMatchingService({ name: 'NetLanesDriver' });
    expect((await stranger.IOServiceOpen(service, 0)).ret).toBe(kIOReturnNotPermitted);
    const [c2, b2] = memoryPair();
    r.broker.attach(b2, { name: 'second', entitlements: APP_ENTITLEMENTS });
    const second = new IOKitClient(c2);
    const call = await second.IOConnectCallMethod(client.connection, Selector.GetInfo, [], null, 0, 128);
    expect(call.ret).toBe(kIOReturnNotOpen);
  });
});
