/**
 * Ethernet FCS: CRC-32 with polynomial 0x04C11DB7, processed LSB-first (reflected 0xEDB88320),
 * init 0xFFFFFFFF, final XOR 0xFFFFFFFF (IEEE 802.3 §3.2.9; same CRC as zlib/PNG).
 * Check value: crc32("123456789") = 0xCBF43926.
 */

/** Byte-at-a-time table, built once at module load (1 KiB). */
const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 of `len` bytes from `off`. Pass a previous result as `prev` to continue over
 * split buffers: crc32(b, 0, n) === crc32(b, k, n - k, crc32(b, 0, k)).
 */
export function crc32(buf: Uint8Array, off: number, len: number, prev = 0): number {
  let c = ~prev >>> 0;
  const end = off + len;
  for (let i = off; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Appends the FCS after a `frameLen`-byte frame at `off`; returns 4. The FCS goes out
 * least-significant byte first (IEEE 802.3 §3.2.9), i.e. little-endian in the buffer.
 */
export function writeFcs(buf: Uint8Array, off: number, frameLen: number): number {
  const c = crc32(buf, off, frameLen);
  const at = off + frameLen;
  buf[at] = c;
  buf[at + 1] = c >>> 8;
  buf[at + 2] = c >>> 16;
  buf[at + 3] = c >>> 24;
  return 4;
}

/** CRC-32 residue of a frame with a good FCS appended, after the final XOR (IEEE 802.3). */
export const CRC32_RESIDUE = 0x2144df1c;

/** True when the last 4 of `lenWithFcs` bytes are the correct FCS for the rest. */
export function checkFcs(buf: Uint8Array, off: number, lenWithFcs: number): boolean {
  if (lenWithFcs < 4 || off < 0 || off + lenWithFcs > buf.length) return false;
  return crc32(buf, off, lenWithFcs) === CRC32_RESIDUE;
}
