/**
 * RxRing over real descriptor memory. The test plays the NIC: it takes the buffers the
 * driver published with RDT, and writes back the advanced one-buffer format — length (and the
 * stripped VLAN tag) in dword 3 first, then status DD|EOP and the error byte in dword 2.
 */
import { describe, expect, it } from 'vitest';
import { RxRing } from '../../driver-runtime/driver/rx-ring.ts';
import type { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { kIOUserNetworkPacketDirectionRx } from '../../driver-runtime/networking/constants.ts';
import { descriptorWords, makeDma } from './fixture.ts';

const DD = 1 << 0;
const EOP = 1 << 1;
const VP = 1 << 3;
/** An Rx error bit (RXE) in the error byte, bits 31:24 of dword 2. */
const ERR_RXE = 1 << 31;

class FakeNic {
  head = 0;
  /** RDT as last written by the driver. */
  tail = 0;
  constructor(
    private readonly memory: HostMemory,
    private readonly ring: RxRing,
  ) {}

  words(slot: number): Uint32Array {
    return descriptorWords(this.memory, this.ring.descriptors, slot);
  }

  /** Receives frames into the published buffers; returns how many found a buffer. */
  receive(lengths: number[], opts: { error?: boolean; vlan?: number } = {}): number {
    let n = 0;
    for (const length of lengths) {
      if (this.head === this.tail) break;
      const w = this.words(this.head);
      w[0] = 0x1234; // RSS type / packet type: garbage for the driver
      w[1] = 0xdeadbeef; // RSS hash
      w[3] = (length | ((opts.vlan ?? 0) << 16)) >>> 0;
      w[2] = (DD | EOP | (opts.vlan !== undefined ? VP : 0) | (opts.error ? ERR_RXE : 0)) >>> 0;
      this.head = (this.head + 1) & this.ring.mask;
      n++;
    }
    return n;
  }
}

function setup(count = 8, physBase?: number) {
  const dma = makeDma(256, physBase);
  const ring = new RxRing(2, count, dma.descriptors(count));
  const nic = new FakeNic(dma.memory, ring);
  return { dma, ring, nic, pool: dma.pool };
}

type Setup = ReturnType<typeof setup>;

function fill(s: Setup, n: number): number[] {
  const hs = s.dma.packets(n);
  for (const h of hs) s.ring.fill(s.pool, h);
  return hs;
}

function publish(s: Setup): void {
  s.nic.tail = s.ring.publishTail();
}

function clean(s: Setup, budget = 64, now = 1) {
  const good = new Int32Array(budget);
  const bad = new Int32Array(budget);
  const r = s.ring.clean(s.pool, good, bad, budget, now);
  return { good: Array.from(good.subarray(0, r.good)), bad: Array.from(bad.subarray(0, r.bad)) };
}

describe('RxRing: filling and publishing', () => {
  it('refuses a size that is not a power of two', () => {
    const dma = makeDma(4);
    expect(() => new RxRing(0, 6, dma.descriptors(6))).toThrow(/not a power of two/);
  });

  it('fill writes the buffer address (read format) and clears the write-back words', () => {
    const s = setup(8, 0x3_0000_0000);
    // Stale write-back from an earlier use of the slot.
    s.nic.words(0).set([1, 2, DD | EOP, 1514]);
    const [h] = fill(s, 1);
    const phys = s.pool.dataPhys(h);
    expect(phys).toBeGreaterThan(2 ** 32);
    expect(Array.from(s.nic.words(0))).toEqual([phys % 2 ** 32, Math.floor(phys / 2 ** 32), 0, 0]);
    expect(s.ring.bufferHandle[0]).toBe(h);
    expect(s.ring.readyToClean()).toBe(false);
  });

  it('keeps one slot unfilled; RDT is one past the last filled slot', () => {
    const s = setup(8);
    expect(s.ring.unfilled()).toBe(7);
    fill(s, 7);
    expect(s.ring.unfilled()).toBe(0);
    expect(s.ring.unpublished()).toBe(7);
    expect(s.ring.hardwareOwned()).toBe(0);
    expect(s.ring.publishTail()).toBe(7);
    expect(s.ring.unpublished()).toBe(0);
    expect(s.ring.hardwareOwned()).toBe(7);
  });
});

describe('RxRing: clean', () => {
  it('takes received frames in order with their length, direction and arrival time', () => {
    const s = setup(8);
    const hs = fill(s, 5);
    publish(s);
    expect(s.nic.receive([60, 1514, 300], { vlan: 0xa005 })).toBe(3);
    const r = clean(s, 64, 4242);
    expect(r.good).toEqual(hs.slice(0, 3));
    expect(r.bad).toEqual([]);
    // The stripped tag in dword 3's high half is not part of the length.
    expect(r.good.map((h) => s.pool.dataLength[h])).toEqual([60, 1514, 300]);
    for (const h of r.good) {
      expect(s.pool.direction[h]).toBe(kIOUserNetworkPacketDirectionRx);
      expect(s.pool.getTimestamp(h)).toBe(4242);
    }
    expect(s.ring.cleanedBytes).toBe(1874);
    expect(s.ring.lastProgressNs).toBe(4242);
    expect(s.ring.nextToClean).toBe(3);
    expect(s.ring.hardwareOwned()).toBe(2);
  });

  it('hands errored frames back separately (to recycle), without counting their bytes', () => {
    const s = setup(8);
    const hs = fill(s, 4);
    publish(s);
    s.pool.dataLength[hs[1]] = 7;
    s.nic.receive([100]);
    s.nic.receive([200], { error: true });
    s.nic.receive([300]);
    const r = clean(s);
    expect(r.good).toEqual([hs[0], hs[2]]);
    expect(r.bad).toEqual([hs[1]]);
    expect(s.ring.cleanedBytes).toBe(400);
    expect(s.pool.dataLength[hs[1]]).toBe(7);
    expect(s.ring.bufferHandle[1]).toBe(-1);
  });

  it('takes at most `budget` descriptors, good and bad together', () => {
    const s = setup(16);
    const hs = fill(s, 10);
    publish(s);
    s.nic.receive([60, 60]);
    s.nic.receive([60], { error: true });
    s.nic.receive([60, 60, 60]);
    const a = clean(s, 4);
    expect(a.good.length + a.bad.length).toBe(4);
    expect(a.good).toEqual([hs[0], hs[1], hs[3]]);
    expect(a.bad).toEqual([hs[2]]);
    const b = clean(s, 4);
    expect(b.good).toEqual([hs[4], hs[5]]);
  });

  it('stops at the first descriptor without DD; readyToClean says whether one is there', () => {
    const s = setup(8);
    const hs = fill(s, 6);
    publish(s);
    expect(s.ring.readyToClean()).toBe(false);
    s.nic.receive([60, 60, 60]);
    // The NIC has not finished the second one yet (DD not written).
    s.nic.words(1)[2] = 0;
    expect(s.ring.readyToClean()).toBe(true);
    expect(clean(s, 64, 10).good).toEqual([hs[0]]);
    expect(s.ring.readyToClean()).toBe(false);
    expect(clean(s, 64, 20).good).toEqual([]);
    expect(s.ring.lastProgressNs).toBe(10);
    s.nic.words(1)[2] = DD | EOP;
    expect(clean(s).good).toEqual([hs[1], hs[2]]);
  });

  it('filled slots not yet published are never taken', () => {
    const s = setup(8);
    const hs = fill(s, 3);
    publish(s);
    fill(s, 2);
    expect(s.ring.unpublished()).toBe(2);
    expect(s.nic.receive([60, 60, 60, 60, 60])).toBe(3);
    expect(clean(s).good).toEqual(hs);
    expect(s.ring.readyToClean()).toBe(false);
  });

  it('wraps around many times the ring size', () => {
    const s = setup(8);
    let seed = 99;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const given: number[] = [];
    const received: number[] = [];
    const arrived: number[] = [];
    let frame = 0;
    for (let step = 0; step < 3000; step++) {
      const action = rand(3);
      if (action === 0) {
        const n = rand(s.ring.unfilled() + 1);
        given.push(...fill(s, n));
        if (rand(2) === 0) publish(s);
      } else if (action === 1) {
        const ls = Array.from({ length: 1 + rand(4) }, () => 60 + (frame++ % 1400));
        const n = s.nic.receive(ls);
        arrived.push(...ls.slice(0, n));
      } else {
        const r = clean(s, 1 + rand(6));
        expect(r.bad).toEqual([]);
        for (const h of r.good)
          expect(s.pool.dataLength[h]).toBe(arrived[received.length + r.good.indexOf(h)]);
        received.push(...r.good);
        s.pool.DeallocatePackets(Int32Array.from(r.good), r.good.length);
      }
      expect(s.ring.nextToAlloc - s.ring.nextToClean).toBeLessThanOrEqual(7);
      expect(s.ring.hardwareOwned()).toBeGreaterThanOrEqual(0);
    }
    expect(s.ring.nextToClean).toBeGreaterThan(20 * 8);
    expect(received).toEqual(given.slice(0, received.length));
    expect(received.length).toBeGreaterThan(100);
  });
});

describe('RxRing.reclaimAll', () => {
  it('returns every buffer given out, published or not, done or not, and starts afresh', () => {
    const s = setup(8);
    const hs = fill(s, 4);
    publish(s);
    const more = fill(s, 2);
    s.nic.receive([60, 60]);
    expect(clean(s, 1).good).toEqual([hs[0]]);
    const out = new Int32Array(8);
    const n = s.ring.reclaimAll(out);
    expect(Array.from(out.subarray(0, n))).toEqual([...hs.slice(1), ...more]);
    expect([s.ring.nextToClean, s.ring.nextToAlloc, s.ring.tailWritten]).toEqual([0, 0, 0]);
    expect(s.ring.unfilled()).toBe(7);
    expect(s.ring.bufferHandle.every((h) => h === -1)).toBe(true);
    expect(s.ring.descriptors.bytes().every((b) => b === 0)).toBe(true);
    expect(s.ring.readyToClean()).toBe(false);
  });
});
