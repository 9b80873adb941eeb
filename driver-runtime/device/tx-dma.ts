/**
 * Tx completion DMA (nic-model §1.5, §6.3): read the packet's buffers out of host memory and
 * write the descriptors back. Pure functions over HostMemory; the engine decides when.
 */
import type { HostMemory } from '../sim/host-memory.ts';
import * as R from './registers.ts';
import { ringAdvance } from './ring.ts';
import { PKT_VLE } from './tx-queue.ts';

const TWO_32 = 0x1_0000_0000;
/** Fragments at least this long are copied with one TypedArray.set (one short-lived view). */
const BULK_COPY_MIN = 128;

function isContext(d2: number): boolean {
  return (d2 & R.TXD_CMD_DEXT) !== 0 && ((d2 >>> R.TXD_DTYP_SHIFT) & R.TXD_DTYP_MASK) === R.TXD_DTYP_CONTEXT;
}

/** Host-memory offset of the only data buffer of descriptors start..end-1 (zero-copy path), or -1. */
export function singleBufferOffset(
  mem: HostMemory,
  ringOffset: number,
  start: number,
  end: number,
  n: number,
): number {
  const u32 = mem.u32;
  for (let d = start; d !== end; d = ringAdvance(d, 1, n)) {
    const w = (ringOffset + d * R.DESCRIPTOR_BYTES) >>> 2;
    const d2 = u32[w + 2];
    if (isContext(d2)) continue;
    const len = d2 & R.TXD_LEN_MASK;
    if (len > 0) return mem.translate(u32[w] + u32[w + 1] * TWO_32, len);
  }
  return -1;
}

/**
 * Copies the buffers of descriptors start..end-1 into `out`, inserting the 802.1Q tag (VLAN TCI
 * in `info` bits 31:16 when PKT_VLE) after the addresses and zero-padding to `length`.
 * Returns 0 (the frame's offset in `out`) or -1 on a DMA error.
 */
export function gatherFrame(
  mem: HostMemory,
  out: Uint8Array,
  ringOffset: number,
  start: number,
  end: number,
  n: number,
  info: number,
  length: number,
): number {
  const u32 = mem.u32;
  const u8 = mem.u8;
  const vle = (info & PKT_VLE) !== 0;
  // Copy at +4 when a tag is inserted, then slide the 12 address bytes down over the gap.
  let pos = vle ? 4 : 0;
  for (let d = start; d !== end; d = ringAdvance(d, 1, n)) {
    const w = (ringOffset + d * R.DESCRIPTOR_BYTES) >>> 2;
    const d2 = u32[w + 2];
    if (isContext(d2)) continue;
    const len = d2 & R.TXD_LEN_MASK;
    if (len === 0) continue;
    const src = mem.translate(u32[w] + u32[w + 1] * TWO_32, len);
    if (src < 0) return -1;
    if (len >= BULK_COPY_MIN) out.set(u8.subarray(src, src + len), pos);
    else for (let k = 0; k < len; k++) out[pos + k] = u8[src + k];
    pos += len;
  }
  if (vle) {
    out.copyWithin(0, 4, 16);
    const tci = info >>> 16;
    out[12] = 0x81;
    out[13] = 0x00;
    out[14] = tci >>> 8;
    out[15] = tci & 0xff;
  }
  for (; pos < length; pos++) out[pos] = 0;
  return 0;
}

/**
 * DD on every RS descriptor (legacy: STA byte 12 bit 0; advanced: dword3 = DD). With TSWB
 * (OURS) the EOP descriptor's qword0 receives the SFD time rounded to integer ns, little-endian.
 */
export function writeBackDescriptors(
  mem: HostMemory,
  ringOffset: number,
  start: number,
  end: number,
  n: number,
  tswb: boolean,
  /** [0] = SFD time in ns: a cell, not a float64 argument, so the call allocates nothing. */
  sfd: Float64Array,
): void {
  const u32 = mem.u32;
  const eop = end === 0 ? n - 1 : end - 1;
  for (let d = start; d !== end; d = ringAdvance(d, 1, n)) {
    const off = ringOffset + d * R.DESCRIPTOR_BYTES;
    const w = off >>> 2;
    const d2 = u32[w + 2];
    if ((d2 & R.TXD_CMD_RS) === 0) continue;
    if (d2 & R.TXD_CMD_DEXT) {
      if (isContext(d2)) continue;
      u32[w + 3] = R.TXD_STA_DD;
    } else {
      mem.u8[off + 12] |= R.TXD_STA_DD;
    }
    if (tswb && d === eop) {
      const ts = Math.round(sfd[0]);
      u32[w] = ts >>> 0; // ts mod 2^32, exact for integers below 2^53 (`%` on a double is a libm call)
      u32[w + 1] = Math.floor(ts / TWO_32);
    }
  }
}

/**
 * `writeBackDescriptors` for a packet of one descriptor `d` (its EOP): the same bytes, without
 * the loop. A context descriptor cannot end a packet, so only the data case remains.
 */
export function writeBackOne(
  mem: HostMemory,
  ringOffset: number,
  d: number,
  tswb: boolean,
  sfd: Float64Array,
): void {
  const u32 = mem.u32;
  const off = ringOffset + d * R.DESCRIPTOR_BYTES;
  const w = off >>> 2;
  const d2 = u32[w + 2];
  if ((d2 & R.TXD_CMD_RS) === 0) return;
  if (d2 & R.TXD_CMD_DEXT) {
    if (isContext(d2)) return;
    u32[w + 3] = R.TXD_STA_DD;
  } else {
    mem.u8[off + 12] |= R.TXD_STA_DD;
  }
  if (tswb) {
    const ts = Math.round(sfd[0]);
    u32[w] = ts >>> 0;
    u32[w + 1] = Math.floor(ts / TWO_32);
  }
}

/** Optional head write-back: TDWBAL bit 0 enables, the rest (and TDWBAH) is the address. */
export function headWriteBack(mem: HostMemory, tdwbal: number, tdwbah: number, head: number): void {
  if ((tdwbal & 1) === 0) return;
  const off = mem.translate(((tdwbal & ~3) >>> 0) + tdwbah * TWO_32, 4);
  if (off >= 0) mem.view.setUint32(off, head, true);
}
