/**
 * TxRing over real descriptor memory. The test plays the NIC: it reads the descriptors the
 * driver wrote between its head and TDT, and writes back DD (dword 3) and, on each EOP
 * descriptor, the SFD wire time (qword 0), as the device's TXDCTL.TSWB write-back does.
 */
import { describe, expect, it } from 'vitest';
import { TxRing } from '../../driver-runtime/driver/tx-ring.ts';
import type { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { descriptorWords, makeDma, type DmaFixture } from './fixture.ts';

// Advanced Tx descriptor bits (I210 datasheet §7.2.2.3), written out.
const DTYP_CONTEXT = 0x2 << 20;
const DTYP_DATA = 0x3 << 20;
const EOP = 1 << 24;
const IFCS = 1 << 25;
const RS = 1 << 27;
const DEXT = 1 << 29;
const VLE = 1 << 30;
const DD = 1;
const DATA_CMD = (DTYP_DATA | DEXT | IFCS | EOP | RS) >>> 0; // 0x2b300000
const CONTEXT_CMD = (DTYP_CONTEXT | DEXT) >>> 0; // 0x20200000

/** The NIC's side of one ring: a head that chases TDT. */
class FakeNic {
  head = 0;
  constructor(
    private readonly memory: HostMemory,
    private readonly ring: TxRing,
  ) {}

  words(slot: number): Uint32Array {
    return descriptorWords(this.memory, this.ring.descriptors, slot);
  }

  /** Sends up to `packets` packets between head and TDT; returns their EOP slots. */
  send(packets: number, wireNs: (i: number) => number): number[] {
    const eops: number[] = [];
    const tail = this.ring.tail();
    while (eops.length < packets && this.head !== tail) {
      const w = this.words(this.head);
      const dtyp = w[2] & (0xf << 20);
      if (dtyp === DTYP_DATA && (w[2] & RS) !== 0) {
        if ((w[2] & EOP) !== 0) {
          const t = wireNs(eops.length);
          w[0] = t % 4294967296;
          w[1] = Math.floor(t / 4294967296);
          eops.push(this.head);
        }
        w[3] = DD;
      }
      this.head = (this.head + 1) & this.ring.mask;
    }
    return eops;
  }
}

function setup(count = 8, byteLimit = 1 << 20, physBase?: number) {
  const dma: DmaFixture = makeDma(256, physBase);
  const ring = new TxRing(1, count, dma.descriptors(count), byteLimit);
  const nic = new FakeNic(dma.memory, ring);
  return { dma, ring, nic, pool: dma.pool };
}

function post(s: ReturnType<typeof setup>, length: number, tci = -1): number {
  const h = s.dma.packets(1)[0];
  s.pool.dataLength[h] = length;
  s.ring.post(s.pool, h, length, tci);
  return h;
}

function clean(ring: TxRing, budget = 1000, now = 1) {
  const out = new Int32Array(budget);
  const wire = new Float64Array(budget);
  const n = ring.clean(out, wire, budget, now);
  return { n, handles: Array.from(out.subarray(0, n)), wire: Array.from(wire.subarray(0, n)) };
}

describe('TxRing: geometry', () => {
  it('refuses a size that is not a power of two', () => {
    const dma = makeDma(4);
    expect(() => new TxRing(0, 12, dma.descriptors(12), 1000)).toThrow(/not a power of two/);
    expect(new TxRing(0, 16, dma.descriptors(16), 1000).mask).toBe(15);
  });

  it('keeps one slot free, and admits a packet only with room for a context + data', () => {
    const s = setup(8);
    expect(s.ring.unused()).toBe(7);
    for (let i = 0; i < 6; i++) {
      expect(s.ring.admits(100)).toBe(true);
      post(s, 100);
    }
    expect(s.ring.pending).toBe(6);
    expect(s.ring.unused()).toBe(1);
    expect(s.ring.admits(60)).toBe(false);
    s.nic.send(1, () => 1);
    expect(clean(s.ring).n).toBe(1);
    expect(s.ring.unused()).toBe(2);
    expect(s.ring.admits(60)).toBe(true);
  });

  it('a ring of 2 has one usable slot and admits nothing (no room for a context + data)', () => {
    const s = setup(2);
    expect(s.ring.unused()).toBe(1);
    expect(s.ring.admits(60)).toBe(false);
  });
});

describe('TxRing: byte limit (BQL)', () => {
  it('admits while in-flight bytes + the frame fit the limit', () => {
    const s = setup(64, 3000);
    post(s, 1514);
    expect(s.ring.inflightBytes).toBe(1514);
    expect(s.ring.admits(1486)).toBe(true);
    expect(s.ring.admits(1487)).toBe(false);
  });

  it('an empty ring always admits, even a frame larger than the limit', () => {
    const s = setup(64, 1000);
    expect(s.ring.admits(9000)).toBe(true);
    post(s, 9000);
    expect(s.ring.admits(60)).toBe(false);
    s.nic.send(1, () => 5);
    clean(s.ring);
    expect(s.ring.inflightBytes).toBe(0);
    expect(s.ring.admits(9000)).toBe(true);
  });

  it('counts the 4 bytes of an inserted tag in flight and in the reaped bytes', () => {
    const s = setup(64, 1 << 20);
    post(s, 1000, 0x2005);
    post(s, 500);
    expect(s.ring.inflightBytes).toBe(1504);
    s.nic.send(2, () => 9);
    expect(clean(s.ring).n).toBe(2);
    expect(s.ring.cleanedBytes).toBe(1504);
    expect(s.ring.inflightBytes).toBe(0);
  });
});

describe('TxRing: descriptors', () => {
  it('writes one advanced data descriptor with EOP|RS|IFCS, the DMA address and PAYLEN', () => {
    const s = setup(8, 1 << 20, 0x2_4000_0000);
    const h = post(s, 1514);
    const w = s.nic.words(0);
    const phys = s.pool.dataPhys(h);
    expect(phys).toBeGreaterThan(2 ** 32);
    expect(w[0]).toBe(phys % 2 ** 32);
    expect(w[1]).toBe(Math.floor(phys / 2 ** 32));
    expect(w[2]).toBe((DATA_CMD | 1514) >>> 0);
    expect(w[2]).toBe(0x2b3005ea);
    expect(w[3]).toBe(1514 << 14);
    expect(s.ring.tail()).toBe(1);
    expect(s.ring.bufferHandle[0]).toBe(h);
    expect(s.ring.bufferBytes[0]).toBe(1514);
  });

  it('writes a context descriptor only when the VLAN tag changes, and sets VLE on tagged data', () => {
    const s = setup(32);
    const tcis = [-1, 0xa00a, 0xa00a, -1, 0xa00a, 0x6000, 0x6000, -1, 0x0000, 0x0000];
    // Expected slots: context (C) only where the TCI differs from the last one loaded.
    const layout = ['D', 'C', 'D+', 'D+', 'D', 'D+', 'C', 'D+', 'D+', 'D', 'C', 'D+', 'D+'];
    for (const tci of tcis) post(s, 100, tci);
    expect(s.ring.nextToUse).toBe(layout.length);
    layout.forEach((kind, slot) => {
      const w = s.nic.words(slot);
      if (kind === 'C') {
        expect(w[2]).toBe(CONTEXT_CMD);
        expect(w[3]).toBe(0);
        expect(s.ring.bufferHandle[slot]).toBe(-1);
      } else {
        expect(w[2] & ~0xffff).toBe(kind === 'D+' ? (DATA_CMD | VLE) >>> 0 : DATA_CMD);
        expect(w[2] & 0xffff).toBe(100);
      }
    });
    // The context carries the TCI in its VLAN field (bits 31:16 of dword 0).
    expect(s.nic.words(1)[0] >>> 16).toBe(0xa00a);
    expect(s.nic.words(6)[0] >>> 16).toBe(0x6000);
    expect(s.nic.words(10)[0] >>> 16).toBe(0x0000);
    // A packet with a context descriptor is reaped as one packet.
    s.nic.send(100, (i) => 1000 + i);
    const r = clean(s.ring);
    expect(r.n).toBe(tcis.length);
    expect(s.ring.nextToClean).toBe(layout.length);
  });
});

describe('TxRing: reaping', () => {
  it('cleans in order with the wire times the NIC wrote back, at most `budget` per call', () => {
    const s = setup(16);
    const hs = [post(s, 100), post(s, 200), post(s, 300), post(s, 400), post(s, 500)];
    s.nic.send(5, (i) => 2 ** 33 + 1000 * i);
    const a = clean(s.ring, 2, 77);
    expect(a.n).toBe(2);
    expect(a.handles).toEqual(hs.slice(0, 2));
    expect(a.wire).toEqual([2 ** 33, 2 ** 33 + 1000]);
    expect(s.ring.cleanedBytes).toBe(300);
    expect(s.ring.lastProgressNs).toBe(77);
    const b = clean(s.ring, 2, 78);
    expect(b.handles).toEqual(hs.slice(2, 4));
    const c = clean(s.ring, 2, 79);
    expect(c.handles).toEqual(hs.slice(4));
    expect(s.ring.cleanedBytes).toBe(500);
    expect(s.ring.inflightBytes).toBe(0);
    // Nothing left: no progress, the time of the last progress stays.
    expect(clean(s.ring, 2, 80).n).toBe(0);
    expect(s.ring.cleanedBytes).toBe(0);
    expect(s.ring.lastProgressNs).toBe(79);
    expect(s.ring.bufferHandle.every((h) => h === -1)).toBe(true);
  });

  it('stops at the first packet whose EOP descriptor lacks DD, even if later ones are done', () => {
    const s = setup(16);
    const hs = [post(s, 100), post(s, 100, 0x1001), post(s, 100), post(s, 100)];
    s.nic.send(4, () => 1);
    // Undo DD on the third packet's descriptor (slot 3: slot 1 is the context).
    s.nic.words(3)[3] = 0;
    expect(clean(s.ring).handles).toEqual(hs.slice(0, 2));
    expect(s.ring.readyToClean()).toBe(false);
    expect(clean(s.ring).n).toBe(0);
    s.nic.words(3)[3] = DD;
    expect(s.ring.readyToClean()).toBe(true);
    expect(clean(s.ring).handles).toEqual(hs.slice(2));
  });

  it('reads DD on the data (EOP) descriptor, not on the context before it', () => {
    const s = setup(8);
    const h = post(s, 100, 0x0123);
    s.nic.words(0)[3] = DD; // the context slot
    expect(s.ring.readyToClean()).toBe(false);
    expect(clean(s.ring).n).toBe(0);
    s.nic.words(1)[3] = DD;
    expect(s.ring.readyToClean()).toBe(true);
    expect(clean(s.ring).handles).toEqual([h]);
  });

  it('readyToClean is false on an empty ring and after everything is reaped', () => {
    const s = setup(8);
    expect(s.ring.readyToClean()).toBe(false);
    post(s, 60);
    expect(s.ring.readyToClean()).toBe(false);
    s.nic.send(1, () => 1);
    expect(s.ring.readyToClean()).toBe(true);
    clean(s.ring);
    expect(s.ring.readyToClean()).toBe(false);
  });

  it('wraps around many times the ring size, with contexts straddling the end', () => {
    const s = setup(8, 1 << 20);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const posted: { h: number; bytes: number }[] = [];
    const reaped: number[] = [];
    let wireBase = 0;
    const wires: number[] = [];
    let straddled = 0;
    for (let step = 0; step < 2000; step++) {
      const action = rand(3);
      if (action === 0) {
        while (s.ring.admits(100) && rand(4) !== 0) {
          const tci = [-1, -1, 0x2000, 0x4000][rand(4)];
          const length = 60 + rand(1455);
          const before = s.ring.nextToUse;
          const h = post(s, length, tci);
          if (s.ring.nextToUse - before === 2 && (before & 7) === 7) straddled++;
          posted.push({ h, bytes: length + (tci >= 0 ? 4 : 0) });
        }
      } else if (action === 1) {
        s.nic.send(1 + rand(4), () => {
          wires.push(++wireBase);
          return wireBase;
        });
      } else {
        const r = clean(s.ring, 1 + rand(5));
        reaped.push(...r.handles);
        for (let i = 0; i < r.n; i++) expect(r.wire[i]).toBe(wires[reaped.length - r.n + i]);
        // Handles are recycled to the pool as the driver would after completion.
        s.pool.DeallocatePackets(Int32Array.from(r.handles), r.n);
      }
      expect(s.ring.pending).toBeGreaterThanOrEqual(0);
      expect(s.ring.pending).toBeLessThanOrEqual(7);
      expect(s.ring.tail()).toBe(s.ring.nextToUse & 7);
      const inflight = posted.slice(reaped.length).reduce((a, p) => a + p.bytes, 0);
      expect(s.ring.inflightBytes).toBe(inflight);
    }
    expect(s.ring.nextToUse).toBeGreaterThan(20 * 8);
    expect(straddled).toBeGreaterThan(0); // a context in slot 7 with its data in slot 0
    expect(reaped).toEqual(posted.slice(0, reaped.length).map((p) => p.h));
  });
});

describe('TxRing.reclaimAll', () => {
  it('returns every posted packet (not the contexts), done or not, and starts the ring afresh', () => {
    const s = setup(16);
    const hs = [post(s, 100), post(s, 100, 0x3003), post(s, 200, 0x3003), post(s, 300, 0x4004), post(s, 400)];
    s.nic.send(2, () => 1);
    expect(clean(s.ring, 1).n).toBe(1);
    s.ring.stopped = true;
    const out = new Int32Array(16);
    const n = s.ring.reclaimAll(out);
    expect(Array.from(out.subarray(0, n))).toEqual(hs.slice(1));
    expect([s.ring.nextToUse, s.ring.nextToClean, s.ring.inflightBytes, s.ring.stopped]).toEqual([
      0,
      0,
      0,
      false,
    ]);
    expect(s.ring.tail()).toBe(0);
    expect(s.ring.bufferHandle.every((h) => h === -1)).toBe(true);
    expect(s.ring.descriptors.bytes().every((b) => b === 0)).toBe(true);
    // The NIC's context is unknown now: the same TCI gets a fresh context descriptor.
    post(s, 100, 0x4004);
    expect(s.nic.words(0)[2]).toBe(CONTEXT_CMD);
    expect(s.ring.pending).toBe(2);
  });

  it('on an empty ring returns nothing', () => {
    const s = setup(8);
    expect(s.ring.reclaimAll(new Int32Array(8))).toBe(0);
  });
});
