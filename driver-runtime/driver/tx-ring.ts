import type { IOBufferMemoryDescriptor } from '../memory/buffer-memory-descriptor.ts';
import {
  PACKET_FLAG_TIMESTAMP_VALID,
  type IOUserNetworkPacketBufferPool,
} from '../networking/packet-buffer-pool.ts';
import { LATENCY_BUCKETS, latencyBucket } from '../abi/latency-buckets.ts';
import type { StatsView } from '../abi/stats-layout.ts';
import {
  DESCRIPTOR_BYTES,
  TXD_CMD_DEXT,
  TXD_CMD_EOP,
  TXD_CMD_IFCS,
  TXD_CMD_RS,
  TXD_DTYP_DATA,
  TXD_PAYLEN_SHIFT,
  TXD_STA_DD,
} from './hw-regs.ts';

const DATA_CMD = TXD_DTYP_DATA | TXD_CMD_DEXT | TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS;

/**
 * Driver side of one hardware Tx ring (igb_ring): descriptor memory, the shadow
 * `txBufferInfo` (packet handle and length per slot), and `nextToUse` / `nextToClean`.
 * Indexes are free-running counters masked on use, so "ring empty" is equality and the
 * unused count needs no wrap test. One slot stays free, as in igb_desc_unused.
 *
 * Every packet here is one contiguous pool buffer, so one advanced data descriptor with
 * EOP|RS; the device writes DD and (with TXDCTL.TSWB) the SFD wire time back into it.
 */
export class TxRing {
  readonly mask: number;
  private readonly u32: Uint32Array;
  /** Index of descriptor 0 in the host-memory Uint32Array. */
  private readonly base32: number;
  readonly bufferHandle: Int32Array;
  readonly bufferBytes: Uint32Array;
  nextToUse = 0;
  nextToClean = 0;
  /** Bytes posted and not yet reaped (the BQL in-flight count). */
  inflightBytes = 0;
  /** BQL-style limit: how many bytes may sit in this hardware ring. */
  byteLimit: number;
  /** Set when the ring or its byte limit refused work (IFF_OACTIVE for this queue). */
  stopped = false;

  // Per-ring software counters, updated once per burst.
  packets = 0;
  bytes = 0;
  restarts = 0;
  /** Virtual time of the last reap that made progress (hang detection). */
  lastProgressNs = 0;

  constructor(
    readonly queueIndex: number,
    readonly count: number,
    readonly descriptors: IOBufferMemoryDescriptor,
    byteLimit: number,
  ) {
    if ((count & (count - 1)) !== 0) throw new Error(`tx ring size ${count} is not a power of two`);
    this.mask = count - 1;
    this.u32 = descriptors.memory.u32;
    this.base32 = descriptors.offset >>> 2;
    this.bufferHandle = new Int32Array(count).fill(-1);
    this.bufferBytes = new Uint32Array(count);
    this.byteLimit = byteLimit;
  }

  get pending(): number {
    return this.nextToUse - this.nextToClean;
  }

  /** Free descriptors, keeping one slot unused. */
  unused(): number {
    return this.count - 1 - (this.nextToUse - this.nextToClean);
  }

  /** True if a packet of `length` bytes may be posted now (ring room and byte limit). */
  admits(length: number): boolean {
    // Always admit into an empty ring, or a frame larger than the limit could never go.
    return this.unused() > 0 && (this.inflightBytes === 0 || this.inflightBytes + length <= this.byteLimit);
  }

  /** Writes one descriptor; the caller writes TDT once for the whole burst. */
  post(pool: IOUserNetworkPacketBufferPool, handle: number, length: number): void {
    const slot = this.nextToUse & this.mask;
    const d = this.base32 + slot * (DESCRIPTOR_BYTES >>> 2);
    const phys = pool.dataPhys(handle);
    this.u32[d] = phys >>> 0;
    this.u32[d + 1] = Math.floor(phys / 4294967296) >>> 0;
    this.u32[d + 2] = (DATA_CMD | length) >>> 0;
    this.u32[d + 3] = (length << TXD_PAYLEN_SHIFT) >>> 0;
    this.bufferHandle[slot] = handle;
    this.bufferBytes[slot] = length;
    this.inflightBytes += length;
    this.nextToUse++;
  }

  /** Value for TDT. */
  tail(): number {
    return this.nextToUse & this.mask;
  }

  /**
   * Reaps up to `budget` completed packets into `out` (igb_clean_tx_irq): stops at the first
   * descriptor without DD. Copies the wire timestamp into the packet. Returns the count.
   */
  clean(
    pool: IOUserNetworkPacketBufferPool,
    out: Int32Array,
    budget: number,
    nowNs: number,
    stats: StatsView | null,
  ): number {
    let n = 0;
    let bytes = 0;
    const u32 = this.u32;
    const appTxPackets = stats?.app.txPackets;
    const appTxBytes = stats?.app.txBytes;
    const latencySum = stats?.app.latencySum;
    const latencyMax = stats?.app.latencyMax;
    const latency = stats?.latency;
    const capacity = stats ? stats.layout.appCapacity : 0;
    while (n < budget && this.nextToClean !== this.nextToUse) {
      const slot = this.nextToClean & this.mask;
      const d = this.base32 + slot * (DESCRIPTOR_BYTES >>> 2);
      if ((u32[d + 3] & TXD_STA_DD) === 0) break;
      const handle = this.bufferHandle[slot];
      const length = this.bufferBytes[slot];
      const wireNs = u32[d] + u32[d + 1] * 4294967296;
      const app = pool.appId[handle];
      if (app < capacity) {
        appTxPackets![app]++;
        appTxBytes![app] += length;
        // The stack stamped the enqueue time; the NIC wrote the wire (SFD) time back.
        if ((pool.flags[handle] & PACKET_FLAG_TIMESTAMP_VALID) !== 0) {
          const waited = wireNs - pool.timestamp[handle];
          latency![app * LATENCY_BUCKETS + latencyBucket(waited)]++;
          latencySum![app] += waited;
          if (waited > latencyMax![app]) latencyMax![app] = waited;
        }
      }
      pool.setTimestamp(handle, wireNs);
      bytes += length;
      this.bufferHandle[slot] = -1;
      out[n++] = handle;
      this.nextToClean++;
    }
    if (n > 0) {
      this.inflightBytes -= bytes;
      this.packets += n;
      this.bytes += bytes;
      this.lastProgressNs = nowNs;
    }
    return n;
  }

  /** True if the descriptor at nextToClean is done (DD set) but not yet reaped. */
  readyToClean(): boolean {
    if (this.nextToClean === this.nextToUse) return false;
    const d = this.base32 + (this.nextToClean & this.mask) * (DESCRIPTOR_BYTES >>> 2);
    return (this.u32[d + 3] & TXD_STA_DD) !== 0;
  }

  /** Takes back every posted packet (disable/reset): they never reach the wire now. */
  reclaimAll(out: Int32Array): number {
    let n = 0;
    while (this.nextToClean !== this.nextToUse) {
      const slot = this.nextToClean & this.mask;
      out[n++] = this.bufferHandle[slot];
      this.bufferHandle[slot] = -1;
      this.nextToClean++;
    }
    this.inflightBytes = 0;
    this.nextToUse = 0;
    this.nextToClean = 0;
    this.stopped = false;
    this.descriptors.bytes().fill(0);
    return n;
  }
}
