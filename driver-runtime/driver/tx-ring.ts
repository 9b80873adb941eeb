import type { IOBufferMemoryDescriptor } from '../memory/buffer-memory-descriptor.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import {
  DESCRIPTOR_BYTES,
  TXD_CMD_DEXT,
  TXD_CMD_EOP,
  TXD_CMD_IFCS,
  TXD_CMD_RS,
  TXD_CMD_VLE,
  TXD_CTX_VLAN_SHIFT,
  TXD_DTYP_CONTEXT,
  TXD_DTYP_DATA,
  TXD_DTYP_SHIFT,
  TXD_PAYLEN_SHIFT,
  TXD_STA_DD,
} from './hw-regs.ts';

const DATA_CMD = (TXD_DTYP_DATA << TXD_DTYP_SHIFT) | TXD_CMD_DEXT | TXD_CMD_IFCS | TXD_CMD_EOP | TXD_CMD_RS;
const CONTEXT_CMD = (TXD_DTYP_CONTEXT << TXD_DTYP_SHIFT) | TXD_CMD_DEXT;
const WORDS = DESCRIPTOR_BYTES >>> 2;
/** An 802.1Q tag the NIC inserts (VLE) lengthens the frame on the wire by 4 bytes. */
const VLAN_TAG_BYTES = 4;

/**
 * Driver side of one hardware Tx ring (igb_ring): descriptor memory, the shadow
 * `txBufferInfo` per slot (packet handle and wire length on the packet's EOP slot; on its
 * first slot, how many slots the packet took — igb's next_to_watch), and `nextToUse` /
 * `nextToClean`. Indexes are free-running counters masked on use, so "ring empty" is equality
 * and the unused count needs no wrap test. One slot stays free, as in igb_desc_unused.
 *
 * A packet is one contiguous pool buffer: one advanced data descriptor with EOP|RS, preceded
 * by a context descriptor only when the VLAN tag the NIC is to insert changes (a context is
 * written only when offloads change, as DPDK's igb_rxtx does). The device writes DD and
 * (TXDCTL.TSWB) the SFD wire time back into the data descriptor.
 */
export class TxRing {
  readonly mask: number;
  private readonly u32: Uint32Array;
  /** Index of descriptor 0 in the host-memory Uint32Array. */
  private readonly base32: number;
  readonly bufferHandle: Int32Array;
  /** Frame bytes on the wire (without FCS) of the packet whose EOP is in the slot. */
  readonly bufferBytes: Uint32Array;
  /** On a packet's first slot: slots it spans (1, or 2 with a context descriptor). */
  private readonly slotsOf: Uint8Array;
  /** The TCI the NIC's context slot 0 holds for this ring, or -1 when unknown. */
  private contextTci = -1;
  nextToUse = 0;
  nextToClean = 0;
  /** Bytes posted and not yet reaped (the BQL in-flight count). */
  inflightBytes = 0;
  /** BQL-style limit: how many bytes may sit in this hardware ring. */
  byteLimit: number;
  /** Set when the ring or its byte limit refused work (IFF_OACTIVE for this queue). */
  stopped = false;
  /** Virtual time of the last reap that made progress (hang detection). */
  lastProgressNs = 0;
  /** Bytes of the last `clean` (the caller adds them to its counters). */
  cleanedBytes = 0;

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
    this.slotsOf = new Uint8Array(count);
    this.byteLimit = byteLimit;
  }

  get pending(): number {
    return this.nextToUse - this.nextToClean;
  }

  /** Free descriptors, keeping one slot unused. */
  unused(): number {
    return this.count - 1 - (this.nextToUse - this.nextToClean);
  }

  /** True if a packet of `length` bytes may be posted now (ring room for a context + data, byte limit). */
  admits(length: number): boolean {
    // Always admit into an empty ring, or a frame larger than the limit could never go.
    return this.unused() > 1 && (this.inflightBytes === 0 || this.inflightBytes + length <= this.byteLimit);
  }

  /**
   * Writes the packet's descriptors; the caller writes TDT once for the whole burst. `tci` ≥ 0
   * asks the NIC to insert an 802.1Q tag with that TCI (VLE); -1 sends the buffer as it is.
   */
  post(pool: IOUserNetworkPacketBufferPool, handle: number, length: number, tci: number): void {
    const first = this.nextToUse & this.mask;
    let slots = 1;
    let cmd = DATA_CMD;
    if (tci >= 0) {
      if (tci !== this.contextTci) {
        this.writeContext(tci);
        slots = 2;
      }
      cmd |= TXD_CMD_VLE;
    }
    const slot = this.nextToUse & this.mask;
    const d = this.base32 + slot * WORDS;
    const phys = pool.dataPhys(handle);
    this.u32[d] = phys >>> 0;
    this.u32[d + 1] = Math.floor(phys / 4294967296) >>> 0;
    this.u32[d + 2] = (cmd | length) >>> 0;
    this.u32[d + 3] = (length << TXD_PAYLEN_SHIFT) >>> 0;
    const wireBytes = tci >= 0 ? length + VLAN_TAG_BYTES : length;
    this.slotsOf[first] = slots;
    this.bufferHandle[slot] = handle;
    this.bufferBytes[slot] = wireBytes;
    this.inflightBytes += wireBytes;
    this.nextToUse++;
  }

  /**
   * `post` for `count` untagged packets `handles[0..count)`, each one data descriptor: the same
   * descriptors and shadow state, with the ring's fields held in locals through the run.
   */
  postRun(pool: IOUserNetworkPacketBufferPool, handles: Int32Array, count: number): void {
    const u32 = this.u32;
    const mask = this.mask;
    const base32 = this.base32;
    const dataLength = pool.dataLength;
    let next = this.nextToUse;
    let inflight = this.inflightBytes;
    for (let i = 0; i < count; i++) {
      const handle = handles[i];
      const length = dataLength[handle];
      const slot = next & mask;
      const d = base32 + slot * WORDS;
      const phys = pool.dataPhys(handle);
      u32[d] = phys >>> 0;
      u32[d + 1] = Math.floor(phys / 4294967296) >>> 0;
      u32[d + 2] = (DATA_CMD | length) >>> 0;
      u32[d + 3] = (length << TXD_PAYLEN_SHIFT) >>> 0;
      this.slotsOf[slot] = 1;
      this.bufferHandle[slot] = handle;
      this.bufferBytes[slot] = length;
      inflight += length;
      next++;
    }
    this.nextToUse = next;
    this.inflightBytes = inflight;
  }

  /** Context descriptor for slot 0: only the VLAN field matters to the NIC model. */
  private writeContext(tci: number): void {
    const slot = this.nextToUse & this.mask;
    const d = this.base32 + slot * WORDS;
    this.u32[d] = (tci << TXD_CTX_VLAN_SHIFT) >>> 0;
    this.u32[d + 1] = 0;
    this.u32[d + 2] = CONTEXT_CMD >>> 0;
    this.u32[d + 3] = 0; // IDX 0
    this.bufferHandle[slot] = -1;
    this.contextTci = tci;
    this.nextToUse++;
  }

  /** Value for TDT. */
  tail(): number {
    return this.nextToUse & this.mask;
  }

  /**
   * Reaps up to `budget` completed packets (igb_clean_tx_irq): stops at the first packet whose
   * EOP descriptor lacks DD. Puts each handle in `out` and the SFD wire time the NIC wrote
   * back in `wireNs`; leaves the bytes in `cleanedBytes`. Returns the count.
   */
  clean(out: Int32Array, wireNs: Float64Array, budget: number, nowNs: number): number {
    let n = 0;
    let bytes = 0;
    const u32 = this.u32;
    while (n < budget && this.nextToClean !== this.nextToUse) {
      const slots = this.slotsOf[this.nextToClean & this.mask];
      const eop = (this.nextToClean + slots - 1) & this.mask;
      const d = this.base32 + eop * WORDS;
      if ((u32[d + 3] & TXD_STA_DD) === 0) break;
      wireNs[n] = u32[d] + u32[d + 1] * 4294967296;
      out[n++] = this.bufferHandle[eop];
      bytes += this.bufferBytes[eop];
      this.bufferHandle[eop] = -1;
      this.nextToClean += slots;
    }
    this.cleanedBytes = bytes;
    if (n > 0) {
      this.inflightBytes -= bytes;
      this.lastProgressNs = nowNs;
    }
    return n;
  }

  /** True if the oldest packet's EOP descriptor is done (DD set) but not yet reaped. */
  readyToClean(): boolean {
    if (this.nextToClean === this.nextToUse) return false;
    const slots = this.slotsOf[this.nextToClean & this.mask];
    const eop = (this.nextToClean + slots - 1) & this.mask;
    return (this.u32[this.base32 + eop * WORDS + 3] & TXD_STA_DD) !== 0;
  }

  /** Takes back every posted packet (disable/reset): they never reach the wire now. */
  reclaimAll(out: Int32Array): number {
    let n = 0;
    while (this.nextToClean !== this.nextToUse) {
      const slot = this.nextToClean & this.mask;
      if (this.bufferHandle[slot] >= 0) out[n++] = this.bufferHandle[slot];
      this.bufferHandle[slot] = -1;
      this.nextToClean++;
    }
    this.inflightBytes = 0;
    this.nextToUse = 0;
    this.nextToClean = 0;
    this.contextTci = -1;
    this.stopped = false;
    this.descriptors.bytes().fill(0);
    return n;
  }
}
