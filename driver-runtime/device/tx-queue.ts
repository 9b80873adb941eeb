/**
 * Per-Tx-queue bookkeeping the hardware keeps beside its registers: the descriptor scan
 * position, the packet being gathered, context slots, and a FIFO of complete packets fetched
 * but not yet transmitted (QEMU keeps the same "packet being built" state per queue).
 * The ring registers (TDH/TDT) stay the truth for software; this is the device's fetch cache.
 */
import * as R from './registers.ts';

/** Register indexes (offset / 4) of the per-queue Tx registers, computed once. */
export const queueIndexes = (reg: (n: number) => number): Int32Array =>
  Int32Array.from([0, 1, 2, 3], (q) => reg(q) >>> 2);
export const TDH_I = queueIndexes(R.TDH);
export const TDT_I = queueIndexes(R.TDT);
export const TXDCTL_I = queueIndexes(R.TXDCTL);
export const TDLEN_I = queueIndexes(R.TDLEN);
export const TDBAL_I = queueIndexes(R.TDBAL);
export const TDBAH_I = queueIndexes(R.TDBAH);
export const TXQWRR_I = queueIndexes(R.TXQWRR);
export const TDWBAL_I = queueIndexes(R.TDWBAL);
export const TDWBAH_I = queueIndexes(R.TDWBAH);
export const TCTL_I = R.TCTL >>> 2;

/** Packet flag: insert an 802.1Q tag (VLE). */
export const PKT_VLE = 1 << 0;
/** Packet flag: hardware appends the FCS (IFCS); otherwise the buffer already ends with it. */
export const PKT_IFCS = 1 << 1;
/** Packet flag: data is in more than one descriptor buffer (gather needed). */
export const PKT_GATHER = 1 << 2;

export class TxQueue {
  /** Host-memory offset of the descriptor ring, set by the fetch engine. */
  ringOffset = 0;
  /** Next descriptor index the fetch engine will examine. */
  scanPos = 0;
  /** First descriptor of the packet being gathered, or -1. */
  curStart = -1;
  curDescs = 0;
  curData = 0;
  curBuffers = 0;
  curVlan = -1;
  /** Host-memory offset of the packet's first data buffer (captured at fetch), or -1. */
  curBuffer = -1;
  /** Advanced context descriptor slots 0/1: VLAN tag (vlan_macip_lens 31:16). */
  readonly contextVlan = new Int32Array(2);
  /** Bumped on disable/fault/reset so an in-flight frame of an old incarnation is abandoned. */
  generation = 0;
  hung = false;
  injectDmaError = false;
  /** Currently counted as stalled by its shaper (for TQSTALL edge counting). */
  stalled = false;

  // Complete packets, oldest first (ring buffer of `capacity` entries).
  capacity = 0;
  head = 0;
  count = 0;
  /** Descriptor index just after the packet's EOP descriptor. */
  end = new Int32Array(0);
  /** Frame bytes on the wire incl. FCS (after VLAN insertion and padding), excl. preamble/IFG. */
  wire = new Int32Array(0);
  /** Sum of the descriptor buffer lengths. */
  data = new Int32Array(0);
  /** PKT_* flags in bits 15:0, VLAN TCI in bits 31:16. */
  info = new Int32Array(0);
  /** Fetch order across all queues (FIFO arbitration). */
  seq = new Float64Array(0);
  /** Host-memory offset of the first data buffer, translated at fetch (I210 prefetch). */
  buffer = new Float64Array(0);

  /** Grows the packet FIFO to hold a full ring (called when the queue is enabled, not per packet). */
  ensureCapacity(descriptors: number): void {
    if (this.capacity >= descriptors) return;
    let cap = 16;
    while (cap < descriptors) cap *= 2;
    this.end = new Int32Array(cap);
    this.wire = new Int32Array(cap);
    this.data = new Int32Array(cap);
    this.info = new Int32Array(cap);
    this.seq = new Float64Array(cap);
    this.buffer = new Float64Array(cap);
    this.capacity = cap;
    this.head = 0;
    this.count = 0;
  }

  push(end: number, wire: number, data: number, info: number, seq: number, buffer: number): void {
    const i = (this.head + this.count) & (this.capacity - 1);
    this.buffer[i] = buffer;
    this.end[i] = end;
    this.wire[i] = wire;
    this.data[i] = data;
    this.info[i] = info;
    this.seq[i] = seq;
    this.count++;
  }

  pop(): void {
    this.head = (this.head + 1) & (this.capacity - 1);
    this.count--;
  }

  /** Forgets everything fetched; the next scan starts at `tdh`. */
  restart(tdh: number): void {
    this.scanPos = tdh;
    this.curStart = -1;
    this.head = 0;
    this.count = 0;
    this.stalled = false;
    this.generation++;
  }
}
