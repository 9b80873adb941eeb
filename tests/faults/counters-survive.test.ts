/**
 * Interface counters are the driver's, not its rings' or the NIC's: they survive a surprise
 * removal, an adapter reset and Stop, as `netstat -I` does on a real system.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../driver-runtime/host/run-scenario.ts';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { parseFault, scheduleFault } from '../../driver-runtime/host/faults.ts';
import { INFO_DEVICE_REMOVED } from '../../driver-runtime/abi/netlanes-abi.ts';
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

  it('adapter resets, then the device detached: the counts equal the frames the partner received', () => {
    const m = Machine.boot({ scenario: scenario('home-office'), seed: 3 });
    scheduleFault(m, parseFault('tx-hang@300ms:q0'), []);
    scheduleFault(m, parseFault('surprise-removal@2600ms'), []);
    m.run(2.5e9);
    expect(m.client.stats().resets).toBeGreaterThan(0);
    m.run(0.5e9); // the removal: the driver reclaims everything and never touches the device
    const sent = m.partner.counters.fromNicFrames;
    const s = m.client.stats();
    // Frames on the wire when the device vanished were reclaimed unreaped (counted aborted).
    expect(s.opkts).toBeLessThanOrEqual(sent);
    expect(sent).toBeLessThanOrEqual(s.opkts + s.dropAborted);
    expect(s.opkts).toBeGreaterThan(50_000);
    expect(s.queuePackets.reduce((a, b) => a + b, 0)).toBe(s.opkts);
    expect(m.client.info().flags & INFO_DEVICE_REMOVED).not.toBe(0);
    m.shutdown();
  });
});
