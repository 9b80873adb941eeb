/**
 * End-to-end invariants on the whole simulated machine after each shipped scenario:
 * packets all return to the pool, rings stay consistent, and what apps sent equals what
 * reached the wire plus what was counted as dropped — at every layer.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { expectConservation, expectNoLeaks, expectRingInvariants } from '../support/invariants.ts';
import { scenario } from './helpers.ts';

describe.each(['home-office', 'contention'])('scenario %s', (name) => {
  it('conserves packets across stack, driver, NIC and link partner, and shuts down clean', () => {
    const m = Machine.boot({ scenario: scenario(name), link: '1g' });
    m.run(300e6);
    // Mid-run ring invariants: the driver's view of each ring, read through its RingState
    // mapping as a developer tool would, matches the device registers.
    const pendingSomewhere = expectRingInvariants(m, m.client.map(MemoryType.RingState).bytes);
    expect(pendingSomewhere).toBeGreaterThan(0); // the checks above saw real work
    m.drain();
    expectConservation(m);
    expectNoLeaks(m.shutdown());
  });
});
