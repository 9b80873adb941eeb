/**
 * The io-pkt `init` lesson: MTU, promiscuous and multicast changes reconfigure in place —
 * no reset, no link flap, traffic keeps flowing — and bad values are refused. Also the
 * per-app statistics region: counters there agree with what the stack saw.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { out } from '../../driver-runtime/kit/os-object.ts';
import { kIOReturnBadArgument, kIOReturnSuccess } from '../../driver-runtime/kit/io-return.ts';
import { LATENCY_BUCKETS } from '../../driver-runtime/abi/latency-buckets.ts';
import { appLatency } from '../../driver-runtime/abi/stats-reader.ts';
import { scenario } from './helpers.ts';

describe('reconfiguration without reset', () => {
  it('MTU, promiscuous and multicast changes mid-traffic: no reset, no link event, no pause in traffic', () => {
    const m = Machine.boot({ scenario: scenario('home-office') });
    m.run(200e6);
    const eventsBefore = m.client.events().length;
    const framesBefore = m.partner.counters.fromNicFrames;
    m.within(() => {
      expect(m.driver.SetMTU(1400)).toBe(kIOReturnSuccess);
      expect(m.driver.SetMTU(9000)).toBe(kIOReturnBadArgument); // larger than the 2 KiB buffers allow
      expect(m.driver.SetMTU(20)).toBe(kIOReturnBadArgument);
      const mtu = out<number>();
      expect(m.driver.GetMaxTransferUnit(mtu)).toBe(kIOReturnSuccess);
      expect(mtu.value).toBe(1400);
      expect(m.driver.SetPromiscuousModeEnable(true)).toBe(kIOReturnSuccess);
      expect(m.driver.SetMulticastAddresses([Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb)], 1)).toBe(
        kIOReturnSuccess,
      );
      expect(m.driver.SetMulticastAddresses([Uint8Array.of(1, 2, 3)], 1)).toBe(kIOReturnBadArgument);
    });
    m.run(5e6);
    // Traffic did not stop: frames kept leaving within 5 ms of the change.
    expect(m.partner.counters.fromNicFrames - framesBefore).toBeGreaterThan(100);
    expect(m.client.events().length).toBe(eventsBefore);
    expect(m.client.stats().resets).toBe(0);
    // The NIC really got the new settings.
    const regs = m.nic.core.regs;
    expect(regs.get(0x05004)).toBe(1400 + 22); // RLPML
    expect(regs.get(0x00100) & (1 << 3)).not.toBe(0); // RCTL.UPE
    expect(m.shutdown().liveObjects).toBe(0);
  });
});

describe('statistics region', () => {
  it('per-app counters in the region agree with the stack, and every completed packet has one latency record', () => {
    // No IPC delay between a flow's report and its entry: every packet is attributed.
    const m = Machine.boot({ scenario: scenario('contention'), flowPushDelayNs: 0 });
    m.run(500e6);
    m.drain();
    const view = m.stats; // the region, mapped through the user client
    expect(view.header.getUint32(0, true)).toBe(0x54534c4e);
    expect(view.sequence % 2).toBe(0); // not mid-update
    for (const a of m.stack.allAppStats()) {
      const slot = m.agent.slotOf(m.apps[a.appId - 1]);
      expect(slot).toBeGreaterThan(0);
      expect(view.app.txPackets[slot]).toBe(a.txCompleted);
      expect(view.app.txBytes[slot]).toBe(a.txCompletedBytes);
      const counted = view.latency
        .subarray(slot * LATENCY_BUCKETS, (slot + 1) * LATENCY_BUCKETS)
        .reduce((x, y) => x + y, 0);
      expect(counted).toBe(a.txCompleted);
      const latency = appLatency(view, slot);
      expect(latency.count).toBe(a.txCompleted);
      if (a.txCompleted > 0) {
        // Never shorter than the frame's own preamble, and ordered min ≤ p50 ≤ mean·k ≤ p99 ≤ max.
        expect(latency.min).toBeGreaterThan(0);
        expect(latency.min).toBeLessThanOrEqual(latency.p50);
        expect(latency.p50).toBeLessThanOrEqual(latency.p99);
        expect(latency.p99).toBeLessThanOrEqual(latency.max);
        expect(latency.mean).toBeLessThanOrEqual(latency.max);
        expect(latency.mean).toBeGreaterThanOrEqual(latency.min);
      }
    }
    expect(m.shutdown().liveObjects).toBe(0);
  });

  it('received frames are charged to the slot of their flow (the flow table the app pushed)', () => {
    const m = Machine.boot({ scenario: scenario('home-office'), flowPushDelayNs: 0 });
    m.run(500e6);
    m.drain();
    const view = m.stats;
    const slotOf = (appId: number) => m.agent.slotOf(m.apps[appId - 1]);
    const receivers = m.stack.allAppStats().filter((a) => a.kind === 'receive' || a.kind === 'ping');
    expect(receivers.length).toBeGreaterThan(1);
    for (const a of receivers) {
      expect(a.rxPackets).toBeGreaterThan(0);
      expect(view.app.rxPackets[slotOf(a.appId)]).toBe(a.rxPackets);
    }
    // ARP has no flow: it is charged to the system (slot 0), never to an app.
    const charged = m.stack.allAppStats().reduce((n, a) => n + view.app.rxPackets[slotOf(a.appId)], 0);
    expect(view.app.rxPackets[0]).toBeGreaterThan(0);
    expect(charged + view.app.rxPackets[0]).toBe(m.client.stats().ipkts);
    expect(m.shutdown().liveObjects).toBe(0);
  });
});
