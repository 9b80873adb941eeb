/** Register semantics, table-driven (like `ethtool -t` reg test / nic-model §6.8). */
import { describe, expect, it } from 'vitest';
import { SIM_NIC_IDENTITY, TXARB_RESET, TXQBURST_DEFAULT } from '../../driver-runtime/device/index.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import { kPCIBARTypeM32 } from '../../driver-runtime/pci/pci-function.ts';
import { MAC, makeFrame, Rig } from './fixture.ts';

const RESET_VALUES: [string, number, number][] = [
  ['CTRL', R.CTRL, 0],
  ['VET', R.VET, 0x8100],
  ['TCTL', R.TCTL, 0x000400f8],
  ['RCTL', R.RCTL, 0],
  ['TXARB', R.TXARB, TXARB_RESET],
  ['TXSCHED', R.TXSCHED, 0],
  ['TQAVCTRL', R.TQAVCTRL, 0],
  ['TXQBURST0', R.TXQBURST(0), TXQBURST_DEFAULT],
  ['TXQBURST3', R.TXQBURST(3), TXQBURST_DEFAULT],
  ['TXQMIN0', R.TXQMIN(0), 0],
  ['TXQMIN3', R.TXQMIN(3), 0],
  ['SRRCTL1', R.SRRCTL(1), R.SRRCTL_DESCTYPE_ADV_ONEBUF | 2],
  ['RAL0', R.RAL(0), 0x105e0002],
  ['RAH0', R.RAH(0), (0x3020 | R.RAH_AV) >>> 0],
  ['RAH1', R.RAH(1), 0],
  ['TDLEN2', R.TDLEN(2), 0],
  ['TXDCTL0', R.TXDCTL(0), 0],
  ['GPIE', R.GPIE, 0],
  ['EIMS', R.EIMS, 0],
  ['IMS', R.IMS, 0],
  ['MRQC', R.MRQC, 0],
  ['DTXMXPKTSZ', R.DTXMXPKTSZ, 9728 / 64],
];

describe('register file', () => {
  it('identity: vendor 0xFAB1, device 0x0210, Ethernet class, BAR0 128 KiB, BAR3 MSI-X, 5 vectors', () => {
    expect(SIM_NIC_IDENTITY.vendorId).toBe(0xfab1);
    expect(SIM_NIC_IDENTITY.deviceId).toBe(0x0210);
    expect(SIM_NIC_IDENTITY.classCode).toBe(0x020000);
    expect(SIM_NIC_IDENTITY.bars.map((b) => [b.bar, b.size])).toEqual([
      [0, 128 * 1024],
      [3, 16 * 1024],
    ]);
    expect(SIM_NIC_IDENTITY.msixVectors).toBe(5);
    expect(SIM_NIC_IDENTITY.bars.every((b) => b.type === kPCIBARTypeM32)).toBe(true);
  });

  for (const [name, offset, value] of RESET_VALUES) {
    it(`reset value ${name} = 0x${value.toString(16)}`, () => {
      const rig = new Rig();
      expect(rig.read(offset)).toBe(value);
    });
  }

  it('MAC is readable from RAL0/RAH0 and from EEPROM words 0..2 via EERD', () => {
    const rig = new Rig();
    const words = [0, 1, 2].map((a) => {
      rig.write(R.EERD, R.EERD_START | (a << R.EERD_ADDR_SHIFT));
      const v = rig.read(R.EERD);
      expect(v & R.EERD_DONE).toBe(R.EERD_DONE);
      return v >>> 16;
    });
    expect(words).toEqual([MAC[0] | (MAC[1] << 8), MAC[2] | (MAC[3] << 8), MAC[4] | (MAC[5] << 8)]);
  });

  it('STATUS reports link up, full duplex, 1000 + 2.5G bit 22 / 10G bit 23', () => {
    const s25 = new Rig({ linkSpeed: '2.5g' }).read(R.STATUS);
    expect(s25 & R.STATUS_LU).toBe(R.STATUS_LU);
    expect(s25 & R.STATUS_FD).toBe(R.STATUS_FD);
    expect((s25 >> 6) & 3).toBe(2);
    expect(s25 & R.STATUS_2G5).toBe(R.STATUS_2G5);
    const s10 = new Rig({ linkSpeed: '10g' }).read(R.STATUS);
    expect(s10 & R.STATUS_10G).toBe(R.STATUS_10G);
    expect(s10 & R.STATUS_2G5).toBe(0);
    expect(new Rig({ linkSpeed: '1g' }).read(R.STATUS) & (R.STATUS_2G5 | R.STATUS_10G)).toBe(0);
  });

  const READ_ONLY: [string, number][] = [
    ['STATUS', R.STATUS],
    ['GPTC', R.GPTC],
    ['GORCH', R.GORCH],
    ['RQDPC1', R.RQDPC(1)],
    ['TQPC0', R.TQPC(0)],
  ];
  for (const [name, offset] of READ_ONLY) {
    it(`${name} is read-only: write ignored with a warning trace`, () => {
      const rig = new Rig();
      const before = rig.read(offset);
      rig.write(offset, 0x12345678);
      expect(rig.read(offset)).toBe(before);
      const warns = rig.tracer.find(/write to read-only/);
      expect(warns).toHaveLength(1);
      expect(warns[0].level).toBe('warn');
    });
  }

  it('unknown offsets read 0 and trace "unknown register"; writes are dropped', () => {
    const rig = new Rig();
    rig.write(0x1ff00, 0xdead);
    expect(rig.read(0x1ff00)).toBe(0);
    expect(rig.tracer.find(/unknown register/)).toHaveLength(2);
  });

  it('misaligned MMIO returns 0 and traces', () => {
    const rig = new Rig();
    expect(rig.nic.mmioRead32(0, R.VET + 2)).toBe(0);
    expect(rig.tracer.find(/bad MMIO/)).toHaveLength(1);
  });

  it('masks writable bits (TDLEN keeps bits 19:7, RDT 16 bits, TXARB 8 bits)', () => {
    const rig = new Rig();
    rig.write(R.TDLEN(0), 0xffffffff);
    expect(rig.read(R.TDLEN(0))).toBe(0x000fff80);
    rig.write(R.TXARB, 0xffffffff);
    expect(rig.read(R.TXARB)).toBe(0xff);
  });

  it('legacy queue aliases (0x3800 / 0x2800 + 0x100n) reach the same storage', () => {
    const rig = new Rig();
    rig.write(0x3800 + 0x100 * 2 + 0x08, 4096);
    expect(rig.read(R.TDLEN(2))).toBe(4096);
    rig.write(R.RDBAL(1), 0x1000);
    expect(rig.read(0x2800 + 0x100)).toBe(0x1000);
  });

  it('EICR is write-1-to-clear; EICS sets it; pending-but-masked is visible', () => {
    const rig = new Rig();
    rig.write(R.GPIE, R.GPIE_MSIX_MODE);
    rig.write(R.EICS, 0b10110);
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(0b10110);
    rig.write(R.EICR, 0b00100);
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(0b10010);
    expect(rig.bus.msix).toHaveLength(0);
  });

  it('ICR is clear-on-read in legacy mode, and W1C', () => {
    const rig = new Rig();
    rig.write(R.ICS, R.ICR_LSC | R.ICR_RXO);
    rig.write(R.ICR, R.ICR_RXO);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(0);
  });

  it('ICR read in MSI-X mode without NSICR and with IMS set keeps the causes', () => {
    const rig = new Rig();
    rig.write(R.GPIE, R.GPIE_MSIX_MODE);
    rig.write(R.IMS, R.ICR_RXO);
    rig.write(R.ICS, R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
  });

  it('IMS sets and IMC clears mask bits; IMC reads 0', () => {
    const rig = new Rig();
    rig.write(R.IMS, 0x5);
    rig.write(R.IMS, 0x10);
    rig.write(R.IMC, 0x4);
    expect(rig.read(R.IMS)).toBe(0x11);
    expect(rig.read(R.IMC)).toBe(0);
  });

  it('statistics are clear-on-read; 64-bit pairs clear on reading the high half', () => {
    const rig = new Rig().startHw();
    rig.send(0, makeFrame(100));
    rig.send(0, makeFrame(100));
    rig.runIdle();
    expect(rig.read(R.GPTC)).toBe(2);
    expect(rig.read(R.GPTC)).toBe(0);
    expect(rig.read(R.TOTL)).toBe(208);
    expect(rig.read(R.TOTL)).toBe(208);
    expect(rig.read(R.TOTH)).toBe(0);
    expect(rig.read(R.TOTL)).toBe(0);
  });

  it('counters saturate at 0xFFFFFFFF; 64-bit pairs carry into the high half', () => {
    const rig = new Rig();
    const regs = rig.nic.core.regs;
    regs.set(R.GPTC, 0xfffffffe);
    regs.inc(R.GPTC, 5);
    expect(rig.read(R.GPTC)).toBe(0xffffffff);
    regs.set(R.GOTCL, 0xfffffff0);
    regs.add64(R.GOTCL, 0x20);
    expect(rig.read(R.GOTCL)).toBe(0x10);
    expect(rig.read(R.GOTCH)).toBe(1);
  });

  it('CTRL.RST is self-clearing and resets rings, but EITR survives', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(2), 50 << 2);
    rig.write(R.TXSCHED, 2);
    rig.write(R.CTRL, R.CTRL_RST | R.CTRL_SLU);
    expect(rig.read(R.CTRL) & R.CTRL_RST).toBe(0);
    expect(rig.read(R.TDLEN(0))).toBe(0);
    expect(rig.read(R.TXDCTL(0))).toBe(0);
    expect(rig.read(R.TXSCHED)).toBe(0);
    expect(rig.read(R.EITR(2))).toBe(50 << 2);
    expect(rig.read(R.RAH(0)) & R.RAH_AV).toBe(R.RAH_AV);
    // FLR / power-on reset clears EITR too.
    rig.nic.reset();
    expect(rig.read(R.EITR(2))).toBe(0);
  });

  it('CTRL.RST abandons the frame in flight', () => {
    const rig = new Rig({ linkSpeed: '1g' }).startHw();
    rig.send(0, makeFrame(1514));
    rig.run(100);
    rig.write(R.CTRL, R.CTRL_RST);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(0);
  });

  it('MDIC PHY read of BMSR reports link status and READY', () => {
    const rig = new Rig();
    rig.write(R.MDIC, R.MDIC_OP_READ | (1 << 16) | (1 << 21));
    const v = rig.read(R.MDIC);
    expect(v & R.MDIC_READY).toBe(R.MDIC_READY);
    expect(v & 0x4).toBe(0x4);
  });
});
