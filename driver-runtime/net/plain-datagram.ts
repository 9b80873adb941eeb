/**
 * The fixed-offset check an endpoint's fast receive path makes before the full parse: an
 * untagged Ethernet II frame to its MAC carrying IPv4 with a 20-byte header to its IP, not a
 * fragment, a total length that fits the frame, and UDP (≥ 8 bytes) or TCP (≥ 20 bytes) —
 * the shape of every data frame our stacks send. These are exactly the frames
 * `classifyForEndpoint` without checksum verification calls LOCAL_DATAGRAM, with the same
 * ports; anything else is left to it (tests/peer/fast-sink.test.ts and
 * tests/stack/fast-demux.test.ts hold both paths to the same counters).
 */
export class PlainDatagramMatcher {
  private readonly macHi: number;
  private readonly macLo: number;
  /**
   * What is compared, as 16-bit words in this machine's byte order: the MAC (3 words), the
   * EtherType IPv4, the fragment mask (MF | offset), the IP (2 words).
   */
  private readonly expected: Uint16Array;
  private words: Uint16Array = new Uint16Array(0);
  private wordsFor: Uint8Array | null = null;

  /** `mac` as a 48-bit number, `ip` as a 32-bit one. */
  constructor(
    mac: number,
    private readonly ip: number,
  ) {
    this.macHi = Math.floor(mac / 0x1_0000_0000);
    this.macLo = mac % 0x1_0000_0000;
    this.expected = expectedWords(this.macHi, this.macLo, ip);
  }

  /** Offset of the frame's L4 header (ports at +0 and +2) when it is a plain datagram to us, else -1. */
  l4Of(b: Uint8Array, o: number, length: number): number {
    if (length < 42 || o < 0 || o + length > b.length) return -1;
    const l3 = o + 14;
    if ((o & 1) === 0 && (b === this.wordsFor || b.byteOffset === 0)) {
      // Even offset: MAC, EtherType, fragment field and IP a 16-bit word at a time, half the loads.
      const w = this.wordsOf(b);
      const k = o >>> 1;
      const e = this.expected;
      if (w[k] !== e[0] || w[k + 1] !== e[1] || w[k + 2] !== e[2] || w[k + 6] !== e[3]) return -1;
      if (b[l3] !== 0x45 || (w[k + 10] & e[4]) !== 0 || w[k + 15] !== e[5] || w[k + 16] !== e[6]) return -1;
    } else {
      if (((b[o] << 8) | b[o + 1]) !== this.macHi) return -1;
      if (((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0 !== this.macLo) return -1;
      if (b[o + 12] !== 0x08 || b[o + 13] !== 0x00 || b[l3] !== 0x45) return -1;
      // MF or a fragment offset: the full path calls it a fragment ("other").
      if (((b[l3 + 6] << 8) | b[l3 + 7]) & 0x3fff) return -1;
      if (((b[l3 + 16] << 24) | (b[l3 + 17] << 16) | (b[l3 + 18] << 8) | b[l3 + 19]) >>> 0 !== this.ip)
        return -1;
    }
    const total = (b[l3 + 2] << 8) | b[l3 + 3];
    if (total < 20 || total > length - 14) return -1;
    const proto = b[l3 + 9];
    const l4Len = total - 20;
    if (proto === 17 ? l4Len < 8 : proto !== 6 || l4Len < 20) return -1;
    return l3 + 20;
  }

  /** `b`'s memory as 16-bit words (one view per buffer, kept while frames come from it). */
  private wordsOf(b: Uint8Array): Uint16Array {
    if (this.wordsFor !== b) {
      this.wordsFor = b;
      this.words = new Uint16Array(b.buffer, 0, b.buffer.byteLength >>> 1);
    }
    return this.words;
  }
}

/** The compared words, built from their bytes so the host's byte order does not matter. */
function expectedWords(macHi: number, macLo: number, ip: number): Uint16Array {
  const bytes = Uint8Array.of(
    macHi >>> 8,
    macHi & 0xff,
    macLo >>> 24,
    (macLo >>> 16) & 0xff,
    (macLo >>> 8) & 0xff,
    macLo & 0xff,
    0x08,
    0x00,
    0x3f,
    0xff,
    ip >>> 24,
    (ip >>> 16) & 0xff,
    (ip >>> 8) & 0xff,
    ip & 0xff,
  );
  return new Uint16Array(bytes.buffer);
}
