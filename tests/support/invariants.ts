/**
 * Whole-machine invariants, shared by the scenario invariants test and the fuzz tests: the
 * driver's view of each ring (read through its RingState mapping, as a developer tool would)
 * matches the device registers; once drained, packets are conserved at every layer; a shut
 * down machine leaks nothing.
 */
import { expect } from 'vitest';
import type { LeakReport, Machine } from '../../driver-runtime/host/machine.ts';
import * as R from '../../driver-runtime/driver/hw-regs.ts';
import { readRingState } from '../../driver-runtime/abi/ring-state-reader.ts';

/**
 * Mid-run ring invariants from the RingState bytes (any mapping of MemoryType.RingState);
 * returns how many Tx descriptors are posted across the rings.
 */
export function expectRingInvariants(m: Machine, ringStateBytes: Uint8Array): number {
  const state = readRingState(ringStateBytes);
  expect(state).not.toBeNull();
  let pendingSomewhere = 0;
  state!.tx.forEach((ring, q) => {
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
  state!.rx.forEach((ring, q) => expect(m.nic.core.regs.get(R.RDT(q))).toBe(ring.tail));
  expect(state!.poolInUse).toBeLessThanOrEqual(state!.poolPackets);
  return pendingSomewhere;
}

/**
 * After `m.drain()`: nothing in flight, what apps sent equals what reached the wire plus what
 * was counted as dropped, and the driver's, the NIC's and the link partner's counts agree.
 *
 * Exact, even after the interface was disabled mid-traffic: frames the NIC had sent complete
 * as sent, only the rest abort.
 */
export function expectConservation(m: Machine): void {
  const acc = m.stack.accounting();
  expect(acc.inFlight).toBe(0);
  expect(acc.sent).toBe(acc.enqueued + acc.drops);
  expect(acc.enqueued).toBe(acc.onWire + acc.errors);
  const p = m.partner.counters;
  const s = m.client.stats();
  // Everything the stack saw leave reached the partner, and the NIC counted the same frames.
  expect(p.fromNicFrames).toBe(acc.onWire);
  expect(s.hwTxPackets).toBe(acc.onWire);
  expect(s.opkts).toBe(acc.onWire);
  // Driver drops are exactly the stack's error completions.
  expect(s.oerrs).toBe(acc.errors);
  // Frames from the partner: every one was received by the NIC or counted as missed (MPC).
  expect(s.hwRxPackets + s.rxMissed).toBe(p.toNicFrames);
  expect(p.toNicFrames).toBeGreaterThan(0);
  expect(p.badChecksum).toBe(0);
}

/** What `Machine.shutdown` reports for a machine that leaked nothing. */
export function expectNoLeaks(leaks: LeakReport): void {
  expect(leaks).toEqual({
    liveObjects: 0,
    liveObjectsByClass: {},
    poolPacketsInUse: 0,
    hostAllocations: 0,
    pendingEvents: 0,
  });
}
