/**
 * RxFilters: MTU (RLPML, RCTL.LPE), promiscuous / all-multicast (RCTL.UPE, MPE) and the
 * multicast hash table (MTA, RCTL.MO = 00: bits 47:36 of the destination address). Register
 * writes are seen through a fake BAR behind a real Mmio; expected values are literals.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { RxFilters } from '../../driver-runtime/driver/rx-filters.ts';
import { Mmio, type MemoryAperture } from '../../driver-runtime/driver/mmio.ts';
import { Tracer } from '../../driver-runtime/kit/tracer.ts';
import type { Out } from '../../driver-runtime/kit/os-object.ts';

const RCTL = 0x00100;
const STATUS = 0x00008;
const RLPML = 0x05004;
const MTA0 = 0x05200;
const EN = 0x2;
const UPE = 0x8;
const MPE = 0x10;
const LPE = 0x20;
const BAM = 0x8000;
const SECRC = 0x0400_0000;
const RCTL_BASE = EN | BAM | SECRC;

class FakeBar implements MemoryAperture {
  writes: [number, number][] = [];
  reads = new Map<number, number>();
  MemoryRead32(_index: number, offset: number, value: Out<number>): void {
    value.value = this.reads.get(offset) ?? 0;
  }
  MemoryWrite32(_index: number, offset: number, data: number): void {
    this.writes.push([offset, data]);
  }
  /** The last value written to `offset`. */
  last(offset: number): number | undefined {
    for (let i = this.writes.length - 1; i >= 0; i--)
      if (this.writes[i][0] === offset) return this.writes[i][1];
    return undefined;
  }
  mta(): number[] {
    return Array.from({ length: 128 }, (_, i) => this.last(MTA0 + 4 * i) ?? -1);
  }
}

let bar: FakeBar;
let mmio: Mmio;

beforeEach(() => {
  bar = new FakeBar();
  mmio = new Mmio(bar, 0, new Tracer());
});

function mac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
}

describe('RxFilters: MTU', () => {
  it('starts at 1500 with a long-packet limit of 1522 (header 14 + VLAN 4 + FCS 4)', () => {
    const f = new RxFilters(2048);
    expect(f.mtu).toBe(1500);
    expect(f.longPacketLimit()).toBe(1522);
    expect(f.flags()).toBe(0);
    expect(f.maxMtu).toBe(2048 - 22);
  });

  it('a valid MTU writes RLPML and RCTL (LPE above 1500)', () => {
    const f = new RxFilters(10240);
    expect(f.setMtu(9000, mmio)).toBe(true);
    expect(f.mtu).toBe(9000);
    expect(bar.writes).toEqual([
      [RLPML, 9022],
      [RCTL, RCTL_BASE | LPE],
    ]);
    bar.writes = [];
    expect(f.setMtu(1500, mmio)).toBe(true);
    expect(bar.writes).toEqual([
      [RLPML, 1522],
      [RCTL, RCTL_BASE],
    ]);
    expect(f.setMtu(1501, null)).toBe(true);
    expect(f.flags()).toBe(LPE);
  });

  it.each([[67], [2027], [1500.5], [NaN], [-1], [Infinity]])('refuses MTU %d and changes nothing', (mtu) => {
    const f = new RxFilters(2048);
    expect(f.setMtu(mtu, mmio)).toBe(false);
    expect(f.mtu).toBe(1500);
    expect(bar.writes).toEqual([]);
  });

  it('accepts the bounds 68 and bufferSize − 22', () => {
    const f = new RxFilters(2048);
    expect(f.setMtu(68, null)).toBe(true);
    expect(f.setMtu(2026, null)).toBe(true);
    expect(f.longPacketLimit()).toBe(2048);
  });
});

describe('RxFilters: RCTL modes', () => {
  it('promiscuous sets UPE|MPE, all-multicast MPE; both clear again', () => {
    const f = new RxFilters(2048);
    f.setPromiscuous(true, mmio);
    expect(bar.last(RCTL)).toBe(RCTL_BASE | UPE | MPE);
    f.setAllMulticast(true, mmio);
    f.setPromiscuous(false, mmio);
    expect(bar.last(RCTL)).toBe(RCTL_BASE | MPE);
    f.setAllMulticast(false, mmio);
    expect(bar.last(RCTL)).toBe(RCTL_BASE);
  });

  it('without a device (null) it only remembers, for writeRctl after a reset', () => {
    const f = new RxFilters(4096);
    f.setPromiscuous(true, null);
    f.setMtu(3000, null);
    expect(bar.writes).toEqual([]);
    f.writeRctl(mmio);
    expect(bar.writes).toEqual([[RCTL, RCTL_BASE | UPE | MPE | LPE]]);
  });

  it('writes nothing once the device is gone', () => {
    bar.reads.set(STATUS, 0xffffffff);
    mmio.rd32(STATUS);
    expect(mmio.removed).toBe(true);
    const f = new RxFilters(2048);
    f.setPromiscuous(true, mmio);
    f.setMulticast([mac('01:00:5e:00:00:fb')], 1, mmio);
    f.writeRctl(mmio);
    f.writeMulticastTable(mmio);
    expect(bar.writes).toEqual([]);
  });
});

describe('RxFilters: multicast hash (MTA)', () => {
  it('sets bit hash[4:0] of word hash[11:5], hash = DA[47:36]', () => {
    const f = new RxFilters(2048);
    const list = [
      mac('01:00:5e:00:00:fb'), // hash 0xfb0: word 125, bit 16
      mac('33:33:00:00:00:01'), // hash 0x010: word 0, bit 16
      mac('01:00:5e:7f:ff:fa'), // hash 0xfaf: word 125, bit 15
      mac('01:00:5e:00:00:01'), // hash 0x010: same bit as 33:33:00:00:00:01
      mac('01:80:c2:00:f0:01'), // hash 0x01f: word 0, bit 31
    ];
    expect(f.setMulticast(list, list.length, mmio)).toBe(true);
    const mta = bar.mta();
    const expected = new Array<number>(128).fill(0);
    expected[0] = (1 << 16) + 2 ** 31;
    expected[125] = (1 << 16) | (1 << 15);
    expect(mta).toEqual(expected);
    // Every word is written, each once, and only MTA.
    expect(bar.writes).toHaveLength(128);
  });

  it('uses only the first `count` addresses and keeps its own copy', () => {
    const f = new RxFilters(2048);
    const a = mac('01:00:5e:00:00:fb');
    const list = [a, mac('33:33:00:00:00:01')];
    expect(f.setMulticast(list, 1, null)).toBe(true);
    a[5] = 0x01; // the caller reuses its buffer
    f.writeMulticastTable(mmio);
    const mta = bar.mta();
    expect(mta[125]).toBe(1 << 16);
    expect(mta[0]).toBe(0);
  });

  it.each([
    ['count above the list', [mac('01:00:5e:00:00:fb')], 2],
    ['negative count', [mac('01:00:5e:00:00:fb')], -1],
    ['fractional count', [mac('01:00:5e:00:00:fb')], 0.5],
    ['short address', [Uint8Array.of(1, 0, 0x5e, 0, 0)], 1],
    ['long address', [new Uint8Array(7)], 1],
  ])('refuses a malformed list (%s) and keeps the old one', (_what, list, count) => {
    const f = new RxFilters(2048);
    f.setMulticast([mac('01:00:5e:7f:ff:fa')], 1, null);
    expect(f.setMulticast(list as Uint8Array[], count, mmio)).toBe(false);
    expect(bar.writes).toEqual([]);
    f.writeMulticastTable(mmio);
    expect(bar.mta()[125]).toBe(1 << 15);
  });

  it('an empty list clears the table', () => {
    const f = new RxFilters(2048);
    f.setMulticast([mac('01:00:5e:7f:ff:fa')], 1, mmio);
    expect(f.setMulticast([], 0, mmio)).toBe(true);
    expect(bar.mta().every((w) => w === 0)).toBe(true);
  });
});
