/**
 * The dext in its own thread: the machine runs in real time in a worker, the broker in this
 * thread reaches it only through the kernel port, and mapped memory is shared for real. If the
 * worker dies, open connections hear they were terminated and answer kIOReturnNotAttached, and
 * the dext is back within a second.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { memoryPair } from '../../ipc/memory-pair.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { Broker } from '../../main/broker/broker.ts';
import { WorkerKernel } from '../../main/broker/worker-kernel.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { MemoryType, Selector } from '../../driver-runtime/abi/netlanes-abi.ts';
import { kIOReturnNotAttached } from '../../driver-runtime/abi/io-return.ts';
import { StatsView } from '../../driver-runtime/abi/stats-layout.ts';
import { scenario } from '../machine/helpers.ts';

const kernel = new WorkerKernel({ scenario: scenario('home-office') });
const broker = new Broker(kernel, { frameMs: 16 });
afterAll(async () => {
  await broker.dispose();
  await kernel.dispose();
});

function client(): IOKitClient {
  const [c, b] = memoryPair();
  broker.attach(b, { name: 'test', entitlements: APP_ENTITLEMENTS });
  return new IOKitClient(c);
}

const waitFor = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
};

describe('the dext in a worker thread', () => {
  it('runs in real time: traffic flows and the stats mapping is shared memory kept fresh', async () => {
    const nl = await NetLanesClient.open(client());
    const info = await nl.info();
    expect(info.flags & 2).not.toBe(0); // link up
    const stats = await nl.map(MemoryType.Stats);
    const txOf = () =>
      new StatsView(stats.bytes.buffer, stats.bytes.byteOffset, info.appSlots).queue.txPackets;
    const first = stats.generation;
    expect(await waitFor(() => stats.generation > first + 2)).toBe(true);
    const sent = txOf().reduce((a, b) => a + b, 0);
    expect(await waitFor(() => txOf().reduce((a, b) => a + b, 0) > sent)).toBe(true);
    const m = await kernel.map(nl.connection, MemoryType.Stats);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer); // the worker's own bytes, shared
    await nl.close();
  });

  it('a dead dext: connections are terminated, calls answer kIOReturnNotAttached, and it is back within a second', async () => {
    const io = client();
    const nl = await NetLanesClient.open(io);
    const terminated: number[] = [];
    let restarted = 0;
    io.onTerminated((c) => terminated.push(c));
    io.onRestarted(() => restarted++);
    const died = Date.now();
    await kernel.crash();
    expect(await waitFor(() => terminated.includes(nl.connection))).toBe(true);
    const call = await io.IOConnectCallMethod(nl.connection, Selector.GetInfo, [], null, 0, 128);
    expect(call.ret).toBe(kIOReturnNotAttached);
    expect(await waitFor(() => restarted > 0, 5000)).toBe(true);
    expect(Date.now() - died).toBeLessThan(5000);
    // Open again on the new dext.
    const again = await NetLanesClient.open(io);
    expect((await again.info()).queueCount).toBe(4);
    expect(kernel.restarts).toBe(1);
  });
});
