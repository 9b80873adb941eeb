/**
 * pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, Interface Description
 * Blocks with if_tsresol = 9 (nanoseconds), and Enhanced Packet Blocks with an optional
 * per-packet opt_comment (e.g. "q2 app=video"), which classic pcap cannot carry.
 * Little-endian; blocks are padded to 32 bits; same growable buffer as PcapWriter.
 */
import { GrowableBuffer } from './growable-buffer.ts';
import { LINKTYPE_ETHERNET, PCAP_DEFAULT_SNAPLEN } from './pcap-writer.ts';
import { utf8Length, writeUtf8 } from './utf8.ts';

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
export const PCAPNG_IDB_TYPE = 0x00000001;
export const PCAPNG_EPB_TYPE = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const TWO_32 = 0x1_0000_0000;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Bytes an option with a `len`-byte value takes: code, length, value padded to 32 bits. */
function optionSize(len: number): number {
  return 4 + pad4(len);
}

export class PcapngWriter {
  private readonly out: GrowableBuffer;
  /** Snaplen per interface id (grows only in addInterface, off the packet path). */
  private readonly snaplens: number[] = [];
  /** Enhanced Packet Blocks written. */
  count = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.out = new GrowableBuffer(initialCapacity);
    this.writeSectionHeader();
  }

  private writeSectionHeader(): void {
    const o = this.out;
    const total = 28; // no options
    o.ensure(total);
    o.u32le(PCAPNG_SHB_TYPE);
    o.u32le(total);
    o.u32le(PCAPNG_BYTE_ORDER_MAGIC);
    o.u16le(1); // major
    o.u16le(0); // minor
    o.u32le(0xffffffff); // section length -1 (unknown), 64 bits
    o.u32le(0xffffffff);
    o.u32le(total);
  }

  /** Adds an interface (IDB); returns its id for writePacket. Timestamps are in ns. */
  addInterface(name = '', linkType = LINKTYPE_ETHERNET, snaplen = PCAP_DEFAULT_SNAPLEN): number {
    const nameLen = utf8Length(name);
    const opts = (nameLen > 0 ? optionSize(nameLen) : 0) + optionSize(1) + 4;
    const total = 20 + opts;
    const o = this.out;
    o.ensure(total);
    o.u32le(PCAPNG_IDB_TYPE);
    o.u32le(total);
    o.u16le(linkType);
    o.u16le(0); // reserved
    o.u32le(snaplen);
    if (nameLen > 0) this.writeStringOption(IF_NAME, name, nameLen);
    o.u16le(IF_TSRESOL);
    o.u16le(1);
    o.u8(9); // 10^-9 s
    o.zeros(3);
    o.u16le(OPT_ENDOFOPT);
    o.u16le(0);
    o.u32le(total);
    this.snaplens.push(snaplen);
    return this.snaplens.length - 1;
  }

  private writeStringOption(code: number, text: string, len: number): void {
    const o = this.out;
    o.u16le(code);
    o.u16le(len);
    o.pos += writeUtf8(o.bytes, o.pos, text);
    o.zeros(pad4(len) - len);
  }

  /**
   * Appends an EPB for `len` bytes (cut to the interface snaplen) of `buf` at `off` on
   * interface `ifId` (from addInterface), at `timeNs`
   * (float64 ns, integer part used), with an optional comment. Callers should pass
   * preformatted (cached) comment strings to keep the per-packet path allocation-free.
   */
  writePacket(
    ifId: number,
    timeNs: number,
    buf: Uint8Array,
    off: number,
    len: number,
    origLen = len,
    comment = '',
  ): void {
    const cap = Math.min(len, this.snaplens[ifId] ?? PCAP_DEFAULT_SNAPLEN);
    const commentLen = comment.length > 0 ? utf8Length(comment) : 0;
    const opts = commentLen > 0 ? optionSize(commentLen) + 4 : 0;
    const total = 32 + pad4(cap) + opts;
    const t = Math.max(0, Math.floor(timeNs));
    const o = this.out;
    o.ensure(total);
    o.u32le(PCAPNG_EPB_TYPE);
    o.u32le(total);
    o.u32le(ifId);
    o.u32le(Math.floor(t / TWO_32));
    o.u32le(t % TWO_32);
    o.u32le(cap);
    o.u32le(origLen);
    o.copy(buf, off, cap);
    o.zeros(pad4(cap) - cap);
    if (commentLen > 0) {
      this.writeStringOption(OPT_COMMENT, comment, commentLen);
      o.u16le(OPT_ENDOFOPT);
      o.u16le(0);
    }
    o.u32le(total);
    this.count++;
  }

  /** The file so far. A view: copy it if writing continues afterwards. */
  toBytes(): Uint8Array {
    return this.out.written();
  }

  get byteLength(): number {
    return this.out.pos;
  }
}
