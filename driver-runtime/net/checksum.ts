/**
 * Internet checksum (RFC 1071) and incremental update (RFC 1624).
 *
 * Sums are returned "folded": a 16-bit ones' complement sum in 1..0xffff (0 only when every
 * word is zero). Checksums are the complement of a folded sum. Keeping folded sums and
 * checksums apart lets callers chain sums (pseudo-header + segment) before complementing.
 */
import { IPPROTO_UDP, IPPROTO_TCP } from './constants.ts';

/**
 * Folds a non-negative accumulator (may exceed 2^32) to 16 bits with end-around carry
 * (RFC 1071 §1). Above 2^32 it divides, because `>>>` would truncate the high bits.
 */
export function foldSum(sum: number): number {
  while (sum > 0xffff) {
    sum = sum > 0xffffffff ? (sum % 0x10000) + Math.floor(sum / 0x10000) : (sum >>> 16) + (sum & 0xffff);
  }
  return sum;
}

/**
 * Ones' complement sum of `len` bytes of `buf` from `off`, added to `initial`, folded.
 * Big-endian 16-bit words; an odd trailing byte is padded with a zero octet (RFC 768, RFC 9293).
 * Accumulates in a float64 and folds once at the end (RFC 1071 §2(C) "deferred carries"):
 * 2^53 / 0xffff words is far beyond any frame, so no precision is lost.
 */
export function onesSum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  let i = off;
  const end = off + len;
  const end8 = off + (len & ~7);
  // Four words per iteration (RFC 1071 §2(D) "unwinding loops").
  while (i < end8) {
    sum +=
      ((buf[i]! << 8) | buf[i + 1]!) +
      ((buf[i + 2]! << 8) | buf[i + 3]!) +
      ((buf[i + 4]! << 8) | buf[i + 5]!) +
      ((buf[i + 6]! << 8) | buf[i + 7]!);
    i += 8;
  }
  while (i + 1 < end) {
    sum += (buf[i]! << 8) | buf[i + 1]!;
    i += 2;
  }
  if (i < end) sum += buf[i]! << 8;
  return foldSum(sum);
}

/** RFC 1071 checksum of a byte range: complement of the folded sum. */
export function internetChecksum(buf: Uint8Array, off: number, len: number): number {
  return ~onesSum(buf, off, len) & 0xffff;
}

/**
 * Folded sum of a range that skips the 2-byte checksum field at `off + csumAt` (as if it were
 * zero, RFC 791 / 768 / 9293 / 792), so a header can be summed without clearing it first.
 * `csumAt` must be even so word alignment is preserved on both sides.
 */
function sumSkipping(buf: Uint8Array, off: number, len: number, csumAt: number, initial: number): number {
  const head = onesSum(buf, off, csumAt, initial);
  return onesSum(buf, off + csumAt + 2, len - csumAt - 2, head);
}

/** Header length in bytes from the IHL nibble of the IPv4 header at `off`. */
function ihlBytes(buf: Uint8Array, off: number): number {
  return (buf[off]! & 0x0f) * 4;
}

/** IPv4 header checksum (RFC 791 §3.1) over IHL*4 bytes, ignoring the current checksum field. */
export function ipv4HeaderChecksum(buf: Uint8Array, off: number): number {
  return ~sumSkipping(buf, off, ihlBytes(buf, off), 10, 0) & 0xffff;
}

/** Computes and stores the IPv4 header checksum at `off + 10`. */
export function writeIpv4HeaderChecksum(buf: Uint8Array, off: number): void {
  const c = ipv4HeaderChecksum(buf, off);
  buf[off + 10] = c >>> 8;
  buf[off + 11] = c;
}

/** True when the header (checksum included) sums to 0xffff (RFC 1071 §1 verification). */
export function verifyIpv4Header(buf: Uint8Array, off: number): boolean {
  const hl = ihlBytes(buf, off);
  if (hl < 20 || off + hl > buf.length) return false;
  return onesSum(buf, off, hl) === 0xffff;
}

/**
 * Folded sum of the IPv4 pseudo-header (RFC 768; RFC 9293 §3.1): src, dst, zero+proto,
 * L4 length. IPs are u32 numbers in network order (10.0.0.1 = 0x0a000001).
 */
export function pseudoHeaderSum(srcIp: number, dstIp: number, proto: number, l4Length: number): number {
  return foldSum((srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + proto + l4Length);
}

/** Offset of the checksum field inside the L4 header: UDP 6 (RFC 768), TCP 16 (RFC 9293). */
export function l4ChecksumOffset(proto: number): number {
  return proto === IPPROTO_UDP ? 6 : proto === IPPROTO_TCP ? 16 : -1;
}

/**
 * UDP/TCP checksum of the segment at `l4Off` (header + data, `l4Len` bytes) with the IPv4
 * pseudo-header, ignoring the current checksum field. For UDP a computed 0 is returned as
 * 0xffff because 0 on the wire means "no checksum" (RFC 768).
 */
export function l4Checksum(
  buf: Uint8Array,
  l4Off: number,
  l4Len: number,
  srcIp: number,
  dstIp: number,
  proto: number,
): number {
  const seed = pseudoHeaderSum(srcIp, dstIp, proto, l4Len);
  const c = ~sumSkipping(buf, l4Off, l4Len, l4ChecksumOffset(proto), seed) & 0xffff;
  return proto === IPPROTO_UDP && c === 0 ? 0xffff : c;
}

/** Computes and stores the UDP/TCP checksum in its field; returns it. */
export function writeL4Checksum(
  buf: Uint8Array,
  l4Off: number,
  l4Len: number,
  srcIp: number,
  dstIp: number,
  proto: number,
): number {
  const c = l4Checksum(buf, l4Off, l4Len, srcIp, dstIp, proto);
  const at = l4Off + l4ChecksumOffset(proto);
  buf[at] = c >>> 8;
  buf[at + 1] = c;
  return c;
}

/**
 * Verifies a UDP/TCP segment against its pseudo-header. A UDP checksum of 0 means the sender
 * did not compute one (RFC 768) and is accepted. Only UDP and TCP are understood.
 */
export function verifyL4(
  buf: Uint8Array,
  l4Off: number,
  l4Len: number,
  srcIp: number,
  dstIp: number,
  proto: number,
): boolean {
  const at = l4ChecksumOffset(proto);
  if (at < 0 || l4Len < at + 2 || l4Off + l4Len > buf.length) return false;
  if (proto === IPPROTO_UDP && buf[l4Off + at] === 0 && buf[l4Off + at + 1] === 0) return true;
  return onesSum(buf, l4Off, l4Len, pseudoHeaderSum(srcIp, dstIp, proto, l4Len)) === 0xffff;
}

/** ICMP checksum (RFC 792) over the whole message, ignoring the field at offset 2. */
export function icmpChecksum(buf: Uint8Array, off: number, len: number): number {
  return ~sumSkipping(buf, off, len, 2, 0) & 0xffff;
}

/** True when the ICMP message (checksum included) sums to 0xffff. */
export function verifyIcmp(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 4 || off + len > buf.length) return false;
  return onesSum(buf, off, len) === 0xffff;
}

/**
 * Incremental update (RFC 1624 eqn. 3): HC' = ~(~HC + ~m + m') for a 16-bit field changing
 * from `oldWord` to `newWord`. Eqn. 3 (not RFC 1141's eqn. 2) avoids the -0 result, so the
 * output is byte-identical to a full recompute whenever the true sum is non-zero, which holds
 * for every IPv4/UDP/TCP header (they contain non-zero words). UDP callers must still map
 * a result of 0 to 0xffff (udpChecksumValue).
 */
export function checksumAdjust(oldCsum: number, oldWord: number, newWord: number): number {
  return ~foldSum((~oldCsum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff)) & 0xffff;
}

/** RFC 1624 update for a 32-bit field (TCP seq/ack, an IPv4 address): two words at once. */
export function checksumAdjust32(oldCsum: number, oldValue: number, newValue: number): number {
  return (
    ~foldSum(
      (~oldCsum & 0xffff) +
        (~(oldValue >>> 16) & 0xffff) +
        (~oldValue & 0xffff) +
        ((newValue >>> 16) & 0xffff) +
        (newValue & 0xffff),
    ) & 0xffff
  );
}

/** UDP form of a checksum result: 0 is transmitted as 0xffff (RFC 768). */
export function udpChecksumValue(c: number): number {
  return c === 0 ? 0xffff : c;
}
