/** Interrupt delivery and EITR moderation (I210: interval bits 14:2 in 1 µs units). */
import { describe, expect, it } from 'vitest';
import * as R from '../../driver-runtime/device/registers.ts';
import { makeFrame, Rig } from './fixture.ts';

/** EITR value for an interval of `us` microseconds (interval bits 14:2, 1 µs units). */
const eitr = (us: number): number => us << R.EITR_INTERVAL_SHIFT;
const ALL_VECTORS = (1 << R.MSIX_VECTORS) - 1;

/** Sends one 64 B frame on queue 0 every `period` ns, `count` times, starting at `start`. */
function periodicTx(rig: Rig, start: number, period: number, count: number): void {
  const handler = {
    onEvent: () => {
      rig.send(0, makeFrame(60));
    },
  };
  for (let k = 0; k < count; k++) rig.scheduler.schedule(start + k * period, handler);
}

const v0Times = (rig: Rig) => rig.bus.msix.filter((m) => m.vector === 0).map((m) => m.time);

describe('EITR moderation', () => {
  it('first event fires immediately, then at most one interrupt per 100 µs interval (EITR = 100 µs)', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(0), eitr(100));
    periodicTx(rig, 0, 10_000, 100);
    rig.run(1_500_000);
    const times = v0Times(rig);
    expect(times).toEqual(Array.from({ length: 11 }, (_, k) => 67.2 + 100_000 * k));
  });

  it('after an idle interval the counter stays at 0: the next event fires immediately', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(0), eitr(100));
    periodicTx(rig, 0, 1, 1);
    periodicTx(rig, 500_000, 1, 1);
    rig.run(1_000_000);
    expect(v0Times(rig)).toEqual([67.2, 500_067.2]);
  });

  it('interval units are 1 µs: EITR = 0x28 (10 µs) spaces interrupts 10 000 ns apart', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(0), 0x28);
    periodicTx(rig, 0, 1000, 30);
    rig.run(100_000);
    const times = v0Times(rig);
    for (let k = 1; k < times.length; k++)
      expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(10_000 - 1e-9);
    expect(times[1] - times[0]).toBeCloseTo(10_000, 9);
  });

  it('EITR = 0 means no moderation: one interrupt per completion', () => {
    const rig = new Rig().startHw();
    periodicTx(rig, 0, 1000, 20);
    rig.run(100_000);
    expect(v0Times(rig)).toHaveLength(20);
  });

  it('writing 0 to EITR fires a pending (throttled) cause at once', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(0), eitr(1000));
    periodicTx(rig, 0, 10_000, 2);
    rig.run(50_000);
    expect(v0Times(rig)).toEqual([67.2]);
    rig.write(R.EITR(0), 0);
    expect(v0Times(rig)).toEqual([67.2, 50_000]);
  });

  it('a masked vector stays pending and fires when EIMS unmasks it', () => {
    const rig = new Rig().startHw();
    rig.write(R.EIMC, 1 << 1);
    rig.send(1, makeFrame(60));
    rig.run(10_000);
    expect(rig.bus.msix).toHaveLength(0);
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(1 << 1);
    rig.write(R.EIMS, 1 << 1);
    expect(rig.vectors()).toEqual([1]);
    // EIAC auto-cleared the cause on delivery.
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(0);
  });

  it('without EIAC the EICR bit stays set after delivery (read clears it)', () => {
    const rig = new Rig().startHw();
    rig.write(R.EIAC, 0);
    rig.send(2, makeFrame(60));
    rig.run(10_000);
    expect(rig.vectors()).toEqual([2]);
    expect(rig.read(R.EICR)).toBe(1 << 2);
    expect(rig.read(R.EICR)).toBe(0);
  });

  it('EIAM with GPIE.EIAME auto-masks the vector on delivery', () => {
    const rig = new Rig().startHw();
    rig.write(R.GPIE, rig.read(R.GPIE) | R.GPIE_EIAME);
    rig.write(R.EIAM, 1 << 0);
    rig.send(0, makeFrame(60));
    rig.run(10_000);
    expect(rig.read(R.EIMS) & 1).toBe(0);
  });

  it('legacy (non-MSI-X) mode: ICR & IMS -> vector 0', () => {
    const rig = new Rig().startHw({ msix: false });
    rig.write(R.IMS, R.ICR_TXDW);
    rig.send(3, makeFrame(60));
    rig.run(10_000);
    expect(rig.vectors()).toEqual([0]);
    expect((rig.read(R.ICR) & (R.ICR_TXDW | R.ICR_INT_ASSERTED)) >>> 0).toBe(
      (R.ICR_TXDW | R.ICR_INT_ASSERTED) >>> 0,
    );
  });

  it('other causes (LSC) go to the IVAR_MISC vector', () => {
    const rig = new Rig().startHw();
    rig.nic.setLink(false);
    expect(rig.vectors()).toEqual([R.OTHER_VECTOR]);
    expect(rig.read(R.ICR) & R.ICR_LSC).toBe(R.ICR_LSC);
  });
});

describe('interrupt faults', () => {
  it('loseInterrupts drops messages the device believes it sent', () => {
    const rig = new Rig().startHw();
    rig.nic.faults.loseInterrupts(2);
    periodicTx(rig, 0, 1000, 3);
    rig.run(10_000);
    expect(v0Times(rig)).toEqual([2067.2]);
    expect(rig.read(R.IAC)).toBe(3);
  });

  it('stormInterrupts sends extra messages bypassing masks and EITR', () => {
    const rig = new Rig().startHw();
    rig.write(R.EIMC, ALL_VECTORS);
    rig.nic.faults.stormInterrupts(3, 5);
    rig.run(1);
    expect(rig.vectors()).toEqual([3, 3, 3, 3, 3]);
  });
});
