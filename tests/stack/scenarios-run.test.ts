import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appConfigsFromScenario, parseScenario } from '../../driver-runtime/stack/scenario.ts';
import { ParsedFrame } from '../../driver-runtime/net/parsed-frame.ts';
import { frameChecksumsValid } from '../../driver-runtime/net/parser.ts';
import {
  FRAME_INVALID,
  FRAME_IPV4_ICMP,
  FRAME_IPV4_UDP,
  parseFrameKind,
} from '../../driver-runtime/net/frame-kind.ts';
import { makeRig, runAndDrain } from './harness.ts';

const dir = join(import.meta.dirname, '../../scenarios');

function rigFor(file: string, extra: { tap?: boolean } = {}) {
  // Two 2 MiB send buffers of 1514 B frames need ~2,800 packets besides Rx buffers.
  const s = parseScenario(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
  return makeRig({
    apps: appConfigsFromScenario(s),
    link: s.link,
    seed: s.seed ?? 1,
    hostMac: s.host.mac,
    hostIp: s.host.ip,
    peerMac: s.peer.mac,
    peerIp: s.peer.ip,
    packetCount: 8192,
    ...extra,
  });
}

const MS = 1e6;

describe('shipped scenarios run on the loopback rig', () => {
  it('contention.json: the two bulk uploads saturate 1 GbE; everything is accounted for', () => {
    const rig = rigFor('contention.json');
    rig.stack.start();
    rig.scheduler.runUntil(20 * MS);
    const before = rig.partner.counters.fromNicBytes;
    const framesBefore = rig.partner.counters.fromNicFrames;
    rig.scheduler.runUntil(220 * MS);
    const bytes = rig.partner.counters.fromNicBytes - before;
    const frames = rig.partner.counters.fromNicFrames - framesBefore;
    const wireBits = (bytes + frames * 24) * 8;
    expect(wireBits / 0.2).toBeGreaterThan(0.99e9);
    expect(wireBits / 0.2).toBeLessThanOrEqual(1e9 * 1.0001);
    const [call, game, web, b1, b2] = rig.stack.allAppStats();
    expect(call.serviceClassName).toBe('VO');
    expect(game.serviceClassName).toBe('VI');
    expect(web.serviceClassName).toBe('BE');
    expect(b1.txCompleted + b2.txCompleted).toBeGreaterThan(0);
    // Both uploads progress (FIFO fake driver: roughly fair between them).
    expect(
      Math.min(b1.txCompletedBytes, b2.txCompletedBytes) / Math.max(b1.txCompletedBytes, b2.txCompletedBytes),
    ).toBeGreaterThan(0.5);
    expect(b1.maxOutstandingBytes).toBeLessThanOrEqual(2097152);
    // The interactive apps kept their rates (they may lose packets to a full queue, counted).
    for (const s of [call, game]) expect(s.txSent).toBeGreaterThan(0);
    runAndDrain(rig, 221 * MS);
    const acc = rig.stack.accounting();
    expect(acc.sent).toBe(acc.enqueued + acc.drops);
    expect(acc.enqueued).toBe(acc.onWire + acc.errors);
    expect(rig.pool.inUse).toBe(rig.stack.counters.rxBuffersPosted);
  });

  it('home-office.json: every app does its thing; the capture holds valid frames in both directions', () => {
    const rig = rigFor('home-office.json', { tap: true });
    rig.stack.start();
    runAndDrain(rig, 500 * MS);
    const stats = rig.stack.allAppStats();
    const byName = new Map(stats.map((s) => [s.name, s]));
    expect(byName.get('FaceTime')!.txCompleted).toBeGreaterThan(100);
    expect(byName.get('Safari')!.txCompleted).toBeGreaterThan(0);
    expect(byName.get('Time Machine')!.txCompletedBytes).toBeGreaterThan(40e6); // ≈ line rate minus the rest
    expect(byName.get('Music')!.rxPackets).toBeGreaterThan(10);
    const ping = byName.get('ping')!;
    expect(ping.pingReplies).toBeGreaterThan(3);
    expect(ping.pingReplies).toBe(ping.pingSent);
    expect(byName.get('Slack')!.teamId).toBe('BQR82RBBHL');
    expect(rig.stack.counters.txNoTimestamp).toBe(0);

    // Walk the pcap: header, then records; every IPv4 frame verifies.
    const pcap = rig.tap!.bytes();
    const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
    expect(v.getUint32(0, true)).toBe(0xa1b23c4d);
    expect(v.getUint16(4, true)).toBe(2);
    expect(v.getUint16(6, true)).toBe(4);
    expect(v.getUint32(20, true)).toBe(1);
    const p = new ParsedFrame();
    let pos = 24;
    let records = 0;
    let lastT = 0;
    let ipv4 = 0;
    while (pos < pcap.length) {
      const t = v.getUint32(pos, true) * 1e9 + v.getUint32(pos + 4, true);
      const cap = v.getUint32(pos + 8, true);
      expect(v.getUint32(pos + 12, true)).toBe(cap);
      expect(v.getUint32(pos + 4, true)).toBeLessThan(1e9);
      expect(t + 1e-3).toBeGreaterThanOrEqual(lastT - 20_000); // two directions interleave, roughly in order
      lastT = Math.max(lastT, t);
      const kind = parseFrameKind(pcap, pos + 16, cap, p);
      expect(kind).not.toBe(FRAME_INVALID);
      if (kind >= FRAME_IPV4_UDP && kind <= FRAME_IPV4_ICMP) {
        ipv4++;
        expect(frameChecksumsValid(pcap, p)).toBe(true);
      }
      pos += 16 + cap;
      records++;
    }
    expect(records).toBe(rig.tap!.txFrames + rig.tap!.rxFrames);
    expect(rig.tap!.txFrames).toBe(rig.partner.counters.fromNicFrames);
    expect(rig.tap!.rxFrames).toBe(rig.partner.counters.toNicFrames);
    expect(ipv4).toBeGreaterThan(1000);
  });
});
