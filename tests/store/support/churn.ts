/**
 * A child process for the durability test: changes rules and writes history as fast as it can,
 * printing each commit after it returns, until it is killed.
 */
import { Store } from '../../../main/store/store.ts';
import { identity } from './store-fixture.ts';

const file = process.argv[2];
let ms = Date.UTC(2026, 11, 3, 12, 0, 0);
const store = Store.open({ file, now: () => ms, minuteOfWeek: () => 0, apply: async () => 1 });
const app = store.appId(identity('Churn', 'com.example.churn'));
let n = store.rules.rules().rules.length;
let second =
  (store.db.prepare('SELECT max(t) FROM samples_1s').pluck().get() as number | null) ?? Math.floor(ms / 1000);
process.stdout.write('ready\n');

for (;;) {
  const id = `r${n}`;
  await store.rules.putRule({
    id,
    match: { bundleId: `com.example.app${n}` },
    priority: 'high',
    enabled: true,
  });
  process.stdout.write(`rule ${id}\n`);
  n++;
  second++;
  ms = second * 1000;
  store.record(second, [{ appId: app, txBytes: 1000 + n, rxBytes: 1, txPackets: 1, rxPackets: 1, drops: 0 }]);
  process.stdout.write(`second ${second}\n`);
}
