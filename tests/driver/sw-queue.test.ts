/**
 * SoftwareQueue: per-app FIFOs threaded through packet handles, served by deficit round robin
 * with a one-frame quantum. Shares are checked in bytes, per round, against the quantum.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PacketLinks, SoftwareQueue } from '../../driver-runtime/driver/sw-queue.ts';

const QUANTUM = 1514;

class Handles {
  private next = 0;
  take(): number {
    return this.next++;
  }
}

function makeQueue(
  opts: { packets?: number; bytes?: number; slots?: number; fair?: boolean; links?: number } = {},
) {
  const links = new PacketLinks(opts.links ?? 20_000);
  const q = new SoftwareQueue(
    opts.packets ?? 100_000,
    opts.bytes ?? 1e12,
    links,
    opts.slots ?? 8,
    opts.fair ?? true,
  );
  return { q, links };
}

/** Serves `n` packets; returns, per served packet, its slot and length (read through peek*). */
function serve(
  q: SoftwareQueue,
  links: PacketLinks,
  n: number,
): { slot: number; length: number; h: number }[] {
  const out: { slot: number; length: number; h: number }[] = [];
  for (let i = 0; i < n && q.count > 0; i++) {
    const slot = q.peekSlot();
    const length = q.peekLength();
    const h = q.shift();
    expect(links.length[h]).toBe(length);
    out.push({ slot, length, h });
  }
  return out;
}

/** Groups a service sequence into turns (maximal runs of one slot) with their byte totals. */
function turns(served: { slot: number; length: number }[]): { slot: number; bytes: number }[] {
  const t: { slot: number; bytes: number }[] = [];
  for (const s of served) {
    if (t.length > 0 && t[t.length - 1].slot === s.slot) t[t.length - 1].bytes += s.length;
    else t.push({ slot: s.slot, bytes: s.length });
  }
  return t;
}

describe('SoftwareQueue: FIFO inside an app and peek/shift agreement', () => {
  it('returns one app’s packets in the order they were pushed', () => {
    const { q, links } = makeQueue();
    const hs = [5, 9, 2, 14, 7];
    hs.forEach((h, i) => expect(q.push(h, 100 + i, 1000 + i, 3)).toBe(true));
    expect(serve(q, links, 10).map((s) => s.h)).toEqual(hs);
    expect(q.count).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('peekLength, peekTime and peekSlot describe the packet shift returns, and peeks do not move DRR', () => {
    const { q, links } = makeQueue();
    const ids = new Handles();
    const pushed = new Map<number, { length: number; at: number; app: number }>();
    for (let i = 0; i < 60; i++) {
      const h = ids.take();
      const app = i % 3;
      const length = [1514, 700, 64][app];
      pushed.set(h, { length, at: 5000 + 10 * i, app });
      q.push(h, length, 5000 + 10 * i, app);
    }
    while (q.count > 0) {
      const slot = q.peekSlot();
      const length = q.peekLength();
      const at = q.peekTime();
      // Asking again (in any order) changes nothing.
      expect(q.peekTime()).toBe(at);
      expect(q.peekSlot()).toBe(slot);
      expect(q.peekLength()).toBe(length);
      const h = q.shift();
      expect(pushed.get(h)).toEqual({ length, at, app: slot });
      expect(links.enqueuedAt[h]).toBe(at);
    }
  });
});

describe('SoftwareQueue: DRR shares in bytes', () => {
  function backlog(q: SoftwareQueue, ids: Handles, app: number, length: number, n: number): void {
    for (let i = 0; i < n; i++) expect(q.push(ids.take(), length, 0, app)).toBe(true);
  }

  it('two apps with different frame sizes get equal bytes, within one quantum, round after round', () => {
    const { q, links } = makeQueue();
    const ids = new Handles();
    backlog(q, ids, 1, 1514, 2000);
    backlog(q, ids, 2, 100, 8000);
    // The last turn may be cut short by the count served: leave it out.
    const t = turns(serve(q, links, 4000)).slice(0, -1);
    // Turns alternate between the two apps.
    for (let i = 1; i < t.length; i++) expect(t[i].slot).not.toBe(t[i - 1].slot);
    const sent = new Map<number, number>([
      [1, 0],
      [2, 0],
    ]);
    let rounds = 0;
    for (let i = 0; i + 1 < t.length; i += 2) {
      sent.set(t[i].slot, sent.get(t[i].slot)! + t[i].bytes);
      sent.set(t[i + 1].slot, sent.get(t[i + 1].slot)! + t[i + 1].bytes);
      expect(Math.abs(sent.get(1)! - sent.get(2)!)).toBeLessThan(QUANTUM);
      rounds++;
    }
    expect(rounds).toBeGreaterThan(100);
    // One 1514-byte frame per turn; fifteen 100-byte frames (with the credit carried over).
    expect(t.filter((x) => x.slot === 1).every((x) => x.bytes === 1514)).toBe(true);
    expect(t.filter((x) => x.slot === 2).every((x) => x.bytes === 1500 || x.bytes === 1600)).toBe(true);
  });

  it('three apps share equally in bytes (1514-, 700- and 64-byte frames)', () => {
    const { q, links } = makeQueue();
    const ids = new Handles();
    backlog(q, ids, 1, 1514, 1000);
    backlog(q, ids, 4, 700, 3000);
    backlog(q, ids, 6, 64, 30_000);
    const served = serve(q, links, 12_000);
    const t = turns(served);
    const sent = new Map<number, number>([
      [1, 0],
      [4, 0],
      [6, 0],
    ]);
    for (let i = 0; i + 2 < t.length; i += 3) {
      for (let k = 0; k < 3; k++) sent.set(t[i + k].slot, sent.get(t[i + k].slot)! + t[i + k].bytes);
      const v = [...sent.values()];
      expect(Math.max(...v) - Math.min(...v)).toBeLessThan(QUANTUM);
    }
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    for (const v of sent.values()) expect(Math.abs(v / total - 1 / 3)).toBeLessThan(0.01);
  });

  it('an app that joins late is served within two turns of each other app, then gets its equal share', () => {
    const { q, links } = makeQueue();
    const ids = new Handles();
    backlog(q, ids, 1, 1514, 3000);
    backlog(q, ids, 2, 1514, 3000);
    serve(q, links, 501); // mid-round
    backlog(q, ids, 3, 200, 10_000);
    const after = serve(q, links, 3000);
    const firstOf3 = after.findIndex((s) => s.slot === 3);
    const before3 = after.slice(0, firstOf3).reduce((a, s) => a + s.length, 0);
    // It joins with no credit: it is topped up on its first pass and sends on the next, so
    // each of the other two apps may have up to two turns first (here: 2, 1, 2).
    expect(before3).toBeLessThanOrEqual(2 * 2 * QUANTUM);
    const t = turns(after.slice(firstOf3));
    const sent = new Map<number, number>([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    for (let i = 0; i + 2 < t.length; i += 3) {
      for (let k = 0; k < 3; k++) sent.set(t[i + k].slot, sent.get(t[i + k].slot)! + t[i + k].bytes);
      const v = [...sent.values()];
      expect(Math.max(...v) - Math.min(...v)).toBeLessThan(QUANTUM);
    }
  });

  it('an app keeps sending while its credit covers its next packet, exactly', () => {
    const { q, links } = makeQueue();
    // App 1: 1000 + 514 = one quantum exactly; app 2: one small packet.
    q.push(0, 1000, 0, 1);
    q.push(1, 514, 0, 1);
    q.push(2, 100, 0, 2);
    expect(serve(q, links, 3).map((s) => s.h)).toEqual([0, 1, 2]);
    // One byte more and app 1's second packet waits for app 2's turn.
    const b = makeQueue();
    b.q.push(0, 1000, 0, 1);
    b.q.push(1, 515, 0, 1);
    b.q.push(2, 100, 0, 2);
    expect(serve(b.q, b.links, 3).map((s) => s.h)).toEqual([0, 2, 1]);
  });

  it('a sparse app is not stuck behind a greedy one', () => {
    const { q, links } = makeQueue();
    const ids = new Handles();
    backlog(q, ids, 1, 1514, 5000);
    serve(q, links, 10);
    const sparse = ids.take();
    q.push(sparse, 80, 0, 2);
    const next = serve(q, links, 3).map((s) => s.h);
    expect(next).toContain(sparse);
  });
});

describe('SoftwareQueue: limits', () => {
  it('refuses a push beyond the packet limit without changing anything', () => {
    const { q, links } = makeQueue({ packets: 3 });
    expect(q.push(0, 100, 1, 1)).toBe(true);
    expect(q.push(1, 200, 2, 2)).toBe(true);
    expect(q.push(2, 300, 3, 1)).toBe(true);
    links.next[3] = 1234;
    links.length[3] = 77;
    links.enqueuedAt[3] = 42;
    expect(q.push(3, 10, 4, 3)).toBe(false);
    expect(q.count).toBe(3);
    expect(q.bytes).toBe(600);
    expect([links.next[3], links.length[3], links.enqueuedAt[3]]).toEqual([1234, 77, 42]);
    // App 1's two packets fit in its first quantum, then app 2's.
    expect(serve(q, links, 10).map((s) => s.h)).toEqual([0, 2, 1]);
  });

  it('refuses a push that would exceed the byte limit; exactly the limit fits', () => {
    const { q, links } = makeQueue({ bytes: 3000 });
    expect(q.push(0, 1514, 1, 1)).toBe(true);
    expect(q.push(1, 1487, 2, 2)).toBe(false);
    expect(q.count).toBe(1);
    expect(q.bytes).toBe(1514);
    expect(q.push(2, 1486, 3, 2)).toBe(true);
    expect(q.bytes).toBe(3000);
    expect(q.push(3, 1, 4, 3)).toBe(false);
    expect(
      serve(q, links, 10)
        .map((s) => s.h)
        .sort(),
    ).toEqual([0, 2]);
  });

  it('a refused push leaves the DRR order as it was', () => {
    const a = makeQueue({ packets: 6 });
    const b = makeQueue({ packets: 6 });
    for (const { q } of [a, b]) {
      [1, 1, 2, 2, 3, 3].forEach((app, h) => q.push(h, 600 + 100 * app, 0, app));
    }
    expect(a.q.push(99, 60, 0, 4)).toBe(false);
    expect(serve(a.q, a.links, 10).map((s) => s.h)).toEqual(serve(b.q, b.links, 10).map((s) => s.h));
  });
});

describe('SoftwareQueue: slots and the plain FIFO baseline', () => {
  it('fair = false is one FIFO across apps, in push order', () => {
    const { q, links } = makeQueue({ fair: false });
    const order = [
      [10, 1],
      [11, 2],
      [12, 1],
      [13, 3],
      [14, 2],
    ];
    for (const [h, app] of order) q.push(h, h === 10 ? 1514 : 64, 0, app);
    const served = serve(q, links, 10);
    expect(served.map((s) => s.h)).toEqual([10, 11, 12, 13, 14]);
    expect(served.every((s) => s.slot === 0)).toBe(true);
  });

  it('apps beyond appSlots share slot 0 (one FIFO with app 0)', () => {
    const { q, links } = makeQueue({ slots: 4 });
    q.push(0, 100, 0, 4);
    q.push(1, 100, 0, 0);
    q.push(2, 100, 0, 9);
    q.push(3, 100, 0, 3);
    const served = serve(q, links, 10);
    const slot0 = served.filter((s) => s.slot === 0).map((s) => s.h);
    expect(slot0).toEqual([0, 1, 2]);
    expect(served.filter((s) => s.slot === 3).map((s) => s.h)).toEqual([3]);
  });
});

describe('SoftwareQueue: conservation (property)', () => {
  type Op = { kind: 'push'; app: number; length: number } | { kind: 'shift' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('push' as const),
      app: fc.integer({ min: 0, max: 9 }),
      length: fc.integer({ min: 60, max: 9018 }),
    }),
    fc.constant({ kind: 'shift' as const }),
  );

  it('count and bytes always equal what is queued; every packet leaves once, in FIFO order per app', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 400 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        (ops, fair, packetLimit) => {
          const slots = 6;
          const links = new PacketLinks(500);
          const q = new SoftwareQueue(packetLimit, 60_000, links, slots, fair);
          const model = new Map<number, { h: number; length: number; at: number }[]>();
          let next = 0;
          let now = 0;
          const out = new Set<number>();
          const queued = () => {
            let count = 0;
            let bytes = 0;
            for (const f of model.values()) {
              count += f.length;
              for (const p of f) bytes += p.length;
            }
            return { count, bytes };
          };
          const check = () => {
            const { count, bytes } = queued();
            expect(q.count).toBe(count);
            expect(q.bytes).toBe(bytes);
          };
          const shiftOne = () => {
            const slot = q.peekSlot();
            const length = q.peekLength();
            const at = q.peekTime();
            const h = q.shift();
            const fifo = model.get(slot)!;
            expect(fifo[0]).toEqual({ h, length, at });
            fifo.shift();
            expect(out.has(h)).toBe(false);
            out.add(h);
          };
          for (const o of ops) {
            now += 7;
            if (o.kind === 'push') {
              const h = next++;
              const before = queued();
              const ok = q.push(h, o.length, now, o.app);
              expect(ok).toBe(before.count < packetLimit && before.bytes + o.length <= 60_000);
              if (ok) {
                const slot = fair && o.app < slots ? o.app : 0;
                if (!model.has(slot)) model.set(slot, []);
                model.get(slot)!.push({ h, length: o.length, at: now });
              }
            } else if (q.count > 0) {
              shiftOne();
            }
            check();
          }
          while (q.count > 0) shiftOne();
          check();
          expect(q.bytes).toBe(0);
          for (const f of model.values()) expect(f).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SoftwareQueue: dequeueRun = shift one by one', () => {
  it('runs cut anywhere give the same packets, order, slots and state as shift (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ push: fc.nat(5), length: fc.integer({ min: 60, max: 3000 }) }),
      fc.record({ run: fc.integer({ min: 1, max: 9 }), bytes: fc.integer({ min: 0, max: 9000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.boolean(), (ops, fair) => {
        const a = makeQueue({ slots: 6, fair });
        const b = makeQueue({ slots: 6, fair });
        const handles = new Handles();
        const out = new Int32Array(16);
        for (const o of ops) {
          if ('push' in o) {
            const h = handles.take();
            expect(a.q.push(h, o.length, h, o.push)).toBe(b.q.push(h, o.length, h, o.push));
            continue;
          }
          if (a.q.count === 0) continue;
          const n = a.q.dequeueRun(out, o.run, o.bytes);
          expect(n).toBeGreaterThan(0);
          expect(n).toBeLessThanOrEqual(o.run);
          let bytes = 0;
          for (let i = 0; i < n; i++) {
            const slot = b.q.peekSlot();
            const h = b.q.shift();
            expect(out[i]).toBe(h);
            expect(a.q.runApp).toBe(slot);
            bytes += b.links.length[h];
            if (i > 0) expect(bytes).toBeLessThanOrEqual(o.bytes);
          }
          expect([a.q.count, a.q.bytes]).toEqual([b.q.count, b.q.bytes]);
        }
        // What is left comes out in the same order.
        const rest = serve(b.q, b.links, b.q.count).map((s) => s.h);
        const runs: number[] = [];
        while (a.q.count > 0) {
          const n = a.q.dequeueRun(out, 16, Infinity);
          runs.push(...out.subarray(0, n));
        }
        expect(runs).toEqual(rest);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SoftwareQueue: pushRun = push one by one', () => {
  it('gives the same refusals, order, DRR round and counts as push, under tight limits (fast-check)', () => {
    const op = fc.oneof(
      fc.record({
        app: fc.nat(7),
        lengths: fc.array(fc.integer({ min: 60, max: 3000 }), { minLength: 1, maxLength: 12 }),
      }),
      fc.record({ serve: fc.integer({ min: 1, max: 10 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, fair) => {
        // Limits small enough that runs are cut by both the packet and the byte limit.
        const limits = { slots: 6, fair, packets: 8, bytes: 9_000 };
        const a = makeQueue(limits);
        const b = makeQueue(limits);
        const handles = new Handles();
        const run = new Int32Array(16);
        const lengths = new Uint32Array(20_000);
        const refused = new Int32Array(16);
        for (const o of ops) {
          if ('serve' in o) {
            expect(serve(a.q, a.links, Math.min(o.serve, a.q.count))).toEqual(
              serve(b.q, b.links, Math.min(o.serve, b.q.count)),
            );
            continue;
          }
          o.lengths.forEach((length, i) => {
            run[i] = handles.take();
            lengths[run[i]] = length;
          });
          const now = run[0];
          const k = a.q.pushRun(run, 0, o.lengths.length, lengths, now, o.app, refused);
          const refusedOneByOne = o.lengths
            .map((length, i) => (b.q.push(run[i], length, now, o.app) ? -1 : run[i]))
            .filter((h) => h >= 0);
          expect(Array.from(refused.subarray(0, k))).toEqual(refusedOneByOne);
          expect([a.q.count, a.q.bytes]).toEqual([b.q.count, b.q.bytes]);
        }
        expect(serve(a.q, a.links, a.q.count)).toEqual(serve(b.q, b.links, b.q.count));
        for (let h = 0; h < 2000; h++) expect(a.links.enqueuedAt[h]).toBe(b.links.enqueuedAt[h]);
      }),
      { numRuns: 300 },
    );
  });
});
