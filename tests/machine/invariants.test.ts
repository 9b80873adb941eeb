/**
 * End-to-end invariants on the whole simulated machine after each shipped scenario:
 * packets all return to the pool, rings stay consistent, and what apps sent equals what
 * reached the wire plus what was counted as dropped — at every layer.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import * as R from '../../driver-runtime/driver/hw-regs.ts';
import { scenario } from './helpers.ts';

describe.each(['home-office', 'contention'])('scenario %s', (name) => {
  it('conserves packets across stack, driver, NIC and link partner, and shuts down clean', () => {
    const m = Machine.boot({ scenario: scenario(name), link: '1g' });
    m.run(300e6);
    // Mid-run ring invariants: the driver's view of each ring matches the device registers.
    let pendingSomewhere = 0;
    for (const ring of m.driver.txRings) {
      const q = ring.queueIndex;
      // One slot always stays free; TDT is the driver's next_to_use.
      expect(ring.pending).toBeLessThanOrEqual(ring.count - 1);
      expect(m.nic.core.regs.get(R.TDT(q))).toBe(ring.nextToUse & ring.mask);
      // The device's head lies between what the driver reaped and what it posted.
      const headAhead = (m.nic.core.regs.get(R.TDH(q)) - ring.nextToClean) & ring.mask;
      expect(headAhead).toBeLessThanOrEqual(ring.pending);
      // The in-flight byte count is exactly the bytes of the packets posted and not reaped.
      let bytes = 0;
      for (let i = ring.nextToClean; i !== ring.nextToUse; i++) {
        const slot = i & ring.mask;
        if (ring.bufferHandle[slot] >= 0) bytes += ring.bufferBytes[slot];
      }
      expect(ring.inflightBytes).toBe(bytes);
      pendingSomewhere += ring.pending;
    }
    expect(pendingSomewhere).toBeGreaterThan(0); // the checks above saw real work
    m.drain();
    const acc = m.stack.accounting();
    expect(acc.inFlight).toBe(0);
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors);
    // Everything the stack saw leave reached the partner, and the NIC counted the same frames.
    const p = m.partner.counters;
    expect(p.fromNicFrames).toBe(acc.onWire);
    m.driver.updateStats();
    expect(m.driver.stats.txGoodPackets).toBe(acc.onWire);
    // Driver drops are exactly the stack's error completions.
    const d = m.driver.stats.drops;
    expect(d.swQueueFull + d.aqm + d.capExceeded + d.completionFull + d.aborted).toBe(acc.errors);
    // Frames from the partner: every one was received by the NIC or counted as missed (MPC).
    expect(m.driver.stats.rxGoodPackets + m.driver.stats.rxMissed).toBe(p.toNicFrames);
    expect(p.toNicFrames).toBeGreaterThan(0);
    expect(p.badChecksum).toBe(0);
    const leaks = m.shutdown();
    expect(leaks).toEqual({
      liveObjects: 0,
      liveObjectsByClass: {},
      poolPacketsInUse: 0,
      hostAllocations: 0,
      pendingEvents: 0,
    });
  });
});
