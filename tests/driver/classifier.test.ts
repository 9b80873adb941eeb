/**
 * PacketClassifier: a packet's accounting slot comes from its 5-tuple in the flow table, its
 * hardware queue from the slot's setting or, failing that, from its service class folded
 * 10 → 4 as xnu's fq_codel does for driver-managed queues (fq_if_service_to_priority):
 * BK_SYS,BK → BK; BE,RD,OAM → BE; AV,RV,SIG,VI → VI; VO,CTL → VO, with NetLanes queues BK=0,
 * BE=1, VI=2, VO=3. The expectations below are literals, not calls into the fold.
 * Packets are real frames written into the pool's memory by net/'s builders.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { PacketClassifier } from '../../driver-runtime/driver/classifier.ts';
import type { IOUserNetworkPacketBufferPool } from '../../driver-runtime/networking/packet-buffer-pool.ts';
import { kIOReturnSuccess } from '../../driver-runtime/kit/io-return.ts';
import {
  ARP_OP_REQUEST,
  ICMP_ECHO_REQUEST,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAC_BROADCAST,
  TCP_ACK,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
  type VlanSpec,
} from '../../driver-runtime/net/index.ts';
import { makeDma } from './fixture.ts';

const HOST_MAC = 0x3c22fb102030;
const PEER_MAC = 0xa491b1000001;
const HOST_IP = 0xc0a80114; // 192.168.1.20
const PEER_IP = 0xc0a80101; // 192.168.1.1
const VLAN: VlanSpec = { pcp: 3, dei: false, vid: 7 };

/** [name, service class, expected hardware queue]. */
const FOLD: [string, number, number][] = [
  ['BK_SYS', 100, 0],
  ['BK', 200, 0],
  ['BE', 0, 1],
  ['RD', 300, 1],
  ['OAM', 400, 1],
  ['AV', 500, 2],
  ['RV', 600, 2],
  ['VI', 700, 2],
  ['SIG', 750, 2],
  ['VO', 800, 3],
  ['CTL', 900, 3],
];
/** abi QUEUE_BY_SERVICE_CLASS, written out. */
const BY_CLASS = 255;
const SLOTS = 8;

let pool: IOUserNetworkPacketBufferPool;
let u8: Uint8Array;
let handles: number[];
let c: PacketClassifier;

beforeEach(() => {
  const dma = makeDma(16);
  pool = dma.pool;
  u8 = dma.memory.u8;
  handles = dma.packets(8);
  c = new PacketClassifier(SLOTS, 64);
});

type Kind = 'udp' | 'tcp' | 'icmp' | 'arp';

/**
 * Writes a Tx frame (host → peer) into packet `i`'s buffer, `dataOffset` bytes in, and gives
 * it `serviceClass`; returns the handle.
 */
function packet(
  i: number,
  kind: Kind,
  lport: number,
  rport: number,
  serviceClass: number,
  opts: { vlan?: VlanSpec; dataOffset?: number; payload?: number } = {},
): number {
  const h = handles[i];
  expect(pool.SetDataLength(h, 0)).toBe(kIOReturnSuccess);
  expect(pool.SetDataOffset(h, opts.dataOffset ?? 0)).toBe(kIOReturnSuccess);
  const at = pool.dataStart(h);
  const ip = {
    dstMac: PEER_MAC,
    srcMac: HOST_MAC,
    srcIp: HOST_IP,
    dstIp: PEER_IP,
    vlan: opts.vlan ?? null,
  };
  const payloadLength = opts.payload ?? 200;
  let len: number;
  switch (kind) {
    case 'udp':
      len = buildUdpFrame(u8, at, { ...ip, srcPort: lport, dstPort: rport, payloadLength });
      break;
    case 'tcp':
      len = buildTcpFrame(u8, at, {
        ...ip,
        srcPort: lport,
        dstPort: rport,
        seq: 1,
        ack: 1,
        flags: TCP_ACK,
        window: 65535,
        payloadLength,
      });
      break;
    case 'icmp':
      len = buildIcmpEchoFrame(u8, at, { ...ip, type: ICMP_ECHO_REQUEST, id: lport, seq: 1, payloadLength });
      break;
    case 'arp':
      len = buildArpFrame(u8, at, {
        dstMac: MAC_BROADCAST,
        srcMac: HOST_MAC,
        vlan: opts.vlan ?? null,
        op: ARP_OP_REQUEST,
        senderMac: HOST_MAC,
        senderIp: HOST_IP,
        targetMac: 0,
        targetIp: PEER_IP,
      });
      break;
  }
  expect(pool.SetDataLength(h, len)).toBe(kIOReturnSuccess);
  pool.serviceClass[h] = serviceClass;
  return h;
}

/** Pushes the flow host:lport → peer:rport of `proto` to `slot`. */
function flow(proto: number, lport: number, rport: number, slot: number, now = 0): void {
  c.flows.upsert(proto, HOST_IP, PEER_IP, lport, rport, slot, 100 + slot, now);
}

/** What the driver's drain does per packet: slot, then queue. */
function classify(h: number, now = 0): { slot: number; queue: number } {
  const slot = c.slotOf(u8, pool, h, now);
  return { slot, queue: c.queueOf(slot, pool, h) };
}

describe('PacketClassifier: the service-class fold', () => {
  it.each(FOLD)('queueForClass: %s (%i) → queue %i', (_name, sc, queue) => {
    expect(c.queueForClass(sc)).toBe(queue);
  });

  it('an unknown service class goes to best effort (queue 1)', () => {
    for (const sc of [1000, 1100, 4000, 65535]) expect(c.queueForClass(sc)).toBe(1);
  });

  // A class between the defined ones is unknown, not its lower neighbour (a /100 table got this wrong).
  it('an unknown class between the defined ones (150, 250, 850, 950) goes to best effort', () => {
    for (const sc of [150, 250, 550, 850, 950, 1, 99]) expect(c.queueForClass(sc)).toBe(1);
  });

  it.each(FOLD)('an unknown flow of class %s (%i) → queue %i, slot 0', (_name, sc, queue) => {
    flow(IPPROTO_UDP, 5000, 53, 3); // another flow, with a setting
    c.setQueue(3, 0);
    c.commit(1);
    for (const kind of ['udp', 'tcp', 'icmp'] as const) {
      expect(classify(packet(0, kind, 5001, 53, sc))).toEqual({ slot: 0, queue });
    }
    expect(classify(packet(1, 'udp', 5000, 54, sc, { vlan: VLAN }))).toEqual({ slot: 0, queue });
  });

  it.each(FOLD)('a non-flow (ARP) of class %s (%i) → queue %i, slot 0, not a miss', (_name, sc, queue) => {
    expect(classify(packet(0, 'arp', 0, 0, sc))).toEqual({ slot: 0, queue });
    expect(classify(packet(1, 'arp', 0, 0, sc, { vlan: VLAN }))).toEqual({ slot: 0, queue });
    expect(c.flows.misses).toBe(0);
  });

  it.each(FOLD)('a known flow whose slot has no setting (255): %s (%i) → queue %i', (_name, sc, queue) => {
    flow(IPPROTO_TCP, 41000, 443, 2);
    expect(c.settingOf(2)).toBe(BY_CLASS);
    expect(classify(packet(0, 'tcp', 41000, 443, sc))).toEqual({ slot: 2, queue });
    // Set, then set back to 255.
    c.setQueue(2, 3);
    c.commit(1);
    c.setQueue(2, BY_CLASS);
    c.commit(2);
    expect(classify(packet(0, 'tcp', 41000, 443, sc))).toEqual({ slot: 2, queue });
  });
});

describe('PacketClassifier: slot settings', () => {
  it('a known flow with a setting takes that queue whatever its service class', () => {
    flow(IPPROTO_UDP, 40000, 3478, 1);
    flow(IPPROTO_TCP, 41000, 443, 2);
    flow(IPPROTO_ICMP, 77, 0, 3);
    flow(IPPROTO_UDP, 40001, 3478, 4);
    c.setQueue(1, 3);
    c.setQueue(2, 0);
    c.setQueue(3, 2);
    c.setQueue(4, 1);
    c.commit(5);
    for (const [, sc] of FOLD) {
      expect(classify(packet(0, 'udp', 40000, 3478, sc))).toEqual({ slot: 1, queue: 3 });
      expect(classify(packet(1, 'tcp', 41000, 443, sc, { vlan: VLAN }))).toEqual({ slot: 2, queue: 0 });
      expect(classify(packet(2, 'icmp', 77, 0, sc))).toEqual({ slot: 3, queue: 2 });
      expect(classify(packet(3, 'udp', 40001, 3478, sc))).toEqual({ slot: 4, queue: 1 });
    }
  });

  it('slot 0 never takes a setting’s queue: unknown flows, non-flows, flows pushed to slot 0', () => {
    // Every settable slot (1..SLOTS-1) gets a queue that differs from every fold below.
    for (let s = 1; s < SLOTS; s++) c.setQueue(s, 3);
    c.commit(1);
    flow(IPPROTO_UDP, 6000, 53, 0); // the app may push a flow to the system slot
    for (const [, sc, queue] of FOLD) {
      if (queue === 3) continue;
      expect(classify(packet(0, 'udp', 6000, 53, sc))).toEqual({ slot: 0, queue });
      expect(classify(packet(1, 'udp', 6001, 53, sc))).toEqual({ slot: 0, queue });
      expect(classify(packet(2, 'arp', 0, 0, sc))).toEqual({ slot: 0, queue });
      expect(c.queueOf(0, pool, packet(3, 'tcp', 1, 2, sc))).toBe(queue);
    }
    expect(c.settingOf(0)).toBe(BY_CLASS);
  });

  it('a flow whose slot is beyond the table takes the fold', () => {
    flow(IPPROTO_UDP, 7000, 53, SLOTS + 5);
    for (let s = 1; s < SLOTS; s++) c.setQueue(s, 0);
    c.commit(1);
    for (const [, sc, queue] of FOLD) {
      expect(classify(packet(0, 'udp', 7000, 53, sc))).toEqual({ slot: SLOTS + 5, queue });
    }
    expect(c.settingOf(SLOTS + 5)).toBe(BY_CLASS);
  });

  it('setQueue + commit change the decision between two packets and bump the generation', () => {
    flow(IPPROTO_TCP, 41000, 443, 5);
    expect(c.generation).toBe(0);
    const h = packet(0, 'tcp', 41000, 443, 800); // VO → 3 by class
    expect(classify(h)).toEqual({ slot: 5, queue: 3 });
    c.setQueue(5, 0);
    c.commit(7);
    expect(c.generation).toBe(7);
    expect(c.settingOf(5)).toBe(0);
    expect(classify(h)).toEqual({ slot: 5, queue: 0 });
    c.setQueue(5, 2);
    c.commit(8);
    expect(c.generation).toBe(8);
    expect(classify(h)).toEqual({ slot: 5, queue: 2 });
    // Other slots are untouched.
    for (let s = 0; s < SLOTS; s++) if (s !== 5) expect(c.settingOf(s)).toBe(BY_CLASS);
  });

  it('forcedQueue overrides the setting, the fold and slot 0; -1 turns it off', () => {
    flow(IPPROTO_UDP, 40000, 3478, 1);
    c.setQueue(1, 3);
    c.commit(1);
    for (const forced of [0, 2]) {
      c.forcedQueue = forced;
      for (const [, sc] of FOLD) {
        expect(classify(packet(0, 'udp', 40000, 3478, sc))).toEqual({ slot: 1, queue: forced });
        expect(classify(packet(1, 'udp', 40001, 3478, sc))).toEqual({ slot: 0, queue: forced });
        expect(classify(packet(2, 'arp', 0, 0, sc))).toEqual({ slot: 0, queue: forced });
      }
    }
    c.forcedQueue = -1;
    expect(classify(packet(0, 'udp', 40000, 3478, 100))).toEqual({ slot: 1, queue: 3 });
    expect(classify(packet(1, 'udp', 40001, 3478, 100))).toEqual({ slot: 0, queue: 0 });
  });
});

describe('PacketClassifier: slotOf charges the packet’s flow', () => {
  it('counts a hit, the packet and its bytes on the flow’s entry, at the packet’s data offset', () => {
    flow(IPPROTO_UDP, 40000, 3478, 6, 10);
    const f = c.flows;
    const b = f.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 40000, 3478);
    const h1 = packet(0, 'udp', 40000, 3478, 0, { payload: 300 });
    const h2 = packet(1, 'udp', 40000, 3478, 0, { payload: 50, dataOffset: 61, vlan: VLAN });
    expect(c.slotOf(u8, pool, h1, 100)).toBe(6);
    expect(c.slotOf(u8, pool, h2, 200)).toBe(6);
    expect(f.hits).toBe(2);
    expect(f.misses).toBe(0);
    expect(f.packets[b]).toBe(2);
    expect(f.bytes[b]).toBe(pool.dataLength[h1] + pool.dataLength[h2]);
    expect(pool.dataLength[h1]).toBe(14 + 20 + 8 + 300);
    expect(pool.dataLength[h2]).toBe(18 + 20 + 8 + 50);
    expect(f.lastSeenNs[b]).toBe(200);
  });

  it('charges nothing to another flow; an unknown flow is a miss, a non-flow is neither', () => {
    flow(IPPROTO_UDP, 40000, 3478, 6);
    flow(IPPROTO_UDP, 40001, 3478, 7);
    const f = c.flows;
    const b7 = f.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 40001, 3478);
    expect(c.slotOf(u8, pool, packet(0, 'udp', 40000, 3478, 0), 1)).toBe(6);
    expect(c.slotOf(u8, pool, packet(1, 'udp', 40002, 3478, 0), 2)).toBe(0);
    expect(c.slotOf(u8, pool, packet(2, 'arp', 0, 0, 0), 3)).toBe(0);
    expect([f.hits, f.misses]).toEqual([1, 1]);
    expect([f.packets[b7], f.bytes[b7]]).toEqual([0, 0]);
  });

  it('queueOf reads neither the flow table nor the packet bytes: no counting', () => {
    flow(IPPROTO_UDP, 40000, 3478, 6);
    const h = packet(0, 'udp', 40000, 3478, 500);
    expect(c.queueOf(6, pool, h)).toBe(2);
    expect([c.flows.hits, c.flows.misses]).toEqual([0, 0]);
  });

  it('the flow table has the capacity it was given', () => {
    expect(c.flows.maxEntries).toBe(64);
    expect(c.slots).toBe(SLOTS);
  });
});
