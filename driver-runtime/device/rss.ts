/**
 * Receive-side scaling (nic-model §1.7): Microsoft Toeplitz hash over the 40-byte RSSRK key,
 * low 7 bits of the hash index the 128-entry RETA. Unparseable frames go to queue 0, hash 0.
 */
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';

export const RSS_KEY_BYTES = 40;

/** Toeplitz hash of `input[0..length)` with a 40-byte key (bytes in key order). */
export function toeplitzHash(key: Uint8Array, input: Uint8Array, length: number): number {
  let result = 0;
  // 32-bit window over the key, shifted left one bit per input bit.
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  for (let i = 0; i < length; i++) {
    const b = input[i];
    const next = i + 4 < key.length ? key[i + 4] : 0;
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >> bit) & 1) result ^= window;
      window = ((window << 1) | ((next >> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

/** Result of classifying one received frame. */
export interface RssResult {
  hash: number;
  /** RSS type code for descriptor dword0 bits 3:0 (registers.ts RSS_TYPE_*). */
  type: number;
  /** Packet-type bits for dword0 (IPv4/IPv6/TCP/UDP). */
  packetType: number;
  queue: number;
}

const TCP = 6;
const UDP = 17;

/** Computes hash, type and queue; reuses `out` and scratch buffers (no allocation per frame). */
export class RssClassifier {
  private readonly key = new Uint8Array(RSS_KEY_BYTES);
  private readonly input = new Uint8Array(36);
  readonly out: RssResult = { hash: 0, type: R.RSS_TYPE_NONE, packetType: 0, queue: 0 };

  classify(regs: RegisterFile, frame: Uint8Array, offset: number, length: number): RssResult {
    const out = this.out;
    out.hash = 0;
    out.type = R.RSS_TYPE_NONE;
    out.packetType = 0;
    out.queue = 0;
    const mrqc = regs.get(R.MRQC);
    let l3 = offset + 12;
    if (length < 14) return out;
    let etherType = (frame[l3] << 8) | frame[l3 + 1];
    if (etherType === 0x8100 && length >= 18) {
      l3 += 4;
      etherType = (frame[l3] << 8) | frame[l3 + 1];
    }
    l3 += 2;
    const end = offset + length;
    let n = 0;
    let proto = -1;
    let l4 = 0;
    const inp = this.input;
    if (etherType === 0x0800 && l3 + 20 <= end && frame[l3] >> 4 === 4) {
      out.packetType = R.RXD_PKTTYPE_IPV4;
      const ihl = (frame[l3] & 0xf) * 4;
      const fragmented = (((frame[l3 + 6] << 8) | frame[l3 + 7]) & 0x3fff) !== 0;
      for (let i = 0; i < 8; i++) inp[i] = frame[l3 + 12 + i];
      n = 8;
      proto = fragmented ? -1 : frame[l3 + 9];
      l4 = l3 + ihl;
    } else if (etherType === 0x86dd && l3 + 40 <= end && frame[l3] >> 4 === 6) {
      out.packetType = R.RXD_PKTTYPE_IPV6;
      for (let i = 0; i < 32; i++) inp[i] = frame[l3 + 8 + i];
      n = 32;
      proto = frame[l3 + 6];
      l4 = l3 + 40;
    } else {
      return out;
    }
    if (proto === TCP) out.packetType |= R.RXD_PKTTYPE_TCP;
    if (proto === UDP) out.packetType |= R.RXD_PKTTYPE_UDP;
    if ((mrqc & R.MRQC_ENABLE_MASK) !== R.MRQC_ENABLE_RSS) return out;
    const v4 = n === 8;
    const hasPorts = (proto === TCP || proto === UDP) && l4 + 4 <= end;
    const l4Enabled =
      proto === TCP
        ? mrqc & (v4 ? R.MRQC_TCPV4 : R.MRQC_TCPV6)
        : proto === UDP
          ? mrqc & (v4 ? R.MRQC_UDPV4 : R.MRQC_UDPV6)
          : 0;
    if (hasPorts && l4Enabled !== 0) {
      for (let i = 0; i < 4; i++) inp[n + i] = frame[l4 + i];
      n += 4;
      out.type =
        proto === TCP ? (v4 ? R.RSS_TYPE_TCPV4 : R.RSS_TYPE_TCPV6) : v4 ? R.RSS_TYPE_UDPV4 : R.RSS_TYPE_UDPV6;
    } else if (mrqc & (v4 ? R.MRQC_IPV4 : R.MRQC_IPV6)) {
      out.type = v4 ? R.RSS_TYPE_IPV4 : R.RSS_TYPE_IPV6;
    } else {
      return out;
    }
    this.loadKey(regs);
    out.hash = toeplitzHash(this.key, inp, n);
    out.queue = retaQueue(regs, out.hash & 0x7f);
    return out;
  }

  private loadKey(regs: RegisterFile): void {
    for (let i = 0; i < RSS_KEY_BYTES; i++)
      this.key[i] = (regs.get(R.RSSRK_BASE + (i & ~3)) >>> (8 * (i & 3))) & 0xff;
  }
}

/** RETA entry `index` (0..127): byte (index & 3) of RETA[index >> 2]; its low 2 bits pick one of 4 queues. */
export function retaQueue(regs: RegisterFile, index: number): number {
  const word = regs.get(R.RETA_BASE + 4 * (index >> 2));
  return (word >>> (8 * (index & 3))) & (R.NUM_QUEUES - 1);
}
