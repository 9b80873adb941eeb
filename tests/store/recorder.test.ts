/**
 * The recorder reads the statistics mapping and writes per-app deltas: exact against a region
 * it is handed, across a dext restart (counters reset, mapping detached), and against the live
 * app (the dext in real time): what it records never exceeds what the driver counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StatsView, statsLayout } from '../../driver-runtime/abi/stats-layout.ts';
import type { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { Recorder } from '../../main/store/recorder.ts';
import type { Sample } from '../../main/store/history-writer.ts';
import { AppCore } from '../../main/app-core.ts';
import { handleAppRequest } from '../../main/app-requests.ts';
import { LabClient } from '../../ipc/lab-client.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { scenario } from '../machine/helpers.ts';
import { storeFixture, identity, type Fixture } from './support/store-fixture.ts';

const SLOTS = 8;

/** A driver stand-in: a stats region the test writes, served as the recorder's mapping. */
function fakeDriver() {
  const layout = statsLayout(SLOTS);
  const state = { bytes: new Uint8Array(layout.bytes), attached: true, opens: 0 };
  const view = new StatsView(state.bytes.buffer, 0, SLOTS);
  const client = () => {
    state.opens++;
    state.attached = true;
    return {
      info: async () => ({ appSlots: SLOTS }),
      map: async () => ({
        bytes: state.bytes,
        get isAttached() {
          return state.attached;
        },
      }),
      close: async () => 0,
    } as unknown as NetLanesClient;
  };
  return { state, view, client };
}

describe('the recorder against a region it is handed', () => {
  it('writes what each slot moved since the last sample, one row per app that moved', async () => {
    const d = fakeDriver();
    const apps = [
      { slot: 1, identity: identity('FaceTime', 'com.apple.FaceTime') },
      { slot: 2, identity: identity('Backup', 'com.apple.backupd') },
    ];
    const written: [number, Sample[]][] = [];
    const rec = new Recorder(
      { connect: async () => d.client(), apps: () => apps },
      {
        appId: (i) => (i.bundleId === 'com.apple.FaceTime' ? 11 : 22),
        record: (s, rows) => written.push([s, rows]),
      },
    );
    await rec.start();
    d.view.app.txBytes[1] = 1000;
    d.view.app.dropAqm[1] = 2;
    d.view.app.dropCap[1] = 1;
    expect(rec.sample(5_000)).toBe(1);
    d.view.app.txBytes[1] = 1500;
    d.view.app.rxBytes[2] = 700;
    d.view.app.rxPackets[2] = 3;
    expect(rec.sample(6_000)).toBe(2);
    expect(rec.sample(6_500)).toBe(0); // same second: nothing
    expect(rec.sample(7_000)).toBe(0); // nothing moved: no rows
    expect(written).toEqual([
      [5, [{ appId: 11, txBytes: 1000, rxBytes: 0, txPackets: 0, rxPackets: 0, drops: 3 }]],
      [
        6,
        [
          { appId: 11, txBytes: 500, rxBytes: 0, txPackets: 0, rxPackets: 0, drops: 0 },
          { appId: 22, txBytes: 0, rxBytes: 700, txPackets: 0, rxPackets: 3, drops: 0 },
        ],
      ],
    ]);
    await rec.stop();
  });

  it('after the dext restarts, it opens again and counts the new counters from zero', async () => {
    const d = fakeDriver();
    const apps = [{ slot: 1, identity: identity('FaceTime', 'com.apple.FaceTime') }];
    const written: Sample[] = [];
    const rec = new Recorder(
      { connect: async () => d.client(), apps: () => apps },
      { appId: () => 1, record: (_s, rows) => written.push(...rows) },
    );
    await rec.start();
    d.view.app.txBytes[1] = 5000;
    rec.sample(1000);
    d.state.attached = false; // the dext died: its mapping detached
    expect(rec.sample(2000)).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(d.state.opens).toBe(2);
    d.view.app.txBytes[1] = 300; // the new dext's counter
    rec.sample(3000);
    expect(written.map((s) => s.txBytes)).toEqual([5000, 300]);
    await rec.stop();
  });

  it('a store that cannot write (disk full) is counted, and the recorder keeps going', async () => {
    const d = fakeDriver();
    let full = true;
    const rec = new Recorder(
      { connect: async () => d.client(), apps: () => [{ slot: 1, identity: identity('A', 'com.a') }] },
      {
        appId: () => 1,
        record: () => {
          if (full) throw new Error('database or disk is full');
        },
      },
    );
    await rec.start();
    d.view.app.txBytes[1] = 10;
    rec.sample(1000);
    expect(rec.counts.failures).toBe(1);
    expect(rec.lastError).toBe('database or disk is full');
    full = false;
    d.view.app.txBytes[1] = 20;
    rec.sample(2000);
    expect([rec.counts.samples, rec.lastError]).toEqual([1, null]);
    await rec.stop();
  });
});

describe('the recorder in the app', () => {
  let f: Fixture;
  let core: AppCore | undefined;
  afterEach(async () => {
    await core?.dispose();
    core = undefined;
    f?.cleanup();
  });

  it('records the live traffic per app, never more than the driver counted; a rule survives a restart', async () => {
    f = storeFixture();
    const start = () =>
      AppCore.start({
        scenario: scenario('home-office'),
        scenarioName: 'home-office',
        store: { file: f.file },
      });
    core = await start();
    expect(core.storeError).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      core.recorder?.sample(t0 + i * 1000);
    }
    await new Promise((r) => setTimeout(r, 100));
    const probe = await core.connect('probe');
    const info = await probe.info();
    const memory = await probe.map(MemoryType.Stats);
    await new Promise((r) => setTimeout(r, 60));
    const view = new StatsView(memory.bytes.buffer, memory.bytes.byteOffset, info.appSlots);
    const store = core.store!;
    let apps = 0;
    for (const { slot, identity: who } of core.apps()) {
      const app = store.identities.find(who.bundleId);
      if (!app) continue;
      const recorded = store.query.totals(0, Math.floor(Date.now() / 1000) + 10, [app.id]).get(app.id);
      expect(recorded?.tx ?? 0).toBeLessThanOrEqual(view.app.txBytes[slot]);
      if ((recorded?.tx ?? 0) > 0) apps++;
    }
    expect(apps).toBeGreaterThanOrEqual(3); // FaceTime, Safari, Time Machine… sent something
    await probe.close();

    // A rule set through the app's request is stored, and the next start gives it to the driver.
    // (the request path the UI and the CLI use)
    await handleAppRequest(
      core,
      'setApp',
      { app: 'com.apple.backupd', priority: 'low', capBps: 100_000_000 },
      () => {},
    );
    await core.dispose();
    core = await start();
    const nl = await core.connect('check');
    const held = JSON.parse((await nl.ruleSet()).json) as { rules: { id: string; capBps?: number }[] };
    expect(held.rules).toEqual([
      expect.objectContaining({ id: 'app-com.apple.backupd', capBps: 100_000_000 }),
    ]);
    await nl.close();
  }, 30_000);

  it("link changes and the driver's fault reactions land in the event log", async () => {
    f = storeFixture();
    core = await AppCore.start({
      scenario: scenario('home-office'),
      scenarioName: 'home-office',
      store: { file: f.file },
    });
    const lab = await LabClient.open((await core.connect('lab')).iokit);
    await lab.injectFault('link-flap@1ms+20ms');
    await lab.injectFault('tx-hang@1ms:q0');
    const store = core.store!;
    const seen = async (pattern: RegExp) => {
      for (let i = 0; i < 150; i++) {
        if (store.events.list(50).some((e) => pattern.test(e.message))) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    expect(await seen(/^link down$/)).toBe(true);
    expect(await seen(/^link up, 1000 Mb\/s full duplex$/)).toBe(true);
    expect(await seen(/^driver: (tx-hang|reset)$/)).toBe(true);
  }, 30_000);

  it('without a database (its folder cannot be made) the app runs on with the rules it was given', async () => {
    f = storeFixture();
    writeFileSync(path.join(f.dir, 'blocker'), '');
    const rules = {
      version: 1 as const,
      rules: [
        { id: 'ft', match: { bundleId: 'com.apple.FaceTime' }, priority: 'highest' as const, enabled: true },
      ],
    };
    core = await AppCore.start({
      scenario: scenario('home-office'),
      scenarioName: 'home-office',
      rules,
      store: { file: path.join(f.dir, 'blocker', 'netlanes.db') },
    });
    expect(core.store).toBeNull();
    expect(core.storeError).toMatch(/cannot create the folder/);
    const nl = await core.connect('check');
    for (let i = 0; i < 100 && (await nl.ruleSet()).json === ''; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse((await nl.ruleSet()).json)).toEqual(rules);
    await nl.close();
  });
});
