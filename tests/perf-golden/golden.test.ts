/**
 * Golden equivalence: the burst-wise data path against the per-frame reference
 * (`MachineOptions.perFrame`). The same seeded scenario must give a byte-identical pcap
 * (both directions, ns timestamps), the same NIC register file, the same driver statistics
 * region (per-app and per-queue columns, latency histograms), the same report, driver events,
 * stack, peer and pool counters. The scenarios cover each shortcut's edges: strict priority
 * with one and several busy queues, FIFO, DRR, floors, rate limits, PCP marking, VLAN, Rx,
 * and faults that reset or reconfigure the device mid-stretch.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runScenario, type RunOptions } from '../../driver-runtime/host/run-scenario.ts';
import type { Machine } from '../../driver-runtime/host/machine.ts';
import type { Scenario } from '../../driver-runtime/stack/scenario.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import type { TxPolicy } from '../../driver-runtime/driver/tx-policy.ts';
import { parseFault } from '../../driver-runtime/host/faults.ts';
import { LINK_BPS, type LinkSpeed } from '../../driver-runtime/sim/units.ts';
import { scenario } from '../machine/helpers.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const host = { mac: '3c:22:fb:10:20:31', ip: '10.0.0.2' };
const peer = { mac: 'a4:91:b1:00:00:02', ip: '10.0.0.1' };

/** Greedy UDP senders, one per service class given (BK→Q0, BE→Q1, VI→Q2, VO→Q3). */
function bulk(
  link: LinkSpeed,
  frameBytes: number,
  classes: readonly ('BK' | 'BE' | 'VI' | 'VO')[],
): Scenario {
  return {
    name: `golden-bulk-${frameBytes}`,
    description: 'greedy senders',
    link,
    seed: 3,
    host,
    peer,
    apps: classes.map((serviceClass, i) => ({
      name: `bulk${i}`,
      bundleId: `golden.bulk${i}`,
      executablePath: `/golden/bulk${i}`,
      pid: 500 + i,
      serviceClass,
      traffic: {
        kind: 'bulk' as const,
        protocol: i % 2 === 0 ? ('udp' as const) : ('tcp' as const),
        packetBytes: frameBytes + 97 * i,
        sndbufBytes: 512 * frameBytes,
        srcPort: 42000 + i,
        dstPort: 9 + i,
      },
    })),
  };
}

function rx(link: LinkSpeed, frameBytes: number): Scenario {
  return {
    name: `golden-rx-${frameBytes}`,
    description: 'line-rate Rx',
    link,
    seed: 4,
    host,
    peer,
    apps: [
      {
        name: 'sink',
        bundleId: 'golden.sink',
        executablePath: '/golden/sink',
        pid: 600,
        serviceClass: 'BE',
        traffic: {
          kind: 'receive',
          protocol: 'udp',
          packetBytes: frameBytes,
          rateBps: LINK_BPS[link],
          dstPort: 5001,
          srcPort: 5001,
        },
      },
    ],
  };
}

const twoLevels: RuleSet = {
  version: 1,
  rules: [
    { id: 'low', match: { bundleId: 'golden.bulk0' }, priority: 'low', enabled: true },
    { id: 'high', match: { bundleId: 'golden.bulk1' }, priority: 'high', enabled: true },
  ],
};

/** Everything observable after a run, in a form `toEqual` compares exactly. */
function snapshot(options: RunOptions, perFrame: boolean) {
  let machine: Machine | null = null;
  let atEnd: Record<string, unknown> = {};
  const result = runScenario({
    ...options,
    perFrame,
    capture: true,
    onBoot: (m) => {
      machine = m;
      options.onBoot?.(m);
    },
    onProgress: (fraction) => {
      if (fraction < 1 || machine === null) return;
      const m: Machine = machine;
      const v = m.stats;
      atEnd = {
        now: m.scheduler.now,
        // The whole register file, raw (no read side effects).
        regs: Array.from(m.nic.core.regs.r),
        app: Object.fromEntries(Object.entries(v.app).map(([k, a]) => [k, Array.from(a)])),
        queue: Object.fromEntries(Object.entries(v.queue).map(([k, a]) => [k, Array.from(a)])),
        latency: sha(new Uint8Array(v.latency.buffer, v.latency.byteOffset, v.latency.byteLength)),
        driverStats: m.client.stats(),
        peer: { ...m.partner.counters },
        stack: { ...m.stack.counters },
        apps: m.stack.allAppStats(),
        poolInUse: m.driver.packetPool?.inUse ?? -1,
      };
    },
  });
  return {
    pcap: result.pcap === null ? '' : sha(result.pcap),
    pcapBytes: result.pcap?.length ?? 0,
    report: result.report,
    events: result.events,
    faults: result.faults,
    leaks: result.leaks,
    atEnd,
  };
}

function expectSame(options: RunOptions): void {
  const fast = snapshot(options, false);
  const slow = snapshot(options, true);
  expect(fast.pcapBytes).toBeGreaterThan(1000);
  expect(fast.atEnd).toEqual(slow.atEnd);
  expect(fast.report).toEqual(slow.report);
  expect(fast.events).toEqual(slow.events);
  expect(fast.faults).toEqual(slow.faults);
  expect(fast.leaks).toEqual(slow.leaks);
  expect(fast.pcapBytes).toBe(slow.pcapBytes);
  expect(fast.pcap).toBe(slow.pcap);
}

const policy = (p: Partial<TxPolicy>) => ({ driver: p });

describe('burst-wise data path = per-frame reference', () => {
  it('the comparison notices a difference (interrupt wake-up 1 ns later)', () => {
    const a = snapshot({ scenario: bulk('10g', 60, ['BK']), durationNs: 1e6 }, false);
    const b = snapshot(
      { scenario: bulk('10g', 60, ['BK']), durationNs: 1e6, interruptWakeLatencyNs: 2001 },
      true,
    );
    expect(a.pcap).not.toBe(b.pcap);
    expect(a.atEnd).not.toEqual(b.atEnd);
  });

  it('home office (mixed apps, both directions)', () => {
    expectSame({ scenario: scenario('home-office'), durationNs: 150e6 });
  });

  it('contention on 1 GbE, strict priority', () => {
    expectSame({ scenario: scenario('contention'), durationNs: 150e6 });
  });

  it('one greedy sender at 10 GbE, 64 B (one eligible queue)', () => {
    expectSame({ scenario: bulk('10g', 60, ['BK']), durationNs: 3e6 });
  });

  it('checksums not verified (the benchmark setting: the link partner may skip its parse)', () => {
    expectSame({ scenario: bulk('10g', 60, ['BK', 'VI']), durationNs: 3e6, verifyChecksums: false });
    expectSame({ scenario: scenario('home-office'), durationNs: 100e6, verifyChecksums: false });
  });

  it('one greedy sender at 10 GbE, 1518 B', () => {
    expectSame({ scenario: bulk('10g', 1514, ['BE']), durationNs: 6e6 });
  });

  it('two apps on two levels by rules, 10 GbE', () => {
    expectSame({ scenario: bulk('10g', 60, ['BK', 'VI']), durationNs: 3e6, rules: twoLevels });
  });

  it('four queues, FIFO arbitration', () => {
    expectSame({
      scenario: bulk('1g', 200, ['BK', 'BE', 'VI', 'VO']),
      durationNs: 20e6,
      ...policy({ txScheduler: 'fifo' }),
    });
  });

  it('four queues, DRR without and with floors', () => {
    expectSame({
      scenario: bulk('1g', 300, ['BK', 'BE', 'VI', 'VO']),
      durationNs: 20e6,
      ...policy({ txScheduler: 'drr', drrQuanta: [600, 1514, 3000, 1514] }),
    });
    expectSame({
      scenario: bulk('1g', 300, ['BK', 'BE', 'VI', 'VO']),
      durationNs: 20e6,
      ...policy({ txScheduler: 'drr', drrQuanta: [600, 1514, 3000, 1514], floors: [0.1, 0, 0, 0] }),
    });
  });

  it('strict priority with a floor and a rate limit, PCP marking', () => {
    expectSame({
      scenario: bulk('2.5g', 500, ['BK', 'VO']),
      durationNs: 20e6,
      ...policy({ floors: [1 / 16, 0, 0, 0], maxBps: [0, 0, 0, 300e6], pcp: [1, -1, -1, 6] }),
    });
  });

  it('CoDel dropping over runs of several apps in one queue (DRR), and the single-queue FIFO', () => {
    const aqm = { codelTargetNs: 20_000, codelIntervalNs: 200_000 };
    const options = { scenario: bulk('1g', 200, ['BK', 'BK', 'BK', 'VO']), durationNs: 20e6 };
    expect(snapshot({ ...options, driver: aqm }, false).report.driverDrops.aqm).toBeGreaterThan(100);
    expectSame({ ...options, driver: aqm });
    expectSame({ ...options, driver: { ...aqm, singleQueue: true } });
  });

  it('Tx and Rx sharing the pool: a buffer the stack stamped, then used for Rx, is stamped in full again', () => {
    const both: Scenario = {
      ...bulk('1g', 60, ['BK', 'VI']),
      name: 'golden-both',
      apps: [
        ...bulk('1g', 60, ['BK', 'VI']).apps,
        {
          ...rx('1g', 60).apps[0],
          traffic: { ...rx('1g', 60).apps[0].traffic, rateBps: 400e6 },
        } as Scenario['apps'][number],
      ],
    };
    expectSame({ scenario: both, durationNs: 10e6 });
  });

  it('a buffer someone else wrote between two Tx uses is stamped in full again (template reuse)', () => {
    // Every free buffer is taken, scribbled on and freed again, several times mid-run.
    const scribble = (m: Machine) => {
      for (const at of [20e6, 50e6, 80e6])
        m.scheduler.schedule(at, {
          onEvent: () => {
            const pool = m.driver.packetPool!;
            const taken: number[] = [];
            for (let h = pool.allocatePacket(); h >= 0; h = pool.allocatePacket()) taken.push(h);
            for (const h of taken) m.memory.u8.fill(0xee, pool.dataStart(h), pool.dataStart(h) + 128);
            // Freed in reverse, so the free stack is as before: the next Tx takes the same buffers.
            for (let i = taken.length - 1; i >= 0; i--) pool.DeallocatePacket(taken[i]);
          },
        });
    };
    expectSame({ scenario: scenario('home-office'), durationNs: 100e6, onBoot: scribble });
  });

  it('line-rate Rx, 64 B and 1518 B', () => {
    expectSame({ scenario: rx('10g', 60), durationNs: 3e6 });
    expectSame({ scenario: rx('10g', 1514), durationNs: 6e6 });
  });

  it('faults mid-run: reset, link flap, pause, DMA error, hang, lost interrupts', () => {
    expectSame({
      scenario: bulk('10g', 60, ['BK', 'VI']),
      durationNs: 40e6,
      faults: [
        'reset@3ms',
        'link-flap@8ms+2ms',
        'pause@14ms+1ms',
        'dma-error@18ms:q0',
        'tx-hang@24ms+3ms:q2',
        'lost-interrupts@30ms:50',
      ].map(parseFault),
    });
  });
});
