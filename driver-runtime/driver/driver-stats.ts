import type { Mmio } from './mmio.ts';
import {
  CRCERRS,
  GORCH,
  GORCL,
  GOTCH,
  GOTCL,
  GPRC,
  GPTC,
  MPC,
  NUM_QUEUES,
  RNBC,
  RXERRC,
  XOFFRXC,
} from './hw-regs.ts';

/** Drop causes counted by the driver. */
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
 * The driver's counters, in two layers as igb keeps them. Software counters per queue are
 * updated once per burst by the Tx and Rx paths; hardware counters are read-to-clear
 * registers that `update` folds into 64-bit totals (JS numbers are exact to 2^53) on the
 * watchdog, on demand and before a reset — the igb_update_stats pattern.
 *
 * This object belongs to the driver, not to its rings: counts survive reset, disable, surprise
 * removal and Stop, so `netstat` after a removal still shows what went out before it.
 */
export class DriverStats {
  // Software, per queue (what the rings reaped: igb's ring->tx_stats / rx_stats).
  readonly txPackets = new Float64Array(NUM_QUEUES);
  /** Frame bytes on the wire without FCS (with an inserted 802.1Q tag). */
  readonly txBytes = new Float64Array(NUM_QUEUES);
  readonly txRestarts = new Float64Array(NUM_QUEUES);
  readonly txQueueDrops = new Float64Array(NUM_QUEUES);
  readonly rxPackets = new Float64Array(NUM_QUEUES);
  readonly rxBytes = new Float64Array(NUM_QUEUES);
  readonly drops: DriverDrops = {
    swQueueFull: 0,
    aqm: 0,
    capExceeded: 0,
    completionFull: 0,
    aborted: 0,
    rxErrors: 0,
    rxCompletionFull: 0,
  };

  /** Interrupts handled (MSI-X messages the driver's handlers ran for; polls not counted). */
  interrupts = 0;

  // Hardware totals (read-to-clear registers folded in).
  rxGoodPackets = 0;
  txGoodPackets = 0;
  rxGoodOctets = 0;
  txGoodOctets = 0;
  rxMissed = 0;
  rxNoBuffer = 0;
  crcErrors = 0;
  rxErrors = 0;
  xoffReceived = 0;

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

  /** Packets and bytes over all queues (Tx or Rx). */
  total(column: Float64Array): number {
    let n = 0;
    for (let q = 0; q < column.length; q++) n += column[q];
    return n;
  }
}

/** One row of `netstat -I en0` (BSD): what macOS users read. */
export interface NetstatRow {
  name: string;
  mtu: number;
  address: string;
  /** Input packets: good frames the driver received (software count; survives removal). */
  Ipkts: number;
  /** Input errors: CRC and receive errors plus frames missed for lack of buffers. */
  Ierrs: number;
  /** Output packets: frames the driver saw completed on the wire (software count). */
  Opkts: number;
  /** Output errors: packets the driver dropped or aborted before the wire. */
  Oerrs: number;
  /** Collisions: always 0 on full-duplex Ethernet. */
  Coll: number;
  /** Input drops (macOS `-d`): no Rx buffer posted. */
  Drop: number;
}
