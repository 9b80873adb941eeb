/**
 * Interface counters are the driver's, not its rings' or the NIC's: they survive a surprise
 * removal, an adapter reset and Stop, as `netstat -I` does on a real system.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../driver-runtime/host/run-scenario.ts';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { parseFault, scheduleFault } from '../../driver-runtime/host/faults.ts';
import { scenario } from '../machine/helpers.ts';

describe('interface counters survive', () => {
  it('a surprise removal: netstat and the report still count what left before it', () => {
    const run = runScenario({
      scenario: scenario('home-office'),
      durationNs: 1e9,
      faults: [parseFault('surprise-removal@500ms')],
    });
    const r = run.report;
    // Everything the partner received left before the removal, and the driver counted it
    // (frames in flight at the removal were aborted, so never counted as sent).
    expect(r.netstat.Opkts).toBeGreaterThan(10_000);
    expect(r.netstat.Ipkts).toBeGreaterThan(0);
    expect(r.linkUtilisation).toBeGreaterThan(0.2);
    expect(r.queues.reduce((n, q) => n + q.packets, 0)).toBe(r.netstat.Opkts);
  });

  it('adapter resets and Stop: the counts after equal the frames the partner received', () => {
    const m = Machine.boot({ scenario: scenario('home-office'), seed: 3 });
    scheduleFault(m, parseFault('tx-hang@300ms:q0'), []);
    m.run(2.5e9);
    expect(m.driver.resets).toBeGreaterThan(0);
    m.drain();
    const sent = m.partner.counters.fromNicFrames;
    expect(m.driver.netstat().Opkts).toBe(sent);
    m.shutdown(); // driver Stop: rings and the statistics region are gone
    expect(m.driver.netstat().Opkts).toBe(sent);
    expect(m.driver.stats.total(m.driver.stats.txPackets)).toBe(sent);
  });
});
