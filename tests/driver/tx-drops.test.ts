/**
 * TxDrops: each cause moves exactly one driver counter and one per-app column (and the
 * per-queue drop count only for queue-full and AQM), marks the packet aborted, and the
 * packets go back to the stack in bursts: once per flush, or when the burst is full.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { TxDrops, type TxDropCause } from '../../driver-runtime/driver/tx-drops.ts';
import { DriverStats } from '../../driver-runtime/driver/driver-stats.ts';
import {
  APP_COLUMNS,
  StatsView,
  statsLayout,
  type AppColumn,
} from '../../driver-runtime/abi/stats-layout.ts';
import type { IOUserNetworkPacketBufferPool } from '../../driver-runtime/networking/packet-buffer-pool.ts';
import { makeDma, type DmaFixture } from './fixture.ts';

/** kIOReturnAborted, written out. */
const ABORTED = 0xe00002eb;
const APPS = 8;

/** [cause, driver counter, per-app column, counts a per-queue drop]. */
const CAUSES: [TxDropCause, string, AppColumn, boolean][] = [
  ['queue-full', 'swQueueFull', 'dropQueueFull', true],
  ['aqm', 'aqm', 'dropAqm', true],
  ['cap', 'capExceeded', 'dropCap', false],
  ['aborted', 'aborted', 'dropAborted', false],
];

let dma: DmaFixture;
let pool: IOUserNetworkPacketBufferPool;
let stats: DriverStats;
let view: StatsView;
let slotOf: Uint16Array;
let calls: number[][];

function drops(capacity = 16): TxDrops {
  return new TxDrops(capacity, pool, stats, view, slotOf, (handles, n) => {
    calls.push(Array.from(handles.subarray(0, n)));
  });
}

/** Everything TxDrops could touch, as plain numbers. */
function snapshot() {
  return {
    drops: { ...stats.drops },
    queue: Array.from(stats.txQueueDrops),
    app: Object.fromEntries(APP_COLUMNS.map((c) => [c, Array.from(view.app[c])])),
    status: Array.from(pool.completionStatus),
  };
}

beforeEach(() => {
  dma = makeDma(64);
  pool = dma.pool;
  stats = new DriverStats();
  const layout = statsLayout(APPS);
  view = new StatsView(new ArrayBuffer(layout.bytes), 0, APPS);
  slotOf = new Uint16Array(pool.packetCount);
  calls = [];
});

describe('TxDrops.drop', () => {
  it.each(CAUSES)('%s moves %s, app column %s, and nothing else', (cause, counter, column, perQueue) => {
    const [h] = dma.packets(1);
    slotOf[h] = 5;
    const d = drops();
    const before = snapshot();
    d.drop(h, cause, 2);
    const after = snapshot();
    expect(pool.completionStatus[h]).toBe(ABORTED);
    const expected = structuredClone(before);
    (expected.drops as Record<string, number>)[counter]++;
    expected.app[column][5]++;
    if (perQueue) expected.queue[2]++;
    expected.status[h] = ABORTED;
    expect(after).toEqual(expected);
    // Not handed back before the flush.
    expect(calls).toEqual([]);
    d.flush();
    expect(calls).toEqual([[h]]);
  });

  it('a packet that never had a queue (-1) moves no per-queue count, whatever the cause', () => {
    const d = drops();
    for (const [cause] of CAUSES) d.drop(dma.packets(1)[0], cause, -1);
    expect(Array.from(stats.txQueueDrops)).toEqual([0, 0, 0, 0]);
    expect(stats.drops).toMatchObject({ swQueueFull: 1, aqm: 1, capExceeded: 1, aborted: 1 });
  });

  it('charges the packet’s own slot, and skips the column for a slot beyond the region', () => {
    const hs = dma.packets(3);
    slotOf[hs[0]] = 0;
    slotOf[hs[1]] = APPS - 1;
    slotOf[hs[2]] = APPS; // beyond the statistics region's capacity
    const d = drops();
    for (const h of hs) d.drop(h, 'aqm', 1);
    const col = Array.from(view.app.dropAqm);
    expect(col).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
    expect(stats.drops.aqm).toBe(3);
    expect(stats.txQueueDrops[1]).toBe(3);
  });

  it('counts per queue for queue-full and aqm on the queue given', () => {
    const d = drops();
    d.drop(dma.packets(1)[0], 'queue-full', 0);
    d.drop(dma.packets(1)[0], 'queue-full', 3);
    d.drop(dma.packets(1)[0], 'aqm', 3);
    expect(Array.from(stats.txQueueDrops)).toEqual([1, 0, 0, 2]);
  });
});

describe('TxDrops: bursts back to the stack', () => {
  it('hands everything dropped since the last flush back in one call, in order', () => {
    const d = drops(16);
    const hs = dma.packets(5);
    hs.forEach((h, i) => d.drop(h, CAUSES[i % 4][0], i % 4));
    expect(calls).toHaveLength(0);
    d.flush();
    expect(calls).toEqual([hs]);
    d.flush();
    expect(calls).toHaveLength(1);
  });

  it('a flush with nothing dropped does not call back', () => {
    drops().flush();
    expect(calls).toEqual([]);
  });

  it('flushes by itself when the burst is full, then keeps collecting', () => {
    const d = drops(4);
    const hs = dma.packets(10);
    for (const h of hs) d.drop(h, 'cap', -1);
    expect(calls).toEqual([hs.slice(0, 4), hs.slice(4, 8)]);
    d.flush();
    expect(calls).toEqual([hs.slice(0, 4), hs.slice(4, 8), hs.slice(8)]);
    expect(stats.drops.capExceeded).toBe(10);
  });

  it('dropAll drops n handles for one cause with no queue', () => {
    const d = drops(16);
    const hs = dma.packets(6);
    hs.forEach((h, i) => (slotOf[h] = i % 2));
    d.dropAll(Int32Array.from(hs), 4, 'aborted');
    expect(stats.drops.aborted).toBe(4);
    expect(Array.from(view.app.dropAborted.subarray(0, 2))).toEqual([2, 2]);
    expect(Array.from(stats.txQueueDrops)).toEqual([0, 0, 0, 0]);
    for (const h of hs.slice(0, 4)) expect(pool.completionStatus[h]).toBe(ABORTED);
    for (const h of hs.slice(4)) expect(pool.completionStatus[h]).toBe(0);
    d.flush();
    expect(calls).toEqual([hs.slice(0, 4)]);
  });
});
