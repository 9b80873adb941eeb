/**
 * The app's main side as it runs (the dext in its worker, in real time): after the dext dies,
 * it is back within a second with the app's rules and settings pushed again, and flows fill
 * its table as the new host reports them; switching the workload through the lab does the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AppCore } from '../../main/app-core.ts';
import { WorkerKernel } from '../../main/broker/worker-kernel.ts';
import { LabClient } from '../../ipc/lab-client.ts';
import type { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import { scenario } from '../machine/helpers.ts';

const RULES = validateRuleSet({
  version: 1,
  rules: [{ id: 'ft', match: { bundleId: 'com.apple.FaceTime' }, priority: 'highest', enabled: true }],
});

const waitFor = async (ok: () => Promise<boolean> | boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

let core: AppCore;
afterAll(async () => {
  await core?.dispose();
});

/** The driver's view, through a fresh connection (a dead one answers kIOReturnNotAttached). */
async function driverHolds(c: () => Promise<NetLanesClient>) {
  const nl = await c();
  try {
    const [rules, stats] = await Promise.all([nl.ruleSet(), nl.stats()]);
    return { json: rules.json, flows: stats.flowEntries, generation: (await nl.info()).settingsGeneration };
  } finally {
    await nl.close();
  }
}

describe('the app core with the dext in a worker', () => {
  it('a dead dext comes back within a second with the rules, settings and a filling flow table', async () => {
    core = await AppCore.start({
      scenario: scenario('home-office'),
      scenarioName: 'home-office',
      scenarios: { contention: scenario('contention') },
      worker: true,
    });
    core.setRules(RULES);
    const open = () => core.connect('test');
    expect(await waitFor(async () => (await driverHolds(open)).flows > 0)).toBe(true);
    expect(JSON.parse((await driverHolds(open)).json)).toEqual(RULES);

    const died = Date.now();
    await (core.kernel as WorkerKernel).kill();
    expect(
      await waitFor(async () => {
        const held = await driverHolds(open).catch(() => null);
        return held !== null && held.json !== '' && held.flows > 0 && held.generation > 0;
      }),
    ).toBe(true);
    expect(Date.now() - died).toBeLessThan(8000);
    expect(JSON.parse((await driverHolds(open)).json)).toEqual(RULES);
    expect((core.kernel as WorkerKernel).restarts).toBe(1);
    // Pushes may meet the dead dext (kIOReturnNotAttached) or a closing connection; nothing else.
    expect(core.pushFailures.filter((f) => !/0xe00002d9|closed|not attached/.test(f))).toEqual([]);
  }, 30_000);

  it('a workload switch through the lab reboots the machine and the agent follows the new flows', async () => {
    const lab = await LabClient.open((await core.connect('lab')).iokit);
    const before = core.apps().length;
    await lab.switchScenario('contention');
    const open = () => core.connect('test');
    expect(
      await waitFor(async () => {
        // The machine may reboot under a probe: any failure just means "not yet".
        const nl = await open().catch(() => null);
        if (nl === null) return false;
        try {
          const l = await LabClient.open(nl.iokit);
          return (await l.status()).scenario === 'contention';
        } catch {
          return false;
        } finally {
          await nl.close().catch(() => undefined);
        }
      }),
    ).toBe(true);
    expect(await waitFor(async () => (await driverHolds(open)).flows > 0)).toBe(true);
    expect(JSON.parse((await driverHolds(open)).json)).toEqual(RULES);
    expect(core.apps().length).toBeGreaterThan(before); // contention's apps joined the known ones
  }, 30_000);
});
