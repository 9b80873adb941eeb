/**
 * Rx engine (nic-model §1.7, §6.3): MAC filter -> RSS queue choice -> DMA into advanced
 * one-buffer descriptors -> write-back with DD|EOP last (QEMU ordering) -> stats -> interrupt.
 * A frame longer than one buffer spans several descriptors (EOP on the last one).
 */
import { crc32 } from '../net/crc32.ts';
import type { HostMemory } from '../sim/host-memory.ts';
import type { NicBusPort } from './bus-port.ts';
import type { Interrupts } from './interrupts.ts';
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';
import { ringAdvance, ringUsed } from './ring.ts';
import { RssClassifier } from './rss.ts';
import { countRxGood, countRxNoBuffer, countRxSeen } from './stats.ts';

/** Chunks at least this long are copied with TypedArray.set (memcpy) rather than a byte loop. */
const COPY_WITH_SET = 128;

const TWO_32 = 0x1_0000_0000;
const FCS = 4;
/** Largest frame (no FCS) accepted without RCTL.LPE: 1514 + one 802.1Q tag. */
const MAX_STANDARD_FRAME = 1518;
/** Shift of the 12 MTA hash bits per RCTL.MO (QEMU e1000x_rx_group_filter). */
const MTA_SHIFT = [4, 3, 2, 0] as const;

export class RxEngine {
  readonly rss = new RssClassifier();
  /** Fault: every frame is dropped as if no descriptor were free. */
  overrun = false;
  removed = false;
  private mem: HostMemory | null = null;
  private bus: NicBusPort | null = null;
  private words: Uint32Array = new Uint32Array(0);
  private wordsFor: Uint8Array | null = null;

  constructor(
    private readonly regs: RegisterFile,
    private readonly interrupts: Interrupts,
  ) {}

  attach(bus: NicBusPort): void {
    this.bus = bus;
    this.mem = bus.memory;
  }

  ringSize(q: number): number {
    return this.regs.get(R.RDLEN(q)) >>> 4;
  }

  /** Descriptors owned by hardware: RDH .. RDT-1. */
  freeDescriptors(q: number): number {
    return ringUsed(this.regs.get(R.RDH(q)), this.regs.get(R.RDT(q)), this.ringSize(q));
  }

  /** Buffer size in bytes: SRRCTL.BSIZEPACKET KiB, else RCTL.BSIZE (2048/1024/512/256). */
  private bufferSize(q: number): number {
    const kb = this.regs.get(R.SRRCTL(q)) & R.SRRCTL_BSIZEPKT_MASK;
    if (kb !== 0) return kb * 1024;
    return 2048 >>> ((this.regs.get(R.RCTL) >>> R.RCTL_BSIZE_SHIFT) & 3);
  }

  /** A frame (without FCS) fully received now. */
  receive(frame: Uint8Array, offset: number, length: number): void {
    const regs = this.regs;
    const mem = this.mem;
    if (this.removed || mem === null || length < 14) return;
    countRxSeen(regs, length + FCS);
    const rctl = regs.get(R.RCTL);
    if ((rctl & R.RCTL_EN) === 0) return;
    if (length > MAX_STANDARD_FRAME && (rctl & R.RCTL_LPE) === 0) {
      regs.inc(R.ROC);
      return;
    }
    if (!this.accept(frame, offset, rctl)) return;
    const rss = this.rss.classify(regs, frame, offset, length);
    const q = rss.queue;
    // VLAN strip (CTRL.VME): the tag goes to the descriptor, not the buffer.
    let vlan = 0;
    let strip = false;
    if (
      (regs.get(R.CTRL) & R.CTRL_VME) !== 0 &&
      length >= 18 &&
      ((frame[offset + 12] << 8) | frame[offset + 13]) === regs.get(R.VET)
    ) {
      strip = true;
      vlan = (frame[offset + 14] << 8) | frame[offset + 15];
    }
    const storeFcs = (rctl & R.RCTL_SECRC) === 0;
    const stored = length - (strip ? 4 : 0) + (storeFcs ? FCS : 0);
    const bufSize = this.bufferSize(q);
    const needed = Math.max(1, Math.ceil(stored / bufSize));
    const bus = this.bus;
    if (
      this.overrun ||
      (regs.get(R.RXDCTL(q)) & R.RXDCTL_ENABLE) === 0 ||
      bus === null ||
      !bus.busMasterEnabled() ||
      this.freeDescriptors(q) < needed
    ) {
      countRxNoBuffer(regs, q);
      this.interrupts.raiseCauses(R.ICR_RXO);
      return;
    }
    if (!this.dma(mem, q, frame, offset, length, strip, storeFcs, stored, bufSize, vlan)) return;
    countRxGood(regs, frame, offset, length + FCS);
    const threshold = ((regs.get(R.SRRCTL(q)) >>> R.SRRCTL_RDMTS_SHIFT) & R.SRRCTL_RDMTS_MASK) * 16;
    if (threshold > 0 && this.freeDescriptors(q) <= threshold) this.interrupts.raiseCauses(R.ICR_RXDMT0);
    this.interrupts.raiseQueue(q, false);
  }

  /** Destination-address filter (nic-model §1.7). */
  private accept(frame: Uint8Array, offset: number, rctl: number): boolean {
    const regs = this.regs;
    const group = (frame[offset] & 1) !== 0;
    if (group) {
      let bcast = true;
      for (let i = 0; i < 6; i++) if (frame[offset + i] !== 0xff) bcast = false;
      if (bcast) return (rctl & R.RCTL_BAM) !== 0 || (rctl & R.RCTL_MPE) !== 0;
      if (rctl & R.RCTL_MPE) return true;
      const shift = MTA_SHIFT[(rctl >>> R.RCTL_MO_SHIFT) & 3];
      const hash = (((frame[offset + 5] << 8) | frame[offset + 4]) >>> shift) & 0xfff;
      if ((regs.get(R.MTA(hash >>> 5)) >>> (hash & 0x1f)) & 1) return true;
    } else if (rctl & R.RCTL_UPE) {
      return true;
    }
    const lo =
      frame[offset] | (frame[offset + 1] << 8) | (frame[offset + 2] << 16) | (frame[offset + 3] << 24);
    const hi = frame[offset + 4] | (frame[offset + 5] << 8);
    for (let n = 0; n < R.RA_COUNT; n++) {
      const rah = regs.get(R.RAH(n));
      if ((rah & R.RAH_AV) !== 0 && regs.get(R.RAL(n)) === lo >>> 0 && (rah & 0xffff) === hi) return true;
    }
    return false;
  }

  /** Writes the frame into descriptors RDH.. and writes them back; false on a DMA error. */
  private dma(
    mem: HostMemory,
    q: number,
    frame: Uint8Array,
    offset: number,
    length: number,
    strip: boolean,
    storeFcs: boolean,
    stored: number,
    bufSize: number,
    vlan: number,
  ): boolean {
    const regs = this.regs;
    const n = this.ringSize(q);
    const ringOffset = mem.translate(regs.get(R.RDBAL(q)) + regs.get(R.RDBAH(q)) * TWO_32, n * 16);
    if (ringOffset < 0) {
      this.bus?.tracer.warn('nic', `rx queue ${q}: descriptor ring outside host memory`);
      this.interrupts.raiseCauses(R.ICR_DOUTSYNC);
      return false;
    }
    const u32 = mem.u32;
    const u8 = mem.u8;
    const fcs = storeFcs ? crc32(frame, offset, length) : 0;
    let head = regs.get(R.RDH(q));
    let written = 0;
    while (written < stored) {
      const w = (ringOffset + head * 16) >>> 2;
      const chunk = Math.min(bufSize, stored - written);
      const dst = mem.translate(u32[w] + u32[w + 1] * TWO_32, chunk);
      if (dst < 0) {
        this.bus?.tracer.warn('nic', `rx queue ${q}: buffer outside host memory`);
        this.interrupts.raiseCauses(R.ICR_DOUTSYNC);
        return false;
      }
      if (!strip && written + chunk <= length) {
        // Fast path: plain copy of frame bytes (no tag removal, no FCS in this chunk). Big
        // chunks go through memcpy (one small view object) — a byte loop costs ~1 ns a byte.
        const src = offset + written;
        if (chunk >= COPY_WITH_SET) u8.set(frame.subarray(src, src + chunk), dst);
        else if (((src | dst) & 3) === 0 && (frame === this.wordsFor || frame.byteOffset === 0)) {
          // Both 4-byte aligned: a word at a time, then the last bytes.
          const from = this.wordsOf(frame);
          const to = mem.u32;
          const words = chunk >>> 2;
          const s4 = src >>> 2;
          const d4 = dst >>> 2;
          for (let k = 0; k < words; k++) to[d4 + k] = from[s4 + k];
          for (let k = words << 2; k < chunk; k++) u8[dst + k] = frame[src + k];
        } else for (let k = 0; k < chunk; k++) u8[dst + k] = frame[src + k];
      } else {
        for (let k = 0; k < chunk; k++)
          u8[dst + k] = this.storedByte(frame, offset, length, strip, fcs, written + k);
      }
      written += chunk;
      const last = written >= stored;
      // Write-back: everything but the status word first, DD|EOP last (QEMU ordering).
      u32[w] = (this.rss.out.type | this.rss.out.packetType) >>> 0;
      u32[w + 1] = this.rss.out.hash;
      u32[w + 3] = (chunk | (strip ? vlan << 16 : 0)) >>> 0;
      u32[w + 2] = R.RXD_STAT_DD | (last ? R.RXD_STAT_EOP : 0) | (strip ? R.RXD_STAT_VP : 0);
      head = ringAdvance(head, 1, n);
    }
    regs.set(R.RDH(q), head);
    return true;
  }

  /** `frame`'s memory as 32-bit words (one view per sender buffer, kept while frames come from it). */
  private wordsOf(frame: Uint8Array): Uint32Array {
    if (this.wordsFor !== frame) {
      this.wordsFor = frame;
      this.words = new Uint32Array(frame.buffer, 0, frame.buffer.byteLength >>> 2);
    }
    return this.words;
  }

  /** Byte `i` of what lands in host memory: the frame minus a stripped tag, plus the FCS if kept. */
  private storedByte(
    frame: Uint8Array,
    offset: number,
    length: number,
    strip: boolean,
    fcs: number,
    i: number,
  ): number {
    const body = length - (strip ? 4 : 0);
    if (i >= body) return (fcs >>> (8 * (i - body))) & 0xff;
    if (strip && i >= 12) return frame[offset + i + 4];
    return frame[offset + i];
  }
}
