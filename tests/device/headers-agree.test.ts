/**
 * The NIC model (device/registers.ts) and our driver (driver/hw-regs.ts) keep separate register
 * headers on purpose: a real dext cannot import the NIC model. This test is what keeps the two
 * copies from drifting apart:
 * - every name both headers export has the same value (register families compared index by index);
 * - a field is spelled one way: the renames that aligned the device header with the driver's
 *   spellings stay done, and no new pair of different names with the same value and a similar
 *   name (same register prefix, or one name ending with the other) appears.
 */
import { describe, expect, it } from 'vitest';
import * as DEVICE from '../../driver-runtime/device/registers.ts';
import * as DRIVER from '../../driver-runtime/driver/hw-regs.ts';

type Export = number | readonly number[] | ((n: number) => number);
const device = DEVICE as unknown as Record<string, Export>;
const driver = DRIVER as unknown as Record<string, Export>;

/**
 * Register families are compared at every index 0..127: the largest table is MTA[128]; for the
 * smaller ones (4 queues, 5 EITR vectors, 16 RAL/RAH) the extra indices are plain arithmetic
 * and must agree as well.
 */
const INDICES = Array.from({ length: 128 }, (_, n) => n);

/** A comparable rendering of an export: numbers as unsigned hex, families as their values. */
function render(value: Export): string {
  const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
  if (typeof value === 'function') return INDICES.map((n) => hex(value(n))).join(',');
  if (typeof value === 'number') return hex(value);
  return `[${value.map(hex).join(',')}]`;
}

const kind = (value: Export): string => (typeof value === 'function' ? 'family' : typeof value);

const sharedNames = Object.keys(driver).filter((name) => name in device);
const driverOnly = Object.keys(driver).filter((name) => !(name in device));
const deviceOnly = Object.keys(device).filter((name) => !(name in driver));

/**
 * Two names "look like the same field" when they share the register prefix (first token, or one
 * first token a prefix of the other: DESC_SIZE / DESCRIPTOR_BYTES) or one name ends with the
 * other (MSIX_OTHER_VECTOR / OTHER_VECTOR, XDCTL_ENABLE / TXDCTL_ENABLE).
 */
function looksAlike(a: string, b: string): boolean {
  const [pa] = a.split('_');
  const [pb] = b.split('_');
  return pa.startsWith(pb) || pb.startsWith(pa) || a.endsWith(b) || b.endsWith(a);
}

describe('device and driver register headers agree', () => {
  it('share a substantial set of names (guards against comparing two empty modules)', () => {
    // Offsets, ring registers, statistics, interrupt and descriptor bits: 110 today.
    expect(sharedNames.length).toBeGreaterThan(80);
  });

  it('every name exported by both headers has the same value (families at every index)', () => {
    const differ = sharedNames
      .filter((name) => render(device[name]) !== render(driver[name]))
      .map((name) => `${name}: device ${render(device[name])} / driver ${render(driver[name])}`);
    expect(differ).toEqual([]);
  });

  it('the register families both headers define are families in both (no constant vs function)', () => {
    const mismatched = sharedNames.filter((name) => kind(device[name]) !== kind(driver[name]));
    expect(mismatched).toEqual([]);
  });

  // Spellings the device header used to have for a field the driver header names differently.
  // The device header now uses the driver's spelling; the old one must not come back.
  const RENAMED: [deviceSpelling: string, driverSpelling: string][] = [
    ['TXD_STAT_DD', 'TXD_STA_DD'],
    ['STATUS_SPEED_2500', 'STATUS_2G5'],
    ['STATUS_SPEED_10G', 'STATUS_10G'],
    ['TXSCHED_SP_OVER_DRR', 'TXSCHED_SP_DRR'],
    ['DESC_SIZE', 'DESCRIPTOR_BYTES'],
    ['MSIX_OTHER_VECTOR', 'OTHER_VECTOR'],
    ['XDCTL_ENABLE', 'TXDCTL_ENABLE'],
    ['XDCTL_ENABLE', 'RXDCTL_ENABLE'],
  ];
  for (const [old, spelling] of RENAMED) {
    it(`the device header spells ${spelling} as the driver does (not ${old})`, () => {
      expect(Object.keys(device)).not.toContain(old);
      expect(Object.keys(device)).toContain(spelling);
      expect(Object.keys(driver)).toContain(spelling);
    });
  }

  it('the multicast table is MTA(n) in both headers (the device also keeps MTA_BASE = MTA(0))', () => {
    expect(render(device.MTA)).toBe(render(driver.MTA));
    expect(device.MTA_BASE).toBe((device.MTA as (n: number) => number)(0));
  });

  it('DTYP: both headers name the field values and the shift the same way', () => {
    // Literals from nic-model §1.5: DTYP 23:20, context 0010, data 0011.
    for (const h of [DRIVER, DEVICE]) {
      expect(h.TXD_DTYP_SHIFT).toBe(20);
      expect(h.TXD_DTYP_CONTEXT).toBe(0x2);
      expect(h.TXD_DTYP_DATA).toBe(0x3);
    }
  });

  it('no other name pair with equal values looks like one field spelled two ways', () => {
    const pairs: string[] = [];
    for (const a of driverOnly) {
      for (const b of deviceOnly) {
        const [x, y] = [driver[a], device[b]];
        // Families with the same offsets are the same registers whatever their names.
        const sameFamily = kind(x) === 'family' && kind(y) === 'family' && render(x) === render(y);
        const sameValue = kind(x) === kind(y) && render(x) === render(y) && looksAlike(a, b);
        // A family in one header, only its first register (X_BASE) in the other.
        const familyBase =
          (typeof x === 'function' && typeof y === 'number' && x(0) === y && looksAlike(a, b)) ||
          (typeof y === 'function' && typeof x === 'number' && y(0) === x && looksAlike(a, b));
        if (sameFamily || sameValue || familyBase) pairs.push(`driver ${a} ~ device ${b}`);
      }
    }
    expect(pairs).toEqual([]);
  });
});
