/**
 * Scheduler policies end to end (driver + NIC): DRR shares, strict priority with a
 * starvation-guard floor, per-queue maximum rate, and policy / rule changes while traffic
 * flows — none of which may lose or reorder the accounting.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import type { Scenario } from '../../driver-runtime/stack/scenario.ts';
import { levelToQueue, type RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import { ParsedFrame } from '../../driver-runtime/net/parsed-frame.ts';
import { parseFrame } from '../../driver-runtime/net/parser.ts';
import { IPPROTO_TCP } from '../../driver-runtime/net/constants.ts';
import { parseIpv4 } from '../../driver-runtime/net/ipv4-address.ts';

/** Four greedy senders, one per hardware queue by service class (BK→0, BE→1, VI→2, VO→3). */
function fourBulk(): Scenario {
  const classes = ['BK', 'BE', 'VI', 'VO'] as const;
  return {
    name: 'four-bulk',
    description: 'one saturating sender per queue',
    link: '1g',
    seed: 5,
    host: { mac: '3c:22:fb:10:20:31', ip: '10.0.0.2' },
    peer: { mac: 'a4:91:b1:00:00:02', ip: '10.0.0.1' },
    apps: classes.map((serviceClass, q) => ({
      name: `bulk-q${q}`,
      bundleId: `test.bulk${q}`,
      executablePath: `/Applications/Bulk${q}.app/Contents/MacOS/bulk`,
      pid: 300 + q,
      serviceClass,
      traffic: {
        kind: 'bulk',
        protocol: 'tcp',
        packetBytes: 1514,
        sndbufBytes: 1 << 20,
        srcPort: 41000 + q,
        dstPort: 443,
      },
    })),
  };
}

/** Records, for every TCP frame the NIC sends, its source port, IP id and Tx queue. */
function spyOnWire(m: Machine): { port: number; ipId: number; queue: number }[] {
  const frames: { port: number; ipId: number; queue: number }[] = [];
  const p = new ParsedFrame();
  m.nic.connectWire({
    frameFromNic: (frame, offset, length, sfd, queue) => {
      parseFrame(frame, offset, length, p);
      if (p.proto === IPPROTO_TCP) frames.push({ port: p.srcPort, ipId: p.ipId, queue });
      m.partner.frameFromNic(frame, offset, length, sfd, queue);
    },
  });
  return frames;
}

function wireShares(m: Machine, fromBytes: number[]): number[] {
  const bytes = Array.from(m.driver.stats.txBytes, (b, q) => b - fromBytes[q]);
  const total = bytes.reduce((a, b) => a + b, 0);
  return bytes.map((b) => b / total);
}

function measure(m: Machine, warmNs: number, runNs: number): number[] {
  m.run(warmNs);
  const start = Array.from(m.driver.stats.txBytes);
  m.run(runNs);
  return wireShares(m, start);
}

describe('scheduler policies', () => {
  it('DRR with weights 1:2:3:4 gives byte shares within ±2 % of 10/20/30/40 %', () => {
    const m = Machine.boot({
      scenario: fourBulk(),
      driver: { txScheduler: 'drr', drrQuanta: [1514, 3028, 4542, 6056] },
    });
    const shares = measure(m, 200e6, 1e9);
    [0.1, 0.2, 0.3, 0.4].forEach((want, q) => expect(Math.abs(shares[q] - want)).toBeLessThan(0.02));
    expect(m.shutdown().liveObjects).toBe(0);
  });

  it('strict priority starves lower queues; the floor guarantees Queue 0 at least 1/16 of the link', () => {
    const sp = Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'sp' } });
    const starved = measure(sp, 200e6, 3.5e9);
    expect(starved[3]).toBeGreaterThan(0.99);
    expect(starved[0]).toBeLessThan(0.001);
    // Starved by policy is not hung: seconds without progress, yet no hang report, no reset.
    expect(sp.driver.hangsDetected).toBe(0);
    expect(sp.driver.resets).toBe(0);
    sp.shutdown();
    const guarded = Machine.boot({
      scenario: fourBulk(),
      driver: { txScheduler: 'sp', floors: [1 / 16, 0, 0, 0] },
    });
    const shares = measure(guarded, 200e6, 1e9);
    expect(shares[0]).toBeGreaterThanOrEqual(1 / 16 - 0.005);
    expect(shares[0]).toBeLessThan(1 / 16 + 0.02);
    expect(shares[3]).toBeGreaterThan(0.9);
    guarded.shutdown();
  });

  it('a per-queue maximum rate caps that queue and the rest is work-conserving', () => {
    const m = Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'sp', maxBps: [0, 0, 0, 200e6] } });
    m.run(200e6);
    const start = Array.from(m.driver.stats.txBytes);
    m.run(1e9);
    const q3Bits = (m.driver.stats.txBytes[3] - start[3]) * 8;
    // The limiter counts wire bytes (frame + FCS + preamble + IFG): 1538 per 1514-byte frame.
    expect(q3Bits * (1538 / 1514)).toBeGreaterThan(200e6 * 0.98);
    expect(q3Bits * (1538 / 1514)).toBeLessThan(200e6 * 1.02);
    expect(wireShares(m, start)[2]).toBeGreaterThan(0.75); // Queue 2 takes what Queue 3 may not
    m.shutdown();
  });

  it('policies and rule sets change while traffic flows, atomically and without losing a packet', () => {
    const m = Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'sp' } });
    const wire = spyOnWire(m);
    m.run(100e6);
    expect(m.client.setTxPolicy({ txScheduler: 'drr', drrQuanta: [1514, 1514, 1514, 1514] })).toBe(0);
    m.run(50e6);
    // Send every app to Queue 0 by rule, mid-flight. The cut in each app's stream: the first
    // packet the driver has not drained yet (the submission queue is empty between events;
    // a bulk app's held packets are not submitted yet). IP ids number each app's packets.
    const cut = m.stack.apps.map((a) => (a.ipId - a.heldCount) & 0xffff);
    const gen0 = m.client.info().settingsGeneration;
    const allLow: RuleSet = {
      version: 1,
      rules: [{ id: 'all-low', match: { path: '/Applications/*' }, priority: 'low', enabled: true }],
    };
    m.setRules(allLow);
    expect(m.client.info().settingsGeneration).toBe(gen0 + 1);
    m.run(300e6);
    // Atomic: every app's packets before its cut used its old queue, every one after it Queue 0.
    m.stack.apps.forEach((app, i) => {
      const frames = wire.filter((f) => f.port === app.profile.srcPort);
      const before = frames.filter((f) => ((f.ipId - cut[i]) & 0xffff) >= 0x8000);
      const after = frames.filter((f) => ((f.ipId - cut[i]) & 0xffff) < 0x8000);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      for (const f of before) expect(f.queue).toBe(i);
      for (const f of after) expect(f.queue).toBe(levelToQueue('low'));
    });
    // Bad policies are refused whole and change nothing.
    const policyBefore = m.driver.txPolicy;
    expect(m.within(() => m.driver.setTxPolicy({ floors: [0.6, 0.6, 0, 0] }))).not.toBe(0);
    expect(m.driver.txPolicy).toBe(policyBefore);
    expect(m.driver.txPolicy.floors).toEqual([0, 0, 0, 0]);
    m.drain();
    const acc = m.stack.accounting();
    expect(acc.inFlight).toBe(0);
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors);
    expect(m.shutdown()).toMatchObject({ liveObjects: 0, poolPacketsInUse: 0, hostAllocations: 0 });
  });

  it('removing a cap releases what it held, in order, and nothing is stuck', () => {
    const capped: RuleSet = {
      version: 1,
      rules: [{ id: 'cap', match: { bundleId: 'test.bulk0' }, priority: 'low', capBps: 10e6, enabled: true }],
    };
    const m = Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'drr' }, rules: capped });
    const wire = spyOnWire(m);
    m.run(300e6);
    const held = m.client.stats().heldPackets;
    expect(held).toBeGreaterThan(0);
    m.setRules({ version: 1, rules: [] });
    expect(m.client.stats().heldPackets).toBe(0);
    m.run(100e6);
    m.drain();
    const acc = m.stack.accounting();
    expect(acc.inFlight).toBe(0);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors);
    // In order: the capped app's packets reached the wire in the order it sent them, before
    // and after the cap went away; the only gaps are packets the driver dropped and said so.
    const ids = wire.filter((f) => f.port === m.stack.apps[0].profile.srcPort).map((f) => f.ipId);
    expect(ids.length).toBeGreaterThan(held);
    let missing = 0;
    for (let i = 1; i < ids.length; i++) {
      const step = (ids[i] - ids[i - 1]) & 0xffff;
      expect(step).toBeGreaterThanOrEqual(1);
      expect(step).toBeLessThan(0x8000);
      missing += step - 1;
    }
    expect(missing).toBe(m.stack.appStats(1).txErrors);
    m.shutdown();
  });

  it('refuses DRR with every quantum 0 (it would never send) at Start and at run time', () => {
    const m = Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'sp' } });
    expect(m.within(() => m.driver.setTxPolicy({ txScheduler: 'drr', drrQuanta: [0, 0, 0, 0] }))).not.toBe(0);
    expect(m.driver.options.txScheduler).toBe('sp');
    m.shutdown();
    expect(() =>
      Machine.boot({ scenario: fourBulk(), driver: { txScheduler: 'drr', drrQuanta: [0, 0, 0, 0] } }),
    ).toThrow(/driver Start failed: kIOReturnBadArgument/);
  });

  it('apps sharing a queue share it fairly (DRR between apps), and a sparse app is not stuck behind a greedy one', () => {
    const allLow: RuleSet = {
      version: 1,
      rules: [{ id: 'all-low', match: { path: '/Applications/*' }, priority: 'low', enabled: true }],
    };
    const m = Machine.boot({ scenario: fourBulk(), rules: allLow });
    m.run(200e6);
    const before = m.stack.allAppStats().map((a) => a.txCompletedBytes);
    m.run(1e9);
    const got = m.stack.allAppStats().map((a, i) => a.txCompletedBytes - before[i]);
    const total = got.reduce((a, b) => a + b, 0);
    for (const g of got) expect(Math.abs(g / total - 0.25)).toBeLessThan(0.01);
    m.shutdown();
  });

  it('explain(packet) walks from what the driver sees (5-tuple, service class) to its queue, with the cap step', () => {
    const rules: RuleSet = {
      version: 1,
      rules: [
        { id: 'q3-low', match: { bundleId: 'test.bulk3' }, priority: 'low', capBps: 50e6, enabled: true },
      ],
    };
    const m = Machine.boot({ scenario: fourBulk(), rules });
    m.run(5e6);
    const host = parseIpv4('10.0.0.2');
    const peer = parseIpv4('10.0.0.1');
    const explain = (localPort: number, serviceClass: number) =>
      m.client.explainPacket({
        protocol: 6,
        serviceClass,
        localIp: host,
        remoteIp: peer,
        localPort,
        remotePort: 443,
      });
    const slot = m.agent.slotOf(m.apps[3]);
    const ruled = explain(41003, 800); // bulk-q3: VO by class, Low by rule, capped
    expect(ruled[0]).toBe('packet: TCP 10.0.0.2:41003 → 10.0.0.1:443, service class 800');
    expect(ruled[1]).toMatch(new RegExp(`flow table: flow \\d+ → slot ${slot} \\(test\\.bulk3\\)`));
    expect(ruled[2]).toMatch(new RegExp(`slot ${slot} \\(test\\.bulk3\\) → Queue 0 \\(rule q3-low\\)`));
    expect(ruled[3]).toMatch(/capped at 50 Mb\/s/);
    const byDefault = explain(41002, 700); // bulk-q2: no rule, VI folds to Queue 2
    expect(byDefault.at(-1)).toBe('default: service class 700 folds to Queue 2 (xnu 10 → 4)');
    const unknown = explain(9, 200); // a flow nobody reported
    expect(unknown[1]).toMatch(/no entry/);
    expect(unknown.at(-1)).toBe('default: service class 200 folds to Queue 0 (xnu 10 → 4)');
    m.shutdown();
  });
});
