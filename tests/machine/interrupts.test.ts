/**
 * The driver counts the interrupts it handled (the Driver screen's interrupts per second):
 * under a saturated 1 GbE link of full-size frames (one every 12 µs), interrupt moderation
 * (EITR, 20 µs) keeps them below the packet rate and at most one per vector per interval.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { scenario } from './helpers.ts';

describe('interrupts', () => {
  it('are counted, below the packet rate, and bounded by EITR', () => {
    const m = Machine.boot({ scenario: scenario('contention') });
    const before = m.client.stats();
    const durationNs = 200e6;
    m.run(durationNs);
    const after = m.client.stats();
    const interrupts = after.interrupts - before.interrupts;
    const packets = after.opkts - before.opkts + (after.ipkts - before.ipkts);
    expect(interrupts).toBeGreaterThan(0);
    expect(interrupts).toBeLessThan(packets);
    // Four queue vectors and the other-causes vector, each at most once per 20 µs.
    expect(interrupts).toBeLessThanOrEqual(5 * (durationNs / 20_000) + 5);
  });
});
