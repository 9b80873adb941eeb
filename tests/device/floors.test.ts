/**
 * Starvation guard (TXQMIN floors, OURS): long-run minimum shares under SP and DRR, the credit
 * cap, floors under the max-rate limiter, and the arbitration order against an independent
 * exact-arithmetic reference model. Virtual time only.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../driver-runtime/sim/prng.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import { makeFrame, Rig } from './fixture.ts';

const ONE = R.TXQMIN_RF_ONE;
/** TXQMIN value for a floor of 1/`factor` of the link. */
const floor = (factor: number): number => (R.TXQMIN_ENABLE | Math.round(factor * ONE)) >>> 0;
/** TXARB with queue 3 in slot 0 (highest) down to queue 0 in slot 3. */
const Q3_FIRST = 0b00_01_10_11;
const WIRE_EXTRA = 4 + 8 + 12;
const BITS_PER_NS = 10;

function spRig(txarb: number = Q3_FIRST, mode: number = R.TXSCHED_SP): Rig {
  const rig = new Rig({ txRingSize: 64, rxRingSize: 16 }).startHw();
  rig.write(R.TQAVCTRL, R.TQAVCTRL_TRANSMIT_MODE);
  rig.write(R.TXSCHED, mode);
  rig.write(R.TXARB, txarb);
  return rig;
}

/**
 * Keeps the listed queues backlogged for `frames` frames (each keeps >= 8 queued, so all stay
 * backlogged over that window); returns wire bytes per queue within the window.
 */
function saturate(rig: Rig, queues: number[], frames: number, sizes: () => number): number[] {
  const wire = [0, 0, 0, 0];
  rig.peer.onFrame = (q) => {
    const n = rig.peer.frames.length;
    if (n > frames) return;
    wire[q] += rig.peer.frames[n - 1].bytes.length + WIRE_EXTRA;
    if (n < frames) rig.send(q, makeFrame(sizes()));
  };
  // Link down while filling, so no queue gets a head start from doorbell order.
  rig.nic.setLink(false);
  for (const q of queues) for (let k = 0; k < 8; k++) rig.txPush(q, makeFrame(sizes()));
  for (const q of queues) rig.doorbell(q);
  rig.nic.setLink(true);
  rig.runIdle();
  return wire;
}

/** Share of the wire time (frame + FCS + preamble + IFG) per queue over the saturated window. */
function shares(rig: Rig, wire: number[], frames: number): number[] {
  const end = rig.peer.frames[frames - 1].time;
  return wire.map((w) => (w * 8) / BITS_PER_NS / end);
}

/** Largest frame on the wire in these tests: 1514 B + FCS 4 + preamble/SFD 8 + IFG 12. */
const MAX_WIRE = 1514 + WIRE_EXTRA;

/**
 * What a floor guarantees, derived from the TXQMIN semantics (registers.ts / device/README):
 * queue q's credit starts at 0 when the link comes up, fills at F x link while q is
 * backlogged and is debited by the wire bytes of every frame q starts, never going below 0.
 * So over a window [0, T] ending at a decision instant (no frame in flight) in which q stayed
 * backlogged: wire_q(T) >= F x link x T - credit(T).
 * When q is the only floored queue, credit(T) < MAX_WIRE + F x MAX_WIRE: at every decision a
 * credit covering q's head frame gets q served at once, so the credit can pass one head frame
 * only by what accrues while one frame (at most MAX_WIRE) is on the wire; a debit brings it
 * back below that. (The 19504 B cap is never reached, so no credit is lost to it.) Hence the
 * floored queue's share is at least F - (1 + F) x MAX_WIRE / (total wire bytes of the window).
 */
const floorSlack = (factor: number, totalWire: number): number => ((1 + 1 / factor) * MAX_WIRE) / totalWire;

/** Start time of a recorded frame (its end minus its wire time). */
const startOf = (f: { time: number; bytes: Uint8Array }): number =>
  f.time - ((f.bytes.length + WIRE_EXTRA) * 8) / BITS_PER_NS;

describe('TXQMIN registers', () => {
  it('reset 0, reserved bits 30:28 read 0, CTRL.RST clears', () => {
    const rig = new Rig();
    for (let n = 0; n < 4; n++) expect(rig.read(R.TXQMIN(n))).toBe(0);
    expect(R.TXQMIN(0)).toBe(0x1f030);
    expect(R.TXQMIN(3)).toBe(0x1f03c);
    rig.write(R.TXQMIN(2), 0xffffffff);
    expect(rig.read(R.TXQMIN(2))).toBe(0x8fffffff);
    rig.write(R.TXQMIN(1), floor(16));
    // Enable b31 | 16.0 in 14.14 fixed point (device/README).
    expect(rig.read(R.TXQMIN(1))).toBe(0x80040000);
    rig.write(R.CTRL, R.CTRL_RST);
    expect(rig.read(R.TXQMIN(1))).toBe(0);
    expect(rig.nic.core.tx.floors.active).toBe(0);
  });

  it('enable bit clear or factor 0 = no floor', () => {
    const rig = new Rig();
    rig.write(R.TXQMIN(0), 16 * ONE);
    rig.write(R.TXQMIN(1), R.TXQMIN_ENABLE);
    expect(rig.nic.core.tx.floors.active).toBe(0);
    rig.write(R.TXQMIN(2), floor(2));
    expect(rig.nic.core.tx.floors.active).toBe(0b100);
  });
});

describe('floors under strict priority', () => {
  it('Q3 and Q0 saturated, TXQMIN(0) = 1/16: Q0 gets 1/16 of the wire time (to one frame), Q3 the rest; 0 without', () => {
    for (const withFloor of [false, true]) {
      const rig = spRig();
      if (withFloor) rig.write(R.TXQMIN(0), floor(16));
      const prng = new Prng(11);
      const wire = saturate(rig, [0, 3], 40_000, () => 60 + prng.nextInt(1455));
      const s = shares(rig, wire, 40_000);
      // Work-conserving: the two shares fill the line.
      expect(Math.abs(s[0] + s[3] - 1)).toBeLessThan(1e-9);
      if (!withFloor) {
        expect(wire[0]).toBe(0);
        continue;
      }
      // SP never picks Q0 (Q3 is always backlogged above it), so every Q0 frame is a floor pick
      // that needed credit: Q0 gets at most its floor, and at least the floor minus the slack.
      const total = wire[0] + wire[3];
      expect(s[0]).toBeGreaterThanOrEqual(1 / 16 - floorSlack(16, total));
      expect(s[0]).toBeLessThanOrEqual(1 / 16 + 1e-12);
    }
  });

  it('four saturated queues, floors summing to < 1: each gets at least its floor', () => {
    // Q0 highest (reset TXARB); floors 1/8, 1/4, 1/8, 1/16 (sum 9/16).
    const rig = spRig(0b11_10_01_00);
    const floors = [8, 4, 8, 16];
    floors.forEach((f, q) => rig.write(R.TXQMIN(q), floor(f)));
    const prng = new Prng(3);
    const wire = saturate(rig, [0, 1, 2, 3], 40_000, () => 60 + prng.nextInt(1455));
    const s = shares(rig, wire, 40_000);
    for (let q = 0; q < 4; q++) expect(s[q]).toBeGreaterThanOrEqual((1 / floors[q]) * 0.99);
    // The lower-priority queues get their floor (no more: SP would give them nothing);
    // the top queue takes the rest.
    for (const q of [1, 2, 3]) expect(Math.abs(s[q] * floors[q] - 1)).toBeLessThan(0.01);
    expect(Math.abs(s[0] - (1 - 1 / 4 - 1 / 8 - 1 / 16))).toBeLessThan(0.005);
  });

  it('a floor is a minimum, not an addition: a top-priority queue with a floor is unaffected', () => {
    const rig = spRig();
    rig.write(R.TXQMIN(3), floor(2));
    const wire = saturate(rig, [0, 3], 5_000, () => 1514);
    expect(wire[0]).toBe(0);
  });
});

describe('floors under DRR', () => {
  it('equal quanta (1/4 each), TXQMIN(3) = 1/2: Q3 gets >= 1/2 but <= 1/2 + 1/4 of the rest; Q0..Q2 keep DRR turns', () => {
    const N = 40_000;
    const rig = spRig(0b11_10_01_00, R.TXSCHED_DRR);
    // Quantum = one 1514 B frame + FCS: every DRR visit sends exactly one frame.
    for (let q = 0; q < 4; q++) rig.write(R.TXQWRR(q), 1514 + 4);
    rig.write(R.TXQMIN(3), floor(2));
    const wire = saturate(rig, [0, 1, 2, 3], N, () => 1514);
    const s = shares(rig, wire, N);
    const frames = [0, 1, 2, 3].map((q) => wire[q] / MAX_WIRE);
    expect(frames.reduce((a, b) => a + b)).toBe(N);
    // Lower bound: the floor guarantee (see floorSlack; every frame is MAX_WIRE, N of them).
    expect(s[3]).toBeGreaterThanOrEqual(1 / 2 - floorSlack(2, N * MAX_WIRE));
    // Upper bound: floor picks need credit, which accrues at 1/2 of the link, so at most N/2
    // frames are floor picks; the other picks are DRR's, one frame per visit over 4 equal
    // queues, so Q3 gets at most a quarter of them (+1 for an unfinished round):
    // n3 <= f + (N - f) / 4 + 1 <= 5N/8 + 1. (Credit never goes below 0, so DRR service beyond
    // the credit is forgiven: this run ends near 4/7, between the two bounds.)
    expect(s[3]).toBeLessThanOrEqual(5 / 8 + 1 / N);
    // Floor picks leave the DRR round alone: Q0..Q2 are served only in their DRR turns, in
    // round-robin order, so their frame counts differ by at most one.
    const rest = frames.slice(0, 3);
    expect(Math.max(...rest) - Math.min(...rest)).toBeLessThanOrEqual(1);
  });

  it('pure DRR: a quantum-0 queue (never served) with a floor gets exactly its floor', () => {
    const N = 20_000;
    const rig = spRig(0b11_10_01_00, R.TXSCHED_DRR);
    [1518, 0, 0, 0].forEach((qu, q) => rig.write(R.TXQWRR(q), qu));
    rig.write(R.TXQMIN(2), floor(8));
    const wire = saturate(rig, [0, 1, 2], N, () => 1514);
    const s = shares(rig, wire, N);
    expect(wire[1]).toBe(0);
    // DRR never picks Q2 (quantum 0): only floor picks, so between floor - slack and floor.
    expect(s[2]).toBeGreaterThanOrEqual(1 / 8 - floorSlack(8, N * MAX_WIRE));
    expect(s[2]).toBeLessThanOrEqual(1 / 8 + 1e-12);
  });

  it('pure DRR, only quantum-0 floored queues backlogged: the line idles between floor frames (wake-up)', () => {
    const rig = spRig(0b11_10_01_00, R.TXSCHED_DRR);
    [1518, 0, 0, 0].forEach((qu, q) => rig.write(R.TXQWRR(q), qu));
    rig.write(R.TXQMIN(1), floor(4));
    for (let k = 0; k < 5; k++) rig.txPush(1, makeFrame(1514));
    rig.doorbell(1);
    rig.runIdle();
    // Credit reaches 1538 wire bytes every 4 x 1230.4 ns; each frame then takes 1230.4 ns.
    const starts = rig.peer.frames.map(startOf);
    expect(starts).toHaveLength(5);
    starts.forEach((t, k) => expect(Math.abs(t - 4921.6 * (k + 1))).toBeLessThan(1e-6));
  });
});

describe('floor credit cap', () => {
  it('no credit while the queue has no backlog: after 1 ms idle Q0 gets no burst, only its rate', () => {
    const rig = spRig();
    rig.write(R.TXQMIN(0), floor(16));
    const rate = 1.25 / 16;
    let pushedAt = -1;
    // Q3 saturated; after 1 ms (virtual) 30 frames arrive on Q0.
    rig.peer.onFrame = (q) => {
      if (q === 3 && rig.peer.frames.length < 4000) rig.send(3, makeFrame(1514));
      if (pushedAt < 0 && rig.scheduler.now >= 1e6) {
        pushedAt = rig.scheduler.now;
        for (let k = 0; k < 30; k++) rig.txPush(0, makeFrame(1514));
        rig.doorbell(0);
      }
    };
    for (let k = 0; k < 8; k++) rig.txPush(3, makeFrame(1514));
    rig.doorbell(3);
    rig.runIdle();
    const frames = rig.peer.frames;
    const lastQ3 = Math.max(...frames.flatMap((f, i) => (f.queue === 3 ? [i] : [])));
    const q0 = frames.filter((f) => f.queue === 0);
    expect(q0).toHaveLength(30);
    let sent = 0;
    for (const f of q0.filter((f) => frames.indexOf(f) < lastQ3)) {
      sent += f.bytes.length + WIRE_EXTRA;
      // Token-bucket conformance from an empty bucket: started bytes <= rate x elapsed.
      expect(sent).toBeLessThanOrEqual(rate * (startOf(f) - pushedAt) + 1e-6);
    }
    expect(sent).toBeGreaterThan(20 * 1538);
  });

  it('backlogged but blocked (XOFF for 10 ms): credit stops at the cap, burst <= cap + rate x elapsed', () => {
    const rig = spRig();
    rig.write(R.TXQMIN(0), floor(16));
    const rate = 1.25 / 16;
    rig.nic.faults.setPause(true);
    for (let k = 0; k < 40; k++) rig.txPush(0, makeFrame(1514));
    for (let k = 0; k < 40; k++) rig.txPush(3, makeFrame(1514));
    rig.doorbell(0);
    rig.doorbell(3);
    rig.run(10e6);
    expect(rig.peer.frames).toHaveLength(0);
    const resumed = rig.scheduler.now;
    rig.nic.faults.setPause(false);
    rig.runIdle();
    const frames = rig.peer.frames;
    // Cap 19504 = 2 x 9752: 13 back-to-back Q0 frames (credit 19504 - k x 1538 + k x 96.125 >= 1538
    // for k <= 12), then Q3 takes over.
    expect(R.TXQMIN_CREDIT_CAP).toBe(19504);
    expect(frames.slice(0, 14).map((f) => f.queue)).toEqual([...Array(13).fill(0), 3]);
    let sent = 0;
    const lastQ3 = frames.map((f) => f.queue).lastIndexOf(3);
    for (const f of frames.slice(0, lastQ3).filter((f) => f.queue === 0)) {
      sent += f.bytes.length + WIRE_EXTRA;
      expect(sent).toBeLessThanOrEqual(R.TXQMIN_CREDIT_CAP + rate * (startOf(f) - resumed) + 1e-6);
    }
  });
});

describe('TXQMIN rewrites', () => {
  // As in the XOFF test: 10 ms blocked fills Q0's credit to the cap before the rewrite.
  for (const [name, values, burst] of [
    ['rewriting the same floor keeps the credit', [floor(16)], 13],
    ['disable then enable restarts it empty', [0, floor(16)], 0],
  ] as const) {
    it(`${name} (${burst} Q0 frames first)`, () => {
      const rig = spRig();
      rig.write(R.TXQMIN(0), floor(16));
      rig.nic.faults.setPause(true);
      for (let k = 0; k < 40; k++) rig.txPush(0, makeFrame(1514));
      for (let k = 0; k < 40; k++) rig.txPush(3, makeFrame(1514));
      rig.doorbell(0);
      rig.doorbell(3);
      rig.run(10e6);
      for (const v of values) rig.write(R.TXQMIN(0), v);
      rig.nic.faults.setPause(false);
      rig.runIdle();
      const order = rig.peer.frames.map((f) => f.queue);
      expect(order.indexOf(3)).toBe(burst);
    });
  }
});

describe('floor credit starts filling at the doorbell, not at the next decision', () => {
  // 1G: a 1514 B frame occupies 12304 ns. Floor 1/16 = 0.0078125 wire bytes/ns; Q0's 60 B frame
  // needs 84 wire bytes = 10752 ns of credit. Q3 (top priority) is saturated; Q0's doorbell comes
  // `offset` ns into Q3's 4th frame, whose end (49216 ns) is the next decision.
  for (const [offset, index] of [
    [100, 4],
    [2000, 5],
  ]) {
    it(`doorbell ${offset} ns into a frame: Q0 goes out as frame #${index}`, () => {
      const rig = new Rig({ linkSpeed: '1g', txRingSize: 64, rxRingSize: 16 }).startHw();
      rig.write(R.TQAVCTRL, R.TQAVCTRL_TRANSMIT_MODE);
      rig.write(R.TXSCHED, R.TXSCHED_SP);
      rig.write(R.TXARB, Q3_FIRST);
      rig.write(R.TXQMIN(0), floor(16));
      rig.peer.onFrame = (q) => {
        if (q === 3 && rig.peer.frames.length < 20) rig.send(3, makeFrame(1514));
      };
      for (let k = 0; k < 4; k++) rig.txPush(3, makeFrame(1514));
      rig.doorbell(3);
      rig.scheduler.schedule(3 * 12304 + offset, { onEvent: () => rig.send(0, makeFrame(60)) });
      rig.runIdle();
      const order = rig.peer.frames.map((f) => f.queue);
      expect(order.indexOf(0)).toBe(index);
    });
  }
});

describe('floor + max-rate limiter on the same queue', () => {
  for (const [floorFactor, maxFactor] of [
    [4, 8],
    [16, 4],
  ]) {
    it(`floor 1/${floorFactor}, max 1/${maxFactor}: Q0 gets min(floor, max) = 1/${Math.max(floorFactor, maxFactor)}`, () => {
      const rig = spRig();
      rig.write(R.TXQMIN(0), floor(floorFactor));
      rig.write(R.RTTDQSEL, 0);
      rig.write(R.RTTBCNRC, R.RTTBCNRC_RS_ENA | (maxFactor * R.RTTBCNRC_RF_ONE));
      saturate(rig, [0, 3], 30_000, () => 1514);
      // Steady state (skip the limiter's initial TXQBURST burst).
      const frames = rig.peer.frames;
      const from = frames[2000].time;
      const to = frames[frames.length - 1].time;
      let q0 = 0;
      for (const f of frames.slice(2001)) if (f.queue === 0) q0 += f.bytes.length + WIRE_EXTRA;
      const share = (q0 * 8) / BITS_PER_NS / (to - from);
      const want = 1 / Math.max(floorFactor, maxFactor);
      expect(Math.abs(share / want - 1)).toBeLessThan(0.01);
      // The max rate holds over every stretch: bytes started <= TXQBURST + max rate x elapsed.
      let sent = 0;
      for (const f of frames.filter((f) => f.queue === 0)) {
        sent += f.bytes.length + WIRE_EXTRA;
        expect(sent).toBeLessThanOrEqual(2 * 9752 + (1.25 / maxFactor) * startOf(f) + 1538 + 1e-6);
      }
    });
  }
});

// ---- Reference model ----

type Mode = 'fifo' | 'sp' | 'drr' | 'sp-drr';
const MODE_REG: Record<Mode, number> = {
  fifo: R.TXSCHED_FIFO,
  sp: R.TXSCHED_SP,
  drr: R.TXSCHED_DRR,
  'sp-drr': R.TXSCHED_SP_DRR,
};
const slots = (txarb: number): number[] => [0, 1, 2, 3].map((k) => (txarb >> (2 * k)) & 3);

interface Pkt {
  size: number;
  seq: number;
}

/** Classic round-based DRR over live queues; yields [queue, frame bytes] and removes the frame. */
function* drrRounds(queues: Pkt[][], group: number[], quanta: number[]): Generator<[number, number]> {
  const deficit = [0, 0, 0, 0];
  while (group.some((q) => queues[q].length > 0)) {
    for (const q of group) {
      if (queues[q].length === 0) {
        deficit[q] = 0;
        continue;
      }
      deficit[q] += quanta[q];
      while (queues[q].length > 0 && queues[q][0].size <= deficit[q]) {
        const p = queues[q].shift()!;
        deficit[q] -= p.size;
        yield [q, p.size];
      }
      if (queues[q].length === 0) deficit[q] = 0;
    }
  }
}

/**
 * Exact (integer) reference for a static backlog with floors: time in units of 2^-14 bit, and
 * queue q's credit in units of 1/(8 F_q) byte (F = raw 14.14 factor), so credit grows by exactly
 * 1 per time unit while the queue is backlogged. Returns [queue, start time ns] per frame.
 */
function reference(
  mode: Mode,
  packets: [number, number][],
  txarb: number,
  quanta: number[],
  factors: number[],
): [number, number][] {
  const queues: Pkt[][] = [[], [], [], []];
  packets.forEach(([q, size], seq) => queues[q].push({ size, seq }));
  const prio = slots(txarb);
  const wireUnits = (size: number): number => (size + 20) * 8 * ONE;
  const need = (q: number): number => (queues[q][0].size + 20) * 8 * factors[q];
  const cap = (q: number): number => R.TXQMIN_CREDIT_CAP * 8 * factors[q];
  const credit = [0, 0, 0, 0];
  const drr = drrRounds(
    queues,
    prio.filter((q) => quanta[q] > 0),
    quanta,
  );
  const out: [number, number][] = [];
  let filling = [false, false, false, false];
  let t = 0;
  let prev = 0;
  while (true) {
    // A decision: the previous frame (if any) has just completed.
    for (let q = 0; q < 4; q++) {
      if (factors[q] > 0 && filling[q]) credit[q] = Math.min(cap(q), credit[q] + (t - prev));
    }
    prev = t;
    filling = queues.map((x) => x.length > 0);
    if (!filling.some(Boolean)) break;
    let pick = -1;
    let size = 0;
    const under =
      mode === 'fifo'
        ? undefined
        : prio.find((q) => factors[q] > 0 && queues[q].length > 0 && credit[q] >= need(q));
    const take = (q: number | undefined): void => {
      if (q === undefined) return;
      pick = q;
      size = queues[q].shift()!.size;
    };
    if (under !== undefined) take(under);
    else if (mode === 'fifo') {
      const heads = [0, 1, 2, 3].filter((q) => queues[q].length > 0);
      take(heads.reduce((a, b) => (queues[b][0].seq < queues[a][0].seq ? b : a)));
    } else if (mode === 'sp') take(prio.find((q) => queues[q].length > 0));
    else {
      if (mode === 'sp-drr') take(prio.find((q) => quanta[q] === 0 && queues[q].length > 0));
      if (pick < 0) {
        const r = drr.next();
        if (!r.done) [pick, size] = r.value;
      }
    }
    if (pick < 0) {
      // Pure DRR with only quantum-0 queues left: idle until a floored one covers its head.
      const waits = [0, 1, 2, 3].filter((q) => factors[q] > 0 && filling[q]).map((q) => need(q) - credit[q]);
      if (waits.length === 0) break;
      t += Math.min(...waits);
      continue;
    }
    if (factors[pick] > 0) credit[pick] = Math.max(0, credit[pick] - (size + 20) * 8 * factors[pick]);
    out.push([pick, t / ONE / BITS_PER_NS]);
    t += wireUnits(size);
  }
  return out;
}

function runDevice(
  mode: Mode,
  packets: [number, number][],
  txarb: number,
  quanta: number[],
  factors: number[],
): [number, number][] {
  const rig = new Rig({ memorySize: 4 * 1024 * 1024, txRingSize: 64, rxRingSize: 16 }).startHw();
  rig.nic.setLink(false);
  rig.write(R.TQAVCTRL, R.TQAVCTRL_TRANSMIT_MODE);
  rig.write(R.TXSCHED, MODE_REG[mode]);
  rig.write(R.TXARB, txarb);
  quanta.forEach((qu, q) => rig.write(R.TXQWRR(q), qu));
  factors.forEach((f, q) => rig.write(R.TXQMIN(q), f === 0 ? 0 : R.TXQMIN_ENABLE | f));
  packets.forEach(([q, size], k) => rig.send(q, makeFrame(size - 4, undefined, k)));
  rig.nic.setLink(true);
  rig.runIdle();
  return rig.peer.frames.map((f) => [f.queue, startOf(f)]);
}

const permutation = fc
  .shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 })
  .map(([a, b, c, d]) => a | (b << 2) | (c << 4) | (d << 6));
const backlog = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 64, max: 1518 })), {
  minLength: 1,
  maxLength: 40,
});
const quantaArb = fc.array(fc.constantFrom(0, 0, 300, 1518, 3000, 9000), { minLength: 4, maxLength: 4 });
/** Raw factors with small denominators (exact ties possible, near-ties far above float error). */
const factorsArb = fc.array(
  fc.constantFrom(0, 0, 1.5, 2, 3.5, 4, 8, 16).map((f) => f * ONE),
  { minLength: 4, maxLength: 4 },
);

describe('arbiter with floors vs exact reference model', () => {
  for (const mode of ['fifo', 'sp', 'drr', 'sp-drr'] as Mode[]) {
    it(`${mode}: same queue order and start times as the reference (random backlogs, floors, quanta)`, () => {
      fc.assert(
        fc.property(backlog, permutation, quantaArb, factorsArb, (p, txarb, qu, factors) => {
          const packets = p as [number, number][];
          const got = runDevice(mode, packets, txarb, qu, factors);
          const want = reference(mode, packets, txarb, qu, factors);
          expect(got.map(([q]) => q)).toEqual(want.map(([q]) => q));
          got.forEach(([, t], k) => expect(Math.abs(t - want[k][1])).toBeLessThan(1e-6));
        }),
        { numRuns: 60, seed: 2024 },
      );
    });
  }
});
