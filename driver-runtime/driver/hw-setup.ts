import type { DriverOptions } from './driver-options.ts';
import type { TxPolicy } from './tx-policy.ts';
import * as R from './hw-regs.ts';
import type { Mmio } from './mmio.ts';
import type { RxRing } from './rx-ring.ts';
import type { TxRing } from './tx-ring.ts';

const QUEUE_VECTOR_BITS = 0x0f;
const ALL_VECTOR_BITS = 0x1f;

/**
 * Tx write-back bursting, as Linux igb programs the I210 (IGB_TX_WTHRESH 16): completed
 * descriptors are written back 16 at a time or when the queue's EITR interval ends — the
 * interrupt then finds every completion written back, with a sixteenth of the DMA writes.
 */
export const TX_WTHRESH = 16;

/** CTRL.RST (self-clearing), then mask everything and clear pending causes. */
export function resetHardware(mmio: Mmio): void {
  mmio.wr32(R.EIMC, 0xffffffff);
  mmio.wr32(R.IMC, 0xffffffff);
  mmio.wr32(R.CTRL, mmio.rd32(R.CTRL) | R.CTRL_RST);
  mmio.wr32(R.EIMC, 0xffffffff);
  mmio.wr32(R.IMC, 0xffffffff);
  mmio.rd32(R.ICR);
}

/**
 * igb_configure: interrupts (MSI-X, IVAR, EITR, auto-clear/auto-mask), Tx and Rx rings,
 * then the global enables. Base and length are written while each queue is disabled, as
 * the datasheet requires.
 */
export function programHardware(
  mmio: Mmio,
  txRings: readonly TxRing[],
  rxRings: readonly RxRing[],
  options: DriverOptions,
  /** RLPML value: the longest frame accepted. */
  longPacketLimit: number,
  rxFilterFlags: number,
): void {
  mmio.wr32(R.CTRL, mmio.rd32(R.CTRL) | R.CTRL_SLU);
  mmio.wr32(R.CTRL_EXT, mmio.rd32(R.CTRL_EXT) | R.CTRL_EXT_DRV_LOAD);

  // Interrupts: queue pair n on vector n, other causes on vector 4 (I210 layout, §6.5).
  mmio.wr32(R.GPIE, R.GPIE_MSIX_MODE | R.GPIE_EIAME | R.GPIE_PBA);
  for (let index = 0; index < 2; index++) {
    const even = 2 * index;
    const odd = even + 1;
    const ivar =
      ((even | R.IVAR_VALID) << 0) |
      ((even | R.IVAR_VALID) << 8) |
      ((odd | R.IVAR_VALID) << 16) |
      ((odd | R.IVAR_VALID) << 24);
    mmio.wr32(R.IVAR0 + 4 * index, ivar >>> 0);
  }
  mmio.wr32(R.IVAR_MISC, (R.OTHER_VECTOR | R.IVAR_VALID) << 8);
  for (let v = 0; v < R.NUM_QUEUES; v++) mmio.wr32(R.EITR(v), (options.itrUs & 0x1fff) << 2);
  mmio.wr32(R.EITR(R.OTHER_VECTOR), 0);
  mmio.wr32(R.EIAC, ALL_VECTOR_BITS);
  // Queue vectors mask themselves on delivery; the poll unmasks when its work is done.
  mmio.wr32(R.EIAM, QUEUE_VECTOR_BITS);

  for (const ring of txRings) {
    const q = ring.queueIndex;
    const phys = ring.descriptors.physicalAddress();
    mmio.wr32(R.TXDCTL(q), 0);
    mmio.wr32(R.TDBAL(q), phys >>> 0);
    mmio.wr32(R.TDBAH(q), Math.floor(phys / 4294967296));
    mmio.wr32(R.TDLEN(q), ring.count * R.DESCRIPTOR_BYTES);
    mmio.wr32(R.TDH(q), 0);
    mmio.wr32(R.TDT(q), 0);
    mmio.wr32(R.TXDCTL(q), R.TXDCTL_ENABLE | R.TXDCTL_TSWB | (TX_WTHRESH << R.TXDCTL_WTHRESH_SHIFT));
  }
  for (const ring of rxRings) {
    const q = ring.queueIndex;
    const phys = ring.descriptors.physicalAddress();
    mmio.wr32(R.RXDCTL(q), 0);
    mmio.wr32(R.RDBAL(q), phys >>> 0);
    mmio.wr32(R.RDBAH(q), Math.floor(phys / 4294967296));
    mmio.wr32(R.RDLEN(q), ring.count * R.DESCRIPTOR_BYTES);
    mmio.wr32(
      R.SRRCTL(q),
      (R.SRRCTL_DESCTYPE_ADV_ONEBUF | R.SRRCTL_DROP_EN | (options.bufferSize >>> 10)) >>> 0,
    );
    mmio.wr32(R.RDH(q), 0);
    mmio.wr32(R.RDT(q), 0);
    mmio.wr32(R.RXDCTL(q), R.RXDCTL_ENABLE);
  }
  mmio.wr32(R.RLPML, longPacketLimit);
  mmio.wr32(R.TCTL, R.TCTL_EN | R.TCTL_PSP);
  mmio.wr32(R.RCTL, R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC | rxFilterFlags);

  mmio.rd32(R.ICR);
  mmio.wr32(R.IMS, R.ICR_LSC | R.ICR_DOUTSYNC | R.ICR_RXO);
  mmio.wr32(R.EIMS, ALL_VECTOR_BITS);
}

const SCHED_MODE = {
  fifo: R.TXSCHED_FIFO,
  sp: R.TXSCHED_SP,
  drr: R.TXSCHED_DRR,
  'sp-drr': R.TXSCHED_SP_DRR,
} as const;

/**
 * Tx arbitration: TXARB slot 0 (highest) = queue 3 … slot 3 = queue 0, so NetLanes'
 * "Queue 3 highest" holds in SP; TXSCHED picks the mode; TXQWRR holds DRR quanta.
 */
export function programTxScheduler(mmio: Mmio, options: TxPolicy, linkBps: number): void {
  const txarb = 3 | (2 << 2) | (1 << 4) | (0 << 6);
  mmio.wr32(R.TXARB, txarb);
  for (let q = 0; q < R.NUM_QUEUES; q++) mmio.wr32(R.TXQWRR(q), options.drrQuanta[q] >>> 0);
  mmio.wr32(R.TXSCHED, SCHED_MODE[options.txScheduler]);
  mmio.wr32(R.TQAVCTRL, options.txScheduler === 'fifo' ? 0 : R.TQAVCTRL_TRANSMIT_MODE);
  for (let q = 0; q < R.NUM_QUEUES; q++) {
    const floor = options.floors[q];
    mmio.wr32(R.TXQMIN(q), floor > 0 ? (R.TXQMIN_ENABLE | rateFactor(1 / floor)) >>> 0 : 0);
    // Max rate: select the queue, then RS_ENA | link/rate in 14.14 (82576 RTTBCNRC).
    const max = options.maxBps[q];
    mmio.wr32(R.RTTDQSEL, q);
    mmio.wr32(
      R.RTTBCNRC,
      max > 0 && max < linkBps ? (R.RTTBCNRC_RS_ENA | rateFactor(linkBps / max)) >>> 0 : 0,
    );
  }
}

/** A ratio ≥ 1 as 14.14 fixed point (integer part bits 27:14, fraction 13:0). */
function rateFactor(ratio: number): number {
  return Math.min(0x0fffffff, Math.round(ratio * 16384));
}

/** Stops DMA and interrupts: masks set, receiver and transmitter and every queue disabled. */
export function quiesceHardware(mmio: Mmio): void {
  if (mmio.removed) return;
  mmio.wr32(R.EIMC, 0xffffffff);
  mmio.wr32(R.IMC, 0xffffffff);
  mmio.wr32(R.TCTL, 0);
  mmio.wr32(R.RCTL, 0);
  for (let q = 0; q < R.NUM_QUEUES; q++) {
    mmio.wr32(R.TXDCTL(q), 0);
    mmio.wr32(R.RXDCTL(q), 0);
  }
  mmio.rd32(R.ICR);
}

/** The station address the EEPROM loaded into RAL0/RAH0. */
export function readMac(mmio: Mmio): Uint8Array {
  const lo = mmio.rd32(R.RAL(0));
  const hi = mmio.rd32(R.RAH(0));
  return Uint8Array.of(
    lo & 0xff,
    (lo >>> 8) & 0xff,
    (lo >>> 16) & 0xff,
    lo >>> 24,
    hi & 0xff,
    (hi >>> 8) & 0xff,
  );
}
