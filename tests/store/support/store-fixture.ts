/** A store on a temporary file with a fake driver and a settable wall clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppIdentity } from '../../../driver-runtime/abi/app-identity.ts';
import type { RuleSet } from '../../../driver-runtime/rules/rule-types.ts';
import { Store } from '../../../main/store/store.ts';
import type { BudgetNotice } from '../../../main/store/budgets.ts';

export interface FakeDriver {
  /** Every rule set the driver was given, in order. */
  applied: RuleSet[];
  /** When set, the driver refuses with this message. */
  refuse: string | null;
  generation: number;
}

export interface Fixture {
  dir: string;
  file: string;
  clock: { ms: number };
  driver: FakeDriver;
  notices: BudgetNotice[];
  open(): Store;
  cleanup(): void;
}

export function storeFixture(startMs = Date.UTC(2026, 11, 3, 12, 0, 0)): Fixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-store-'));
  const clock = { ms: startMs };
  const driver: FakeDriver = { applied: [], refuse: null, generation: 0 };
  const notices: BudgetNotice[] = [];
  const file = path.join(dir, 'netlanes.db');
  return {
    dir,
    file,
    clock,
    driver,
    notices,
    open: () =>
      Store.open({
        file,
        now: () => clock.ms,
        minuteOfWeek: () => 0,
        notify: (n) => notices.push(n),
        apply: async (rules) => {
          if (driver.refuse !== null) throw new Error(driver.refuse);
          driver.applied.push(rules);
          return ++driver.generation;
        },
      }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function identity(name: string, bundleId: string, serviceClass = 0): AppIdentity {
  return { appId: 0, name, bundleId, executablePath: `/Applications/${name}.app`, pid: 100, serviceClass };
}
