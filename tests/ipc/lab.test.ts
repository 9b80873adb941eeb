/**
 * The lab service: reached like the driver (matching, IOServiceOpen with the entitlement,
 * struct and async struct methods), it injects faults, changes the link partner's speed,
 * reboots the machine with another workload and runs what-if comparisons with progress. The
 * driver hears of all of it only as hardware events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../../ipc/memory-pair.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { LabClient } from '../../ipc/lab-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { Broker } from '../../main/broker/broker.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { LAB_SERVICE_NAME, LabSelector } from '../../driver-runtime/abi/lab-abi.ts';
import { EventKind } from '../../driver-runtime/abi/netlanes-abi.ts';
import { RENEGOTIATION_NS } from '../../driver-runtime/host/link-change.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotFound,
  kIOReturnNotAttached,
  kIOReturnNotPermitted,
} from '../../driver-runtime/abi/io-return.ts';
import { CallError } from '../../driver-runtime/abi/netlanes-calls.ts';
import { scenario } from '../machine/helpers.ts';

const opened: { kernel: LocalKernel; broker: Broker }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.broker.dispose();
    await o.kernel.dispose();
  }
});

function rig() {
  const kernel = new LocalKernel({
    scenario: scenario('home-office'),
    scenarios: { contention: scenario('contention') },
  });
  const broker = new Broker(kernel, { frameMs: 1000 });
  opened.push({ kernel, broker });
  const connect = (entitlements = APP_ENTITLEMENTS) => {
    const [c, b] = memoryPair(true);
    broker.attach(b, { name: 'test', entitlements });
    return new IOKitClient(c);
  };
  return { kernel, connect, run: (ns: number) => kernel.machine.run(ns) };
}

const waitFor = async (ok: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return ok();
};

const rejection = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CallError);
  return (e as CallError).ret;
};

describe('the lab service', () => {
  it('is matched by name and needs the lab in the userclient-access entitlement', async () => {
    const r = rig();
    const stranger = r.connect({
      'com.apple.developer.driverkit.userclient-access': ['app.netlanes.driver'],
    });
    const service = await stranger.IOServiceGetMatchingService({ name: LAB_SERVICE_NAME });
    expect(service).toBeGreaterThan(0);
    expect((await stranger.IOServiceOpen(service, 0)).ret).toBe(kIOReturnNotPermitted);
    const lab = await LabClient.open(r.connect());
    const s = await lab.status();
    expect(s).toMatchObject({ abiVersion: 1, scenario: 'home-office', linkMbps: 1000, linkUp: 1 });
    r.run(50e6);
    expect((await lab.status()).virtualNs).toBeGreaterThan(s.virtualNs + 49e6);
  });

  it('injects a fault the driver sees as hardware does, and refuses a bad spec with the reason', async () => {
    const r = rig();
    const io = r.connect();
    const lab = await LabClient.open(io);
    const nl = await NetLanesClient.open(io);
    const events: number[][] = [];
    await nl.subscribe((a) => events.push([...a]));
    const at = await lab.injectFault('link-flap@1ms+20ms');
    expect(at).toBe(r.kernel.machine.scheduler.now + 1e6);
    r.run(10e6);
    expect((await lab.status()).linkUp).toBe(0);
    expect((await nl.info()).flags & 2).toBe(0);
    r.run(300e6);
    expect((await lab.status()).faultsInjected).toBe(1);
    expect(events.filter((e) => e[0] === EventKind.Link)).toEqual([
      [EventKind.Link, 0, 0],
      [EventKind.Link, 1, 1000],
    ]);
    expect(await rejection(lab.injectFault('melt@1s'))).toBe(kIOReturnBadArgument);
    expect(await rejection(lab.injectFault(''))).toBe(kIOReturnBadArgument);
    expect(await rejection(lab.injectFault('x'.repeat(300)))).toBe(kIOReturnBadArgument);
    expect((await lab.status()).faultsInjected).toBe(1);
  });

  it('moves the link to another speed: down while renegotiating, then up at the new speed', async () => {
    const r = rig();
    const io = r.connect();
    const lab = await LabClient.open(io);
    const nl = await NetLanesClient.open(io);
    await lab.setLinkSpeed(10000);
    r.run(RENEGOTIATION_NS / 2);
    expect((await nl.info()).flags & 2).toBe(0);
    r.run(RENEGOTIATION_NS);
    const info = await nl.info();
    expect(info.flags & 2).not.toBe(0);
    expect(info.linkBps).toBe(10e9);
    expect(await lab.status()).toMatchObject({ linkMbps: 10000, linkUp: 1 });
    const before = (await nl.stats()).opkts;
    r.run(100e6);
    expect((await nl.stats()).opkts).toBeGreaterThan(before); // traffic flows again
    for (const bad of [100, 0, -1, 1e12, 2.5])
      expect(await rejection(lab.setLinkSpeed(bad))).toBe(kIOReturnBadArgument);
  });

  it('reboots the machine with another workload: connections end, clients hear restarted', async () => {
    const r = rig();
    const io = r.connect();
    const lab = await LabClient.open(io);
    const nl = await NetLanesClient.open(io);
    const terminated: number[] = [];
    let restarted = 0;
    io.onTerminated((c) => terminated.push(c));
    io.onRestarted(() => restarted++);
    expect(await rejection(lab.switchScenario('nowhere'))).toBe(kIOReturnBadArgument);
    await lab.switchScenario('contention');
    expect(await waitFor(() => restarted === 1)).toBe(true);
    expect(terminated.sort()).toEqual([lab.connection, nl.connection].sort());
    const call = await io.IOConnectCallMethod(nl.connection, 0, [], null, 0, 128);
    expect(call.ret).toBe(kIOReturnNotAttached);
    const again = await LabClient.open(io);
    expect((await again.status()).scenario).toBe('contention');
    expect(r.kernel.machine.scenario.name).toBe(scenario('contention').name);
  });

  it('runs a what-if comparison in a thread of its own, with progress, and refuses bad arguments', async () => {
    const r = rig();
    const lab = await LabClient.open(r.connect());
    const progress: number[] = [];
    const rules = {
      version: 1,
      rules: [{ id: 'zoom', match: { bundleId: 'com.apple.FaceTime' }, priority: 'highest', enabled: true }],
    };
    const result = (await lab.whatIf(
      { scenario: 'home-office', rulesA: null, rulesB: rules, durationNs: 200e6 },
      (f) => progress.push(f),
    )) as { apps: unknown[] };
    expect(result.apps.length).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1]))).toBe(true);
    expect((await lab.status()).whatIfRunning).toBe(0);
    for (const bad of [
      { scenario: 'home-office', rulesA: null, rulesB: null, durationNs: -1 },
      { scenario: 'nowhere', rulesA: null, rulesB: null, durationNs: 1e6 },
      { scenario: 'home-office', rulesA: { version: 9 }, rulesB: null, durationNs: 1e6 },
      { scenario: 'home-office', rulesA: null, rulesB: null, durationNs: 1e6, extra: 1 },
    ])
      expect(await rejection(lab.whatIf(bad))).toBe(kIOReturnBadArgument);
    const io = lab.iokit;
    const missing = await io.IOConnectCallMethod(
      lab.connection,
      LabSelector.GetWhatIfResult,
      [999],
      null,
      0,
      4096,
    );
    expect(missing.ret).toBe(kIOReturnNotFound);
    // The async method needs a completion, as its dispatch entry says.
    const sync = await io.IOConnectCallMethod(
      lab.connection,
      LabSelector.RunWhatIf,
      [],
      new Uint8Array(2),
      1,
      0,
    );
    expect(sync.ret).toBe(kIOReturnBadArgument);
  }, 60_000);
});
