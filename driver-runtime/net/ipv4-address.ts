/**
 * IPv4 addresses as u32 numbers in network order (10.0.0.1 = 0x0a000001), matching what the
 * parser reads and what pseudoHeaderSum takes. Text forms are for config and logs.
 */

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses strict dotted-quad "a.b.c.d" (no leading '+', each 0..255); returns -1 if malformed. */
export function tryParseIpv4(text: string): number {
  const m = DOTTED.exec(text.trim());
  if (!m) return -1;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return -1;
    v = v * 256 + octet;
  }
  return v;
}

/** Parses "a.b.c.d"; throws RangeError when malformed (config input). */
export function parseIpv4(text: string): number {
  const v = tryParseIpv4(text);
  if (v < 0) throw new RangeError(`invalid IPv4 address "${text}" (expected a.b.c.d)`);
  return v;
}

export function formatIpv4(ip: number): string {
  return `${(ip >>> 24) & 0xff}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** Network mask for a prefix length 0..32 (RFC 4632), as u32. */
export function ipv4PrefixMask(prefixLen: number): number {
  return prefixLen <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefixLen, 32))) >>> 0;
}

export function isInIpv4Subnet(ip: number, network: number, prefixLen: number): boolean {
  const mask = ipv4PrefixMask(prefixLen);
  return (ip & mask) >>> 0 === (network & mask) >>> 0;
}

/** Limited broadcast 255.255.255.255 (RFC 919). */
export function isIpv4LimitedBroadcast(ip: number): boolean {
  return ip >>> 0 === 0xffffffff;
}

/** Directed broadcast of a subnet: host bits all ones (RFC 919, RFC 922). */
export function isIpv4DirectedBroadcast(ip: number, prefixLen: number): boolean {
  const host = ~ipv4PrefixMask(prefixLen) >>> 0;
  return prefixLen < 31 && (ip & host) >>> 0 === host;
}

/** Class D, 224.0.0.0/4 (RFC 5771). */
export function isIpv4Multicast(ip: number): boolean {
  return ip >>> 28 === 0xe;
}

/** Ethernet group address for an IPv4 multicast group: 01:00:5e + low 23 bits (RFC 1112 §6.4). */
export function ipv4MulticastMac(ip: number): number {
  return 0x01005e000000 + (ip & 0x7fffff);
}
