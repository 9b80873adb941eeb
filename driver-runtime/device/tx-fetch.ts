/**
 * Tx descriptor fetch (nic-model §1.5, §6.3): on each doorbell, examine descriptors from the
 * scan position up to TDT, gather packet geometry up to EOP and queue complete packets in
 * fetch order. Bad descriptors become DMA-error faults (§6.7), never exceptions.
 */
import type { HostMemory } from '../sim/host-memory.ts';
import type { NicBusPort } from './bus-port.ts';
import { FCS_BYTES } from '../sim/units.ts';
import type { Interrupts } from './interrupts.ts';
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';
import { ringAdvance } from './ring.ts';
import {
  PKT_GATHER,
  PKT_IFCS,
  PKT_VLE,
  TCTL_I,
  TDBAH_I,
  TDBAL_I,
  TDH_I,
  TDLEN_I,
  TDT_I,
  TXDCTL_I,
  type TxQueue,
} from './tx-queue.ts';

const MIN_FRAME_NO_FCS = 60;
const TWO_32 = 0x1_0000_0000;
/** The command bits that make a descriptor a whole packet by itself: advanced data, EOP, IFCS, no VLE. */
const WHOLE_PACKET_MASK =
  R.TXD_CMD_DEXT | (R.TXD_DTYP_MASK << R.TXD_DTYP_SHIFT) | R.TXD_CMD_EOP | R.TXD_CMD_IFCS | R.TXD_CMD_VLE;
const WHOLE_PACKET_BITS =
  R.TXD_CMD_DEXT | (R.TXD_DTYP_DATA << R.TXD_DTYP_SHIFT) | R.TXD_CMD_EOP | R.TXD_CMD_IFCS;

export class TxFetch {
  /** DMA-error faults per queue (also traced). */
  readonly dmaErrors = new Float64Array(4);
  removed = false;
  private mem: HostMemory | null = null;
  private bus: NicBusPort | null = null;
  /** Fetch order across all queues (FIFO arbitration). */
  private nextSeq = 0;
  private readonly r: Uint32Array;
  /**
   * A packet of one advanced data descriptor (the shape our driver posts) is queued in one
   * step, without the gather state; off only for the per-frame reference of the golden tests.
   */
  wholePacketPath = true;

  constructor(
    regs: RegisterFile,
    private readonly queues: readonly TxQueue[],
    private readonly interrupts: Interrupts,
  ) {
    this.r = regs.r;
  }

  attach(bus: NicBusPort): void {
    this.bus = bus;
    this.mem = bus.memory;
  }

  reset(): void {
    this.nextSeq = 0;
  }

  ringSize(q: number): number {
    return this.r[TDLEN_I[q]] >>> 4;
  }

  private ringBase(q: number): number {
    return this.r[TDBAL_I[q]] + this.r[TDBAH_I[q]] * TWO_32;
  }

  queueEnabled(q: number): boolean {
    return (this.r[TCTL_I] & R.TCTL_EN) !== 0 && (this.r[TXDCTL_I[q]] & R.TXDCTL_ENABLE) !== 0;
  }

  /** Examines descriptors from the scan position to TDT, queueing complete packets. */
  scan(q: number): void {
    const mem = this.mem;
    const bus = this.bus;
    if (mem === null || bus === null || this.removed || !this.queueEnabled(q) || !bus.busMasterEnabled())
      return;
    const Q = this.queues[q];
    const n = this.ringSize(q);
    if (n < 2) return;
    const tail = this.r[TDT_I[q]];
    if (tail >= n) {
      this.fault(q, `TDT ${tail} beyond ring of ${n}`);
      return;
    }
    const ringOffset = mem.translate(this.ringBase(q), n * R.DESCRIPTOR_BYTES);
    if (ringOffset < 0) {
      this.fault(q, 'descriptor ring outside host memory');
      return;
    }
    // Geometry cannot change while the queue is enabled, so completion can reuse this.
    Q.ringOffset = ringOffset;
    const u32 = mem.u32;
    const u8 = mem.u8;
    const whole = this.wholePacketPath;
    while (Q.scanPos !== tail) {
      const d = Q.scanPos;
      const off = ringOffset + d * R.DESCRIPTOR_BYTES;
      const w = off >>> 2;
      const d2 = u32[w + 2];
      if (whole && Q.curStart < 0 && (d2 & WHOLE_PACKET_MASK) === WHOLE_PACKET_BITS && !Q.injectDmaError) {
        // What the general path below does for this shape, and nothing else: the same checks,
        // the same queued packet; anything unusual (empty, too long, bad address) goes there.
        const len = d2 & R.TXD_LEN_MASK;
        const buffer =
          len > 0 && len <= R.MAX_TX_PACKET ? mem.translate(u32[w] + u32[w + 1] * TWO_32, len) : -1;
        if (buffer >= 0) {
          Q.scanPos = ringAdvance(d, 1, n);
          const frame =
            len < MIN_FRAME_NO_FCS && (this.r[TCTL_I] & R.TCTL_PSP) !== 0 ? MIN_FRAME_NO_FCS : len;
          Q.push(Q.scanPos, frame + FCS_BYTES, len, PKT_IFCS, this.nextSeq++, buffer);
          continue;
        }
      }
      const advanced = (d2 & R.TXD_CMD_DEXT) !== 0;
      if (Q.curStart < 0) {
        Q.curStart = d;
        Q.curDescs = 0;
        Q.curData = 0;
        Q.curBuffers = 0;
        Q.curVlan = -1;
        Q.curBuffer = -1;
      }
      Q.curDescs++;
      Q.scanPos = ringAdvance(d, 1, n);
      if (advanced) {
        const dtyp = (d2 >>> R.TXD_DTYP_SHIFT) & R.TXD_DTYP_MASK;
        if (dtyp === R.TXD_DTYP_CONTEXT) {
          // Context descriptors are stored and skipped (QEMU); we keep only the VLAN field.
          Q.contextVlan[(u32[w + 3] >>> R.TXD_OLINFO_IDX_SHIFT) & 1] = u32[w] >>> 16;
          if (Q.curDescs >= n - 1) return this.fault(q, 'packet not ended within the ring');
          continue;
        }
        if (dtyp !== R.TXD_DTYP_DATA) return this.fault(q, `descriptor ${d}: unknown DTYP ${dtyp}`);
      }
      const len = d2 & R.TXD_LEN_MASK;
      if (len > R.MAX_TX_PACKET || Q.curData + len > R.MAX_TX_PACKET) {
        return this.fault(q, `descriptor ${d}: packet longer than ${R.MAX_TX_PACKET} bytes`);
      }
      if (len > 0) {
        const buffer = mem.translate(u32[w] + u32[w + 1] * TWO_32, len);
        if (buffer < 0) return this.fault(q, `descriptor ${d}: buffer outside host memory`);
        if (Q.curBuffers === 0) Q.curBuffer = buffer;
      }
      if (Q.injectDmaError) {
        Q.injectDmaError = false;
        return this.fault(q, `descriptor ${d}: injected DMA error`);
      }
      Q.curData += len;
      if (len > 0) Q.curBuffers++;
      if (d2 & R.TXD_CMD_VLE) {
        // Legacy: VLAN field (bits 63:48). Advanced: from the context slot named by olinfo IDX.
        Q.curVlan = advanced
          ? Q.contextVlan[(u32[w + 3] >>> R.TXD_OLINFO_IDX_SHIFT) & 1] & 0xffff
          : u8[off + 14] | (u8[off + 15] << 8);
      }
      if (d2 & R.TXD_CMD_EOP) {
        if (!this.finishPacket(q, Q, d2)) return;
      } else if (Q.curDescs >= n - 1) {
        return this.fault(q, 'packet not ended within the ring');
      }
    }
  }

  /** Queues the gathered packet; false if it was invalid (queue faulted). */
  private finishPacket(q: number, Q: TxQueue, eopCommand: number): boolean {
    if (Q.curData === 0) {
      this.fault(q, 'packet with no data');
      return false;
    }
    const vle = Q.curVlan >= 0;
    const ifcs = (eopCommand & R.TXD_CMD_IFCS) !== 0;
    let frame = Q.curData + (vle ? 4 : 0);
    let wire: number;
    if (ifcs) {
      if ((this.r[TCTL_I] & R.TCTL_PSP) !== 0 && frame < MIN_FRAME_NO_FCS) frame = MIN_FRAME_NO_FCS;
      wire = frame + FCS_BYTES;
    } else {
      // Without IFCS the buffer already ends with the FCS (8254x semantics).
      wire = frame;
      if (wire <= FCS_BYTES) {
        this.fault(q, 'IFCS clear but packet shorter than an FCS');
        return false;
      }
    }
    const flags = (vle ? PKT_VLE : 0) | (ifcs ? PKT_IFCS : 0) | (Q.curBuffers > 1 ? PKT_GATHER : 0);
    Q.push(Q.scanPos, wire, Q.curData, flags | ((vle ? Q.curVlan : 0) << 16), this.nextSeq++, Q.curBuffer);
    Q.curStart = -1;
    return true;
  }

  /** DMA error (nic-model §6.7): ICR.DOUTSYNC, queue disabled, fetched packets forgotten. */
  fault(q: number, reason: string): void {
    this.r[TXDCTL_I[q]] &= ~R.TXDCTL_ENABLE;
    this.queues[q].restart(this.r[TDH_I[q]]);
    this.dmaErrors[q]++;
    this.bus?.tracer.warn('nic', `tx queue ${q} DMA error: ${reason}`);
    this.interrupts.raiseCauses(R.ICR_DOUTSYNC);
  }
}
