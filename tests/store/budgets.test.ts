/**
 * Data budgets: counted from the history, a warning at 80 %, the action at 100 % applied to the
 * driver as a rule, lifted when the period rolls over — across restarts, without repeating.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../main/store/store.ts';
import { periodEnd, periodStart } from '../../main/store/periods.ts';
import { storeFixture, identity, type Fixture } from './support/store-fixture.ts';

let f: Fixture;
let store: Store;
afterEach(() => {
  store?.close();
  f?.cleanup();
});

const settle = () => new Promise((r) => setImmediate(r));
/** 20:00 local time, so a day's end is a few hours away. */
const EVENING = new Date(2026, 11, 3, 20, 0, 0).getTime();

function send(appId: number, bytes: number): void {
  f.clock.ms += 1000;
  store.record(Math.floor(f.clock.ms / 1000), [
    { appId, txBytes: bytes, rxBytes: 0, txPackets: 1, rxPackets: 0, drops: 0 },
  ]);
}

async function setup(action: 'notify' | 'cap' | 'low') {
  f = storeFixture(EVENING);
  store = f.open();
  const ft = store.appId(identity('FaceTime', 'com.apple.FaceTime'));
  await store.rules.putRule({
    id: 'ft',
    match: { bundleId: 'com.apple.FaceTime' },
    priority: 'highest',
    enabled: true,
  });
  store.budgets.set({
    app: 'com.apple.FaceTime',
    period: 'day',
    limitBytes: 1_000_000,
    action,
    ...(action === 'cap' ? { capBps: 1_000_000 } : {}),
  });
  return ft;
}

describe('data budgets', () => {
  it('warns once at 80 %, drops the app to Low at 100 %, through the driver', async () => {
    const ft = await setup('low');
    send(ft, 790_000);
    expect(f.notices).toEqual([]);
    send(ft, 20_000);
    send(ft, 20_000);
    expect(f.notices.map((n) => n.level)).toEqual(['warning']);
    expect(f.notices[0].message).toBe('FaceTime used 81 % of its daily budget');
    send(ft, 200_000);
    await settle();
    expect(f.notices.map((n) => n.level)).toEqual(['warning', 'reached']);
    const applied = f.driver.applied.at(-1);
    expect(applied?.rules).toEqual([
      expect.objectContaining({
        id: 'budget:com.apple.FaceTime',
        match: { bundleId: 'com.apple.FaceTime' },
        priority: 'low',
      }),
    ]);
    // The stored profile is untouched: the action is an overlay.
    expect(store.rules.rules().rules[0].priority).toBe('highest');
    expect(store.events.list(5).map((e) => e.kind)).toContain('budget');
  });

  it('a cap action keeps the priority and caps the rate', async () => {
    const ft = await setup('cap');
    send(ft, 1_100_000);
    await settle();
    expect(f.driver.applied.at(-1)?.rules).toEqual([
      expect.objectContaining({ id: 'budget:com.apple.FaceTime', priority: 'highest', capBps: 1_000_000 }),
    ]);
  });

  it('notify only changes nothing in the driver', async () => {
    const ft = await setup('notify');
    const applied = f.driver.applied.length;
    send(ft, 1_100_000);
    await settle();
    expect(f.notices.map((n) => n.level)).toEqual(['warning', 'reached']);
    expect(f.driver.applied.length).toBe(applied);
  });

  it('after a restart the action holds and nothing is notified again; a new day lifts it', async () => {
    const ft = await setup('low');
    send(ft, 1_100_000);
    await settle();
    store.close();
    f.notices.length = 0;
    store = f.open();
    await store.rules.reapply('start');
    expect(f.driver.applied.at(-1)?.rules[0]).toMatchObject({
      id: 'budget:com.apple.FaceTime',
      priority: 'low',
    });
    expect(store.budgets.list()[0]).toMatchObject({ usedBytes: 1_100_000, warned: true, reached: true });
    send(ft, 1000);
    expect(f.notices).toEqual([]);
    // Past midnight: the period rolls over even while the app is silent.
    f.clock.ms = periodEnd('day', f.clock.ms) + 5000;
    store.maintain();
    await settle();
    expect(f.notices.map((n) => n.level)).toEqual(['lifted']);
    expect(f.driver.applied.at(-1)?.rules).toEqual([
      expect.objectContaining({ id: 'ft', priority: 'highest' }),
    ]);
    expect(store.budgets.list()[0]).toMatchObject({ usedBytes: 0, warned: false, reached: false });
  });

  it('bad budgets are refused with a message', async () => {
    await setup('notify');
    expect(() =>
      store.budgets.set({ app: 'com.apple.FaceTime', period: 'year', limitBytes: 5000, action: 'low' }),
    ).toThrow(/period/);
    expect(() =>
      store.budgets.set({ app: 'com.apple.FaceTime', period: 'day', limitBytes: 5000, action: 'cap' }),
    ).toThrow(/capBps/);
    expect(() =>
      store.budgets.set({ app: 'com.nobody', period: 'day', limitBytes: 5000, action: 'low' }),
    ).toThrow(/no app "com.nobody"/);
    expect(() => store.budgets.remove('com.apple.FaceTime', 'week')).toThrow(/no week budget/);
  });
});

describe('budget periods in local time', () => {
  it('a week starts on Monday, a month on the 1st, across the year end', () => {
    const thursday = new Date(2026, 11, 31, 15, 30).getTime();
    expect(new Date(periodStart('day', thursday))).toEqual(new Date(2026, 11, 31));
    expect(new Date(periodStart('week', thursday))).toEqual(new Date(2026, 11, 28));
    expect(new Date(periodEnd('week', thursday))).toEqual(new Date(2027, 0, 4));
    expect(new Date(periodStart('month', thursday))).toEqual(new Date(2026, 11, 1));
    expect(new Date(periodEnd('month', thursday))).toEqual(new Date(2027, 0, 1));
    const sunday = new Date(2027, 0, 3, 23, 59).getTime();
    expect(new Date(periodStart('week', sunday))).toEqual(new Date(2026, 11, 28));
  });
});
