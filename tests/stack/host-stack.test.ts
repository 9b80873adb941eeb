import { describe, expect, it } from 'vitest';
import {
  kIOUserNetworkLinkStatusActive,
  kIOUserNetworkLinkStatusInactive,
  kIOUserNetworkMediaEthernet1000BaseT,
  kIOUserNetworkMediaEthernetNone,
} from '../../driver-runtime/networking/constants.ts';
import { ParsedFrame } from '../../driver-runtime/net/parsed-frame.ts';
import { frameChecksumsValid } from '../../driver-runtime/net/parser.ts';
import { FRAME_ARP, FRAME_IPV4_UDP, parseFrameKind } from '../../driver-runtime/net/frame-kind.ts';
import {
  bulkApp,
  burstyApp,
  constantApp,
  makeRig,
  pingApp,
  receiveApp,
  runAndDrain,
  type Rig,
} from './harness.ts';

const MS = 1e6;
const SECOND = 1e9;

/** Every invariant that must hold after stop + drain. */
function expectConserved(rig: Rig): void {
  const { stack, pool, partner } = rig;
  const acc = stack.accounting();
  // Nothing in flight, nothing held.
  expect(acc.inFlight).toBe(0);
  expect(acc.held).toBe(0);
  // sent = enqueued + drops; enqueued = on wire + errors.
  expect(acc.sent).toBe(acc.enqueued + acc.drops);
  expect(acc.enqueued).toBe(acc.onWire + acc.errors);
  // On the wire = what the partner saw: sunk data + answered pings + ARP (the system's).
  expect(partner.counters.fromNicFrames).toBe(acc.onWire);
  const pc = partner.counters;
  expect(pc.sunkFrames + pc.echoRequests + pc.arpRequests).toBe(acc.onWire);
  let appsSent = 0;
  let appsDrops = 0;
  for (const s of stack.allAppStats()) {
    appsSent += s.txSent;
    appsDrops += s.txDropQueueFull + s.txDropPoolEmpty + s.txDropInterfaceDown + s.txErrors;
  }
  expect(appsSent).toBe(pc.sunkFrames + pc.echoRequests + appsDrops);
  expect(partner.counters.badChecksum).toBe(0);
  expect(partner.counters.invalid).toBe(0);
  // Per app: sent = sunk (or echoed) + counted drops + errors.
  for (const s of stack.allAppStats()) {
    expect(s.txSent).toBe(s.txEnqueued + s.txDropQueueFull + s.txDropPoolEmpty + s.txDropInterfaceDown);
    expect(s.txEnqueued).toBe(s.txCompleted + s.txErrors);
    expect(s.outstandingPackets).toBe(0);
    expect(s.outstandingBytes).toBe(0);
    // Every completed packet came back with its wire time (the driver's record of it).
    expect(stack.counters.txNoTimestamp).toBe(0);
    // Per app: what reached the partner is exactly what completed (UDP/TCP by host port).
    const t = stack.app(s.appId)!.profile;
    if (t.kind !== 'ping' && t.kind !== 'receive') {
      expect(partner.sinkPacketsBySrcPort[t.srcPort]).toBe(s.txCompleted);
      expect(partner.sinkBytesBySrcPort[t.srcPort]).toBe(s.txCompletedBytes);
    }
  }
  expect(stack.counters.txNoTimestamp).toBe(0);
  // Every packet is back in its pool, except the Rx buffers the driver holds.
  expect(pool.inUse).toBe(stack.counters.rxBuffersPosted);
}

describe('HostStack with a loopback driver and link partner', () => {
  it('resolves the peer by ARP before any app sends', () => {
    const rig = makeRig({ apps: [constantApp('call', 100, 1e6, 500)] });
    rig.stack.start();
    const seen: number[] = [];
    const p = new ParsedFrame();
    const inner = rig.partner;
    rig.driver.peer = {
      frameFromNic(frame, off, len, t, q) {
        seen.push(parseFrameKind(frame, off, len, p));
        inner.frameFromNic(frame, off, len, t, q);
      },
    };
    rig.scheduler.runUntil(10 * MS);
    expect(rig.stack.peerMac).toBe(rig.partner.mac);
    expect(rig.stack.counters.arpRequestsSent).toBe(1);
    expect(rig.partner.counters.arpRequests).toBe(1);
    expect(rig.partner.hostMac).toBe(rig.stack.hostMac);
    expect(seen[0]).toBe(FRAME_ARP);
    expect(seen.slice(1).every((k) => k === FRAME_IPV4_UDP)).toBe(true); // then UDP only
    expect(seen.length).toBeGreaterThan(2);
    // ARP is accounted to the system (app 0).
    expect(rig.stack.appStats(0).txCompleted).toBe(1);
  });

  it('pings the partner and measures RTTs', () => {
    const rig = makeRig({ apps: [pingApp('ping', 4242, 10 * MS)] });
    rig.stack.start();
    runAndDrain(rig, SECOND);
    const s = rig.stack.appStats(1);
    expect(s.pingSent).toBeGreaterThanOrEqual(99);
    expect(s.pingReplies).toBe(s.pingSent);
    expect(rig.partner.counters.echoRequests).toBe(s.pingSent);
    expect(s.rtt.count).toBe(s.pingSent);
    // Request 98 B + reply 98 B at 1 Gb/s: ≈ 2 × (98 + 12) × 8 ns plus nothing else queued.
    expect(s.rtt.min).toBeGreaterThan(1000);
    expect(s.rtt.max).toBeLessThan(10_000);
    expectConserved(rig);
  });

  it('a constant-rate app sends rate·duration/(8·size) packets (±1), paced', () => {
    const rate = 2.5e6;
    const size = 1100;
    const dur = 2 * SECOND;
    const rig = makeRig({
      apps: [
        constantApp('facetime', 812, rate, size, {
          traffic: {
            kind: 'constant',
            protocol: 'udp',
            rateBps: rate,
            packetBytes: size,
            startNs: 0,
            stopNs: dur,
            srcPort: 16402,
            dstPort: 3478,
          },
        }),
      ],
    });
    rig.stack.start();
    runAndDrain(rig, dur + 100 * MS);
    const s = rig.stack.appStats(1);
    // Activation waits for ARP (a few µs), so the app runs for dur minus that.
    const activeNs = dur - rig.stack.counters.arpResolvedAtNs;
    const expected = (rate * activeNs) / 1e9 / (8 * size);
    expect(Math.abs(s.txSent - expected)).toBeLessThanOrEqual(1);
    expect(s.txCompleted).toBe(s.txSent);
    expect(rig.partner.sinkPackets[3478]).toBe(s.txSent);
    expect(rig.partner.sinkBytes[3478]).toBe(s.txSent * size);
    expectConserved(rig);
  });

  it('a bulk app never exceeds its send buffer and saturates a 1 Gb/s link', () => {
    const sndbuf = 64 * 1514;
    const rig = makeRig({ apps: [bulkApp('backup', 377, sndbuf)] });
    rig.stack.start();
    let maxOut = 0;
    const app = rig.stack.app(1)!;
    const probe = {
      onEvent: () => {
        maxOut = Math.max(maxOut, app.counters.outstandingBytes);
        if (rig.scheduler.now < SECOND) rig.scheduler.after(10_000, probe, 0);
      },
    };
    rig.scheduler.after(0, probe, 0);
    rig.scheduler.runUntil(SECOND);
    const s = rig.stack.appStats(1);
    expect(s.maxOutstandingBytes).toBeLessThanOrEqual(sndbuf);
    expect(maxOut).toBeLessThanOrEqual(sndbuf);
    expect(s.txDropQueueFull + s.txDropPoolEmpty + s.txDropInterfaceDown).toBe(0);
    // Line rate for 1514 B frames at 1 Gb/s: 1e9 / ((1514 + 24) · 8) ≈ 81,274 fps.
    const lineRate = 1e9 / ((1514 + 24) * 8);
    expect(s.txCompleted).toBeGreaterThan(lineRate * 0.99);
    expect(s.txCompleted).toBeLessThanOrEqual(Math.ceil(lineRate) + 1);
    rig.stack.stop();
    rig.scheduler.runUntil(2 * SECOND);
    expectConserved(rig);
  });

  it('a bulk app with a send buffer larger than the queue holds packets and never drops', () => {
    const rig = makeRig({
      apps: [bulkApp('backup', 377, 4 * 1024 * 1024)],
      txQueueCapacity: 64,
      ringSize: 32,
    });
    rig.stack.start();
    rig.scheduler.runUntil(200 * MS);
    const s = rig.stack.appStats(1);
    expect(s.txStalls).toBeGreaterThan(0);
    expect(s.txDropQueueFull + s.txDropPoolEmpty).toBe(0);
    expect(s.txCompleted).toBeGreaterThan(0.99 * (0.2e9 / ((1514 + 24) * 8)));
    // Refused by the full queue and kept: freed unsent, and counted, when the app stops.
    expect(s.heldPackets).toBeGreaterThan(0);
    rig.stack.stop();
    rig.scheduler.runUntil(SECOND);
    expectConserved(rig);
    expect(rig.stack.appStats(1).txUnsentAtStop).toBe(s.heldPackets);
  });

  it('counts queue-full drops for non-bulk apps and keeps sent = on wire + drops', () => {
    // Bursts of 200 into a 64-deep queue with a 16-deep fake ring.
    const rig = makeRig({
      apps: [burstyApp('web', 944, 200, 5 * MS), bulkApp('backup', 377, 1 << 20)],
      txQueueCapacity: 64,
      ringSize: 16,
    });
    rig.stack.start();
    runAndDrain(rig, 300 * MS);
    const web = rig.stack.appStats(1);
    expect(web.txDropQueueFull).toBeGreaterThan(0);
    expect(web.txSent).toBe(
      rig.partner.sinkPackets[443] - rig.stack.appStats(2).txCompleted + web.txDropQueueFull,
    );
    expectConserved(rig);
  });

  it('counts interface-down drops when the Tx submission queue is disabled', () => {
    const rig = makeRig({ apps: [constantApp('call', 100, 8e6, 1000), bulkApp('backup', 377, 1 << 18)] });
    rig.stack.start();
    rig.scheduler.runUntil(50 * MS);
    rig.txs.SetEnable(false);
    rig.scheduler.runUntil(100 * MS);
    rig.txs.SetEnable(true);
    runAndDrain(rig, 150 * MS);
    const call = rig.stack.appStats(1);
    expect(call.txDropInterfaceDown).toBeGreaterThan(0);
    expect(rig.stack.appStats(2).txStalls).toBeGreaterThan(0);
    expectConserved(rig);
  });

  it('counts Tx completions with an error status', () => {
    const rig = makeRig({ apps: [constantApp('call', 100, 8e6, 1000)], errorEvery: 10 });
    rig.stack.start();
    runAndDrain(rig, 100 * MS);
    const s = rig.stack.appStats(1);
    expect(s.txErrors).toBeGreaterThan(0);
    expect(rig.partner.sinkPackets[3478]).toBe(s.txCompleted);
    expectConserved(rig);
  });

  it('receives a flow sourced by the partner at its rate', () => {
    const rate = 50e6;
    const rig = makeRig({ apps: [receiveApp('music', 1201, rate, 50400)] });
    rig.stack.start();
    runAndDrain(rig, SECOND);
    const s = rig.stack.appStats(1);
    const expected = rate / (8 * 1400);
    expect(s.rxPackets).toBeGreaterThan(expected * 0.99);
    expect(s.rxPackets).toBeLessThan(expected * 1.01);
    expect(rig.stack.counters.rxBadChecksum).toBe(0);
    expect(rig.driver.rxNoBuffer).toBe(0);
    expect(s.rxPackets).toBe(rig.partner.counters.flowFrames);
    // Every received frame has an Rx wait sample (fake NIC stamps arrival; the reap is an event later).
    expect(s.rxLatency.count).toBe(s.rxPackets);
    expect(s.rxLatency.max).toBeLessThan(10_000);
    expectConserved(rig);
  });

  it('sources at most line rate toward the NIC, and replies queue behind sourced frames', () => {
    // Two flows asking for 1.5 Gb/s on a 1 Gb/s link, plus pings.
    const rig = makeRig({
      apps: [receiveApp('a', 1, 750e6, 50001), receiveApp('b', 2, 750e6, 50002), pingApp('ping', 3, 10 * MS)],
      rxBuffers: 256,
    });
    rig.stack.start();
    const t0 = 10 * MS;
    rig.scheduler.runUntil(t0);
    const b0 = rig.partner.counters.toNicBytes;
    const f0 = rig.partner.counters.toNicFrames;
    rig.scheduler.runUntil(t0 + SECOND);
    const bytes = rig.partner.counters.toNicBytes - b0;
    const frames = rig.partner.counters.toNicFrames - f0;
    const wireBits = (bytes + frames * 24) * 8;
    expect(wireBits).toBeLessThanOrEqual(1e9 + 1538 * 8);
    expect(wireBits).toBeGreaterThan(0.99e9);
    const ping = rig.stack.appStats(3);
    expect(ping.pingReplies).toBeGreaterThan(90);
    // The reply queues behind the sourced frames already due (a flow that fell behind keeps
    // no debt, so at most one frame per flow) but is never starved.
    const frameNs = (1400 + 24) * 8;
    expect(ping.rtt.min).toBeGreaterThan(frameNs / 2);
    expect(ping.rtt.max).toBeLessThan(4 * frameNs + 2 * (98 + 24) * 8 + 1000);
    runAndDrain(rig, t0 + SECOND + 1);
    expectConserved(rig);
  });

  it('every frame on the wire parses with valid IPv4/UDP/TCP/ICMP checksums', () => {
    const rig = makeRig({
      apps: [
        constantApp('call', 100, 2e6, 1100, { vlanPcp: 5 }),
        burstyApp('web', 944, 10, 10 * MS),
        bulkApp('backup', 377, 1 << 17),
        bulkApp('udpbulk', 378, 1 << 16, 700, 'udp'),
        pingApp('ping', 4242, 10 * MS),
        receiveApp('music', 1201, 1e6, 50400),
      ],
    });
    const p = new ParsedFrame();
    let checked = 0;
    let bad = 0;
    let tagged = 0;
    const inner = rig.partner;
    rig.driver.peer = {
      frameFromNic(frame, off, len, t, q) {
        const k = parseFrameKind(frame, off, len, p);
        if (k !== FRAME_ARP) {
          checked++;
          if (!frameChecksumsValid(frame, p)) bad++;
          if (p.hasVlan) {
            tagged++;
            expect([p.vlanPcp, p.vlanDei, p.vlanVid]).toEqual([5, false, 0]);
          }
        }
        inner.frameFromNic(frame, off, len, t, q);
      },
    };
    rig.stack.start();
    runAndDrain(rig, 100 * MS);
    expect(checked).toBeGreaterThan(1000);
    expect(bad).toBe(0);
    expect(tagged).toBe(rig.stack.appStats(1).txCompleted);
    expectConserved(rig);
  });

  it('is deterministic: same seed, same counters', () => {
    const run = (seed: number) => {
      const rig = makeRig({
        apps: [
          burstyApp('web', 944, 8, 3 * MS),
          bulkApp('backup', 377, 1 << 17),
          pingApp('ping', 4242, 5 * MS),
          receiveApp('m', 5, 20e6, 50400),
        ],
        seed,
      });
      rig.stack.start();
      runAndDrain(rig, 200 * MS);
      return JSON.stringify({
        apps: rig.stack.allAppStats(),
        stack: rig.stack.counters,
        partner: rig.partner.counters,
      });
    };
    const a = run(11);
    expect(run(11)).toBe(a);
    expect(run(12)).not.toBe(a);
  });
});

describe('HostStack app lifetimes and resource exhaustion', () => {
  it('honours startNs/stopNs', () => {
    const cfg = constantApp('call', 100, 8e6, 1000);
    cfg.traffic = { ...cfg.traffic, startNs: 100 * MS, stopNs: 200 * MS } as typeof cfg.traffic;
    const rig = makeRig({ apps: [cfg] });
    let first = Infinity;
    let last = 0;
    const inner = rig.partner;
    rig.driver.peer = {
      frameFromNic(frame, off, len, t, q) {
        if (len > 60) {
          first = Math.min(first, t[0]);
          last = Math.max(last, t[0]);
        }
        inner.frameFromNic(frame, off, len, t, q);
      },
    };
    rig.stack.start();
    runAndDrain(rig, 400 * MS);
    expect(first).toBeGreaterThanOrEqual(100 * MS);
    expect(last).toBeLessThan(200 * MS + 20_000);
    expect(Math.abs(rig.stack.appStats(1).txSent - 100)).toBeLessThanOrEqual(1); // 8 Mb/s of 1000 B = 1000 pps for 100 ms
    expectConserved(rig);
  });

  it('counts pool-empty drops when a bulk sender has taken the pool', () => {
    const rig = makeRig({
      apps: [bulkApp('hog', 377, 1 << 24), constantApp('call', 100, 8e6, 1000)],
      packetCount: 160,
      rxBuffers: 32,
      txQueueCapacity: 1024,
      ringSize: 16,
    });
    rig.stack.start();
    runAndDrain(rig, 100 * MS);
    const hog = rig.stack.appStats(1);
    const call = rig.stack.appStats(2);
    expect(call.txDropPoolEmpty).toBeGreaterThan(0);
    expect(hog.txDropPoolEmpty).toBe(0); // a bulk sender waits instead
    expect(hog.txStalls).toBeGreaterThan(0);
    expectConserved(rig);
  });
});

describe('HostStack configuration errors', () => {
  it('refuses two apps on one host port or one ICMP echo id', () => {
    expect(() => makeRig({ apps: [constantApp('a', 100, 1e6, 500), bulkApp('b', 100, 1 << 16)] })).toThrow(
      'HostStack: app "b": host port 40100 is already used by app "a"',
    );
    expect(() => makeRig({ apps: [pingApp('p1', 7, MS), pingApp('p2', 7, MS)] })).toThrow(
      /ICMP echo id .* 7 is already used by app "p1"/,
    );
  });
});

describe('HostStack bursts and interface bring-up', () => {
  it('sends bursts larger than one internal burst (64) whole', () => {
    const rig = makeRig({ apps: [burstyApp('web', 944, 200, 5 * MS)], txQueueCapacity: 1024 });
    rig.stack.start();
    runAndDrain(rig, 100 * MS);
    const s = rig.stack.appStats(1);
    expect(s.txSent).toBeGreaterThan(200);
    expect(s.txSent % 200).toBe(0);
    expect(s.txDropQueueFull).toBe(0);
    expectConserved(rig);
  });

  it('started before the driver enables its queues: linkStatusChanged() posts Rx and resolves ARP at once', () => {
    const rig = makeRig({ apps: [pingApp('ping', 4242, 10 * MS)] });
    const q = rig.iface.registeredQueues!;
    q.txSubmission.SetEnable(false);
    q.rxSubmission.SetEnable(false);
    rig.stack.start();
    rig.scheduler.runUntil(5 * MS);
    expect(rig.stack.counters.rxBuffersPosted).toBe(0);
    expect(rig.stack.appStats(0).txDropInterfaceDown).toBe(1); // the first ARP request
    q.txSubmission.SetEnable(true);
    q.rxSubmission.SetEnable(true);
    rig.stack.linkStatusChanged();
    rig.scheduler.runUntil(6 * MS);
    expect(rig.stack.counters.rxBuffersPosted).toBe(rig.stack.rxTarget);
    expect(rig.stack.counters.arpResolvedAtNs).toBeGreaterThan(5 * MS);
    expect(rig.stack.counters.arpResolvedAtNs).toBeLessThan(6 * MS);
    runAndDrain(rig, 100 * MS);
    expect(rig.stack.appStats(1).pingReplies).toBeGreaterThan(5);
    expectConserved(rig);
  });
});

describe('HostStack and the link status the driver reports', () => {
  it('a link never reported is down: nothing is sent until the driver reports it active', () => {
    const rig = makeRig({ apps: [constantApp('call', 4243, 1e6, 200)], reportLink: false });
    rig.stack.start();
    rig.scheduler.runUntil(50 * MS);
    expect(rig.partner.counters.fromNicFrames).toBe(0);
    expect(rig.stack.appStats(0).txDropInterfaceDown).toBeGreaterThan(0); // ARP requests refused
    expect(rig.stack.counters.arpResolvedAtNs).toBe(-1);
    rig.iface.ReportLinkStatus(kIOUserNetworkLinkStatusActive, kIOUserNetworkMediaEthernet1000BaseT);
    rig.scheduler.runUntil(51 * MS);
    expect(rig.stack.counters.arpResolvedAtNs).toBeGreaterThanOrEqual(50 * MS);
    runAndDrain(rig, 100 * MS);
    expect(rig.stack.appStats(1).txCompleted).toBeGreaterThan(0);
    expectConserved(rig);
  });

  it('a link reported inactive stops new traffic at once; active again resumes it', () => {
    const rig = makeRig({ apps: [constantApp('call', 4244, 1e6, 200)] });
    rig.stack.start();
    rig.scheduler.runUntil(20 * MS);
    rig.iface.ReportLinkStatus(kIOUserNetworkLinkStatusInactive, kIOUserNetworkMediaEthernetNone);
    const before = rig.partner.counters.fromNicFrames;
    rig.scheduler.runUntil(40 * MS);
    expect(rig.partner.counters.fromNicFrames - before).toBeLessThanOrEqual(1); // one in flight at most
    expect(rig.stack.appStats(1).txDropInterfaceDown).toBeGreaterThan(0);
    rig.iface.ReportLinkStatus(kIOUserNetworkLinkStatusActive, kIOUserNetworkMediaEthernet1000BaseT);
    const resumed = rig.partner.counters.fromNicFrames;
    runAndDrain(rig, 60 * MS);
    expect(rig.partner.counters.fromNicFrames).toBeGreaterThan(resumed);
    expectConserved(rig);
  });
});

describe('HostStack answers the partner', () => {
  it('replies to ARP requests and ICMP echo requests for its own address', () => {
    const rig = makeRig({ apps: [pingApp('ping', 4242, 50 * MS)] });
    rig.stack.start();
    rig.scheduler.runUntil(MS);
    expect(rig.partner.arpForHost()).toBe(true);
    for (let i = 0; i < 5; i++) expect(rig.partner.pingHost(77, i)).toBe(true);
    runAndDrain(rig, 10 * MS);
    expect(rig.stack.counters.arpRepliesSent).toBe(1);
    expect(rig.partner.counters.arpRepliesIn).toBe(1);
    expect(rig.stack.counters.rxEchoRequests).toBe(5);
    expect(rig.stack.counters.echoRepliesSent).toBe(5);
    expect(rig.partner.counters.echoRepliesIn).toBe(5);
    expect(rig.partner.counters.badChecksum).toBe(0);
    const sys = rig.stack.appStats(0);
    expect(sys.name).toBe('kernel_task');
    expect(sys.txCompleted).toBe(1 + 1 + 5); // our ARP request, the ARP reply, 5 echo replies
    const acc = rig.stack.accounting();
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire);
    expect(rig.pool.inUse).toBe(rig.stack.counters.rxBuffersPosted);
  });
});
