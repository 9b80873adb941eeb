/**
 * Classic pcap writer (man pcap-savefile; draft-ietf-opsawg-pcap): nanosecond-resolution
 * magic 0xa1b23c4d, version 2.4, snaplen 65535, LINKTYPE_ETHERNET (1), little-endian.
 * Records are appended to one growable buffer with no per-record objects; toBytes() returns
 * a view to hand to fs.writeFile or a Blob. Frames are stored without FCS (LINKTYPE 1 norm).
 */
import { GrowableBuffer } from './growable-buffer.ts';

export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_DEFAULT_SNAPLEN = 65535;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

const NS_PER_SEC = 1_000_000_000;

export class PcapWriter {
  private readonly out: GrowableBuffer;
  /** Records written. */
  count = 0;

  constructor(
    initialCapacity = 64 * 1024,
    readonly snaplen = PCAP_DEFAULT_SNAPLEN,
    readonly linkType = LINKTYPE_ETHERNET,
  ) {
    this.out = new GrowableBuffer(initialCapacity);
    this.writeFileHeader();
  }

  private writeFileHeader(): void {
    const o = this.out;
    o.ensure(PCAP_FILE_HEADER_LEN);
    o.u32le(PCAP_MAGIC_NS);
    o.u16le(PCAP_VERSION_MAJOR);
    o.u16le(PCAP_VERSION_MINOR);
    o.u32le(0); // reserved (was thiszone)
    o.u32le(0); // reserved (was sigfigs)
    o.u32le(this.snaplen);
    o.u32le(this.linkType);
  }

  /**
   * Appends one record: timestamp (seconds, nanoseconds 0..999999999), `len` bytes of `buf`
   * from `off` truncated to snaplen, and the original on-wire length (default `len`).
   */
  writeRecord(tsSec: number, tsNs: number, buf: Uint8Array, off: number, len: number, origLen = len): void {
    const cap = Math.min(len, this.snaplen);
    const o = this.out;
    o.ensure(PCAP_RECORD_HEADER_LEN + cap);
    o.u32le(tsSec);
    o.u32le(tsNs);
    o.u32le(cap);
    o.u32le(origLen);
    o.copy(buf, off, cap);
    this.count++;
  }

  /** Appends a record stamped with simulator time (float64 ns, sim/units.ts). */
  writeAtNs(timeNs: number, buf: Uint8Array, off: number, len: number, origLen = len): void {
    const t = Math.max(0, Math.floor(timeNs));
    const sec = Math.floor(t / NS_PER_SEC);
    this.writeRecord(sec, t - sec * NS_PER_SEC, buf, off, len, origLen);
  }

  /** The file so far (header + records). A view: copy it if writing continues afterwards. */
  toBytes(): Uint8Array {
    return this.out.written();
  }

  /** Size of the file so far in bytes. */
  get byteLength(): number {
    return this.out.pos;
  }

  /** Drops all records, keeping the buffer and the file header. */
  reset(): void {
    this.out.clear();
    this.count = 0;
    this.writeFileHeader();
  }
}
