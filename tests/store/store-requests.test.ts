/**
 * The store's app requests, as the UI and the command line send them: arguments checked and
 * refused by name, store errors returned as messages, and a clear answer when there is no store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handleAppRequest, type AppState } from '../../main/app-requests.ts';
import { PolicyAgent } from '../../driver-runtime/host/policy-agent.ts';
import type { Store } from '../../main/store/store.ts';
import { STORE_OPS } from '../../main/store-requests.ts';
import { storeFixture, identity, type Fixture } from './support/store-fixture.ts';

let f: Fixture;
let store: Store;
afterEach(() => {
  store?.close();
  f?.cleanup();
});

function state(withStore: boolean): AppState {
  const agent = new PolicyAgent(
    { setAppSettings: () => {}, setFlows: () => {}, setRuleSet: () => {} },
    { now: () => 0, minuteOfWeek: () => 0, after: () => () => {} },
    { slots: 16 },
  );
  return {
    agent,
    store: withStore ? store : null,
    storeError: withStore ? null : 'cannot create the folder for /x/netlanes.db: ENOTDIR',
    apps: () => [],
    setRules: async () => 1,
  };
}

const ask = (s: AppState, op: string, args?: unknown) => handleAppRequest(s, op, args, () => {});

describe('store requests', () => {
  it('profiles, rules and history answer through the app request path', async () => {
    f = storeFixture();
    store = f.open();
    const s = state(true);
    const ft = store.appId(identity('FaceTime', 'com.apple.FaceTime'));
    const second = Math.floor(f.clock.ms / 1000);
    store.record(second, [{ appId: ft, txBytes: 4000, rxBytes: 40, txPackets: 4, rxPackets: 1, drops: 0 }]);
    await ask(s, 'createProfile', { name: 'Calls' });
    await ask(s, 'switchProfile', { name: 'Calls' });
    await ask(s, 'putRule', {
      rule: { id: 'ft', match: { bundleId: 'com.apple.FaceTime' }, priority: 'highest', enabled: true },
    });
    // The history records which profile was active.
    store.record(second + 1, [{ appId: ft, txBytes: 1, rxBytes: 1, txPackets: 1, rxPackets: 1, drops: 0 }]);
    const profileOf = (t: number) =>
      store.db.prepare('SELECT profile_id FROM samples_1s WHERE t = ?').pluck().get(t);
    const ids = Object.fromEntries(store.rules.profiles().map((p) => [p.name, p.id]));
    expect([profileOf(second), profileOf(second + 1)]).toEqual([ids.Default, ids.Calls]);
    expect(await ask(s, 'profiles')).toMatchObject({
      profiles: [{ name: 'Default' }, { name: 'Calls', ruleCount: 1, active: true }],
    });
    const history = (await ask(s, 'history', {
      apps: ['com.apple.FaceTime'],
      from: second - 60,
      to: second + 1,
    })) as {
      series: { app: string; txMean: number[] }[];
    };
    expect(history.series[0].app).toBe('com.apple.FaceTime');
    expect(history.series[0].txMean.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await ask(s, 'settings')).toMatchObject({ database: { file: f.file, schemaVersion: 1 } });
    expect((await ask(s, 'events', { limit: 2 })) as unknown[]).toHaveLength(2);
    expect(await ask(s, 'storeStatus')).toEqual({ available: true, error: null, notices: [] });
  });

  it('bad arguments are refused with the op and the field named', async () => {
    f = storeFixture();
    store = f.open();
    const s = state(true);
    await expect(ask(s, 'history', { from: 'yesterday', to: 5 })).rejects.toThrow(
      /^history: from: Expected number/,
    );
    await expect(ask(s, 'history', { apps: ['com.nobody'], from: 1, to: 5 })).rejects.toThrow(
      /no app "com.nobody"/,
    );
    await expect(ask(s, 'switchProfile', { name: 'Nope' })).rejects.toThrow(/no profile named "Nope"/);
    await expect(ask(s, 'setRetention', { seconds: 1, minutes: 7200, hours: 200_000 })).rejects.toThrow(
      /^setRetention: seconds/,
    );
    await expect(ask(s, 'createProfile', { name: 'x', extra: 1 })).rejects.toThrow(/Unrecognized key/);
    await expect(ask(s, 'frobnicate')).rejects.toThrow(/unknown operation "frobnicate"/);
  });

  it('without a database every store request says why, and the rest keeps working', async () => {
    const s = state(false);
    for (const op of STORE_OPS)
      await expect(ask(s, op, {}), op).rejects.toThrow(
        /the database is not available \(cannot create the folder/,
      );
    expect(await ask(s, 'storeStatus')).toMatchObject({
      available: false,
      error: expect.stringMatching(/ENOTDIR/),
    });
    expect(await ask(s, 'rules')).toEqual({ version: 1, rules: [] });
  });
});
