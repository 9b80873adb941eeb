/**
 * End-to-end invariants on the whole simulated machine after each shipped scenario:
 * packets all return to the pool, rings stay consistent, and what apps sent equals what
 * reached the wire plus what was counted as dropped — at every layer.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import * as R from '../../driver-runtime/driver/hw-regs.ts';
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { readRingState } from '../../driver-runtime/abi/ring-state-reader.ts';
import { scenario } from './helpers.ts';

describe.each(['home-office', 'contention'])('scenario %s', (name) => {
  it('conserves packets across stack, driver, NIC and link partner, and shuts down clean', () => {
    const m = Machine.boot({ scenario: scenario(name), link: '1g' });
    m.run(300e6);
    // Mid-run ring invariants: the driver's view of each ring, read through its RingState
    // mapping as a developer tool would, matches the device registers.
    const state = readRingState(m.client.map(MemoryType.RingState).bytes)!;
    let pendingSomewhere = 0;
    state.tx.forEach((ring, q) => {
      const mask = ring.size - 1;
      const pending = (ring.nextToUse - ring.nextToClean) >>> 0;
      // One slot always stays free; TDT is the driver's next_to_use.
      expect(pending).toBeLessThanOrEqual(ring.size - 1);
      expect(ring.tail).toBe(ring.nextToUse & mask);
      expect(m.nic.core.regs.get(R.TDT(q))).toBe(ring.tail);
      // The device's head lies between what the driver reaped and what it posted.
      const headAhead = (m.nic.core.regs.get(R.TDH(q)) - ring.nextToClean) & mask;
      expect(headAhead).toBeLessThanOrEqual(pending);
      // In flight only while something is posted, and never above the ring's byte limit by more than a frame.
      if (pending === 0) expect(ring.inflightBytes).toBe(0);
      expect(ring.inflightBytes).toBeLessThanOrEqual(ring.byteLimit + 1522);
      pendingSomewhere += pending;
    });
    state.rx.forEach((ring, q) => expect(m.nic.core.regs.get(R.RDT(q))).toBe(ring.tail));
    expect(state.poolInUse).toBeLessThanOrEqual(state.poolPackets);
    expect(pendingSomewhere).toBeGreaterThan(0); // the checks above saw real work
    m.drain();
    const acc = m.stack.accounting();
    expect(acc.inFlight).toBe(0);
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors);
    // Everything the stack saw leave reached the partner, and the NIC counted the same frames.
    const p = m.partner.counters;
    expect(p.fromNicFrames).toBe(acc.onWire);
    const s = m.client.stats();
    expect(s.hwTxPackets).toBe(acc.onWire);
    expect(s.opkts).toBe(acc.onWire);
    // Driver drops are exactly the stack's error completions.
    expect(s.oerrs).toBe(acc.errors);
    // Frames from the partner: every one was received by the NIC or counted as missed (MPC).
    expect(s.hwRxPackets + s.rxMissed).toBe(p.toNicFrames);
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
