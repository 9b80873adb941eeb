import type { Mmio } from './mmio.ts';
import { CRCERRS, GORCH, GORCL, GOTCH, GOTCL, GPRC, GPTC, MPC, RNBC, RXERRC, XOFFRXC } from './hw-regs.ts';

/** Drop causes counted by the driver, per hardware queue where that applies. */
export interface DriverDrops {
  /** Software queue for the packet's class was full (tail drop). */
  swQueueFull: number;
  /** Dropped by CoDel at dequeue: waited past the target for a whole interval. */
  aqm: number;
  /** Held by a per-app cap when its hold ring was full. */
  capExceeded: number;
  /** TxCompletion queue refused a packet (freed to the pool instead). */
  completionFull: number;
  /** Packets taken back from rings/queues by disable or reset: never sent. */
  aborted: number;
  /** Rx frames with error status, recycled. */
  rxErrors: number;
  /** RxCompletion refused a packet (freed to the pool). */
  rxCompletionFull: number;
}

/**
 * Hardware counters are read-to-clear; `update` folds them into 64-bit totals (JS numbers
 * are exact to 2^53) on the watchdog and on demand — the igb_update_stats pattern.
 */
export class DriverStats {
  rxGoodPackets = 0;
  txGoodPackets = 0;
  rxGoodOctets = 0;
  txGoodOctets = 0;
  rxMissed = 0;
  rxNoBuffer = 0;
  crcErrors = 0;
  rxErrors = 0;
  xoffReceived = 0;
  readonly drops: DriverDrops = {
    swQueueFull: 0,
    aqm: 0,
    capExceeded: 0,
    completionFull: 0,
    aborted: 0,
    rxErrors: 0,
    rxCompletionFull: 0,
  };
  readonly txQueueDrops = new Float64Array(4);

  update(mmio: Mmio): void {
    if (mmio.removed) return;
    this.rxGoodPackets += mmio.rd32(GPRC);
    this.txGoodPackets += mmio.rd32(GPTC);
    // Low half first: reading the high half clears the pair.
    this.rxGoodOctets += mmio.rd32(GORCL) + mmio.rd32(GORCH) * 4294967296;
    this.txGoodOctets += mmio.rd32(GOTCL) + mmio.rd32(GOTCH) * 4294967296;
    this.rxMissed += mmio.rd32(MPC);
    this.rxNoBuffer += mmio.rd32(RNBC);
    this.crcErrors += mmio.rd32(CRCERRS);
    this.rxErrors += mmio.rd32(RXERRC);
    this.xoffReceived += mmio.rd32(XOFFRXC);
  }
}

/** One row of `netstat -I en0` (BSD): what macOS users read. */
export interface NetstatRow {
  name: string;
  mtu: number;
  address: string;
  /** Input packets: good frames the NIC received. */
  Ipkts: number;
  /** Input errors: CRC and receive errors plus frames missed for lack of buffers. */
  Ierrs: number;
  /** Output packets: good frames the NIC sent. */
  Opkts: number;
  /** Output errors: packets the driver dropped or aborted before the wire. */
  Oerrs: number;
  /** Collisions: always 0 on full-duplex Ethernet. */
  Coll: number;
  /** Input drops (macOS `-d`): no Rx buffer posted. */
  Drop: number;
}
