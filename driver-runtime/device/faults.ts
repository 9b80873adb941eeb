/**
 * Fault injection (nic-model §6.7). Each method is one small, documented deviation from
 * normal hardware; the fault-injection feature drives these.
 */
import type { NicCore } from './nic-core.ts';

export class NicFaults {
  constructor(
    private readonly core: NicCore,
    private readonly markRemoved: () => void,
  ) {}

  /** Device vanishes from the bus: reads 0xFFFFFFFF, writes dropped, no DMA, no interrupts. */
  surpriseRemove(): void {
    this.markRemoved();
    this.core.surpriseRemove();
  }

  /** Tx queue `q` stops advancing TDH (frames stay queued) until released. STATUS.TXOFF stays 0. */
  hangTxQueue(q: number, hung: boolean): void {
    this.core.tx.queues[q & 3].hung = hung;
    this.core.tx.backlogChanged();
    if (!hung) this.core.tx.kick();
  }

  /** Link partner sends XOFF (true) / XON (false): STATUS.TXOFF, Tx stalls, XOFFRXC/XONRXC count. */
  setPause(paused: boolean): void {
    this.core.setPause(paused);
  }

  /** The next Tx packet fetched from queue `q` hits a DMA error (ICR.DOUTSYNC, queue disabled). */
  injectDmaErrorOnNextTx(q: number): void {
    this.core.tx.queues[q & 3].injectDmaError = true;
  }

  /** The next `count` interrupt messages are dropped after the device considers them sent. */
  loseInterrupts(count: number): void {
    this.core.interrupts.loseNext(count);
  }

  /** Sends `count` spurious messages on `vector`, bypassing masks and EITR. */
  stormInterrupts(vector: number, count: number): void {
    this.core.interrupts.storm(vector, count);
  }

  /** While on, every received frame is dropped as an overrun (ICR.RXO, MPC/RNBC/RQDPC). */
  overrunRx(on: boolean): void {
    this.core.rx.overrun = on;
  }
}
