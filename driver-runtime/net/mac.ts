/**
 * MAC addresses as 48-bit unsigned integers in a JS number, first wire byte most significant
 * (aa:bb:cc:dd:ee:ff = 0xaabbccddeeff). Why numbers and not 6-byte arrays: no allocation when
 * the parser reports addresses, `===` compares them, they key Maps, and 2^48 < 2^53 is exact.
 * Text parsing/formatting is for config and logs, not the data path.
 */
import { readU48, writeU48 } from './bytes.ts';
import { MAC_BROADCAST } from './constants.ts';

const TWO_32 = 0x1_0000_0000;
const MAC_TEXT =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

/** Parses "aa:bb:cc:dd:ee:ff" (or '-' separated); returns -1 when malformed. */
export function tryParseMac(text: string): number {
  const m = MAC_TEXT.exec(text.trim());
  if (!m) return -1;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

/** Parses "aa:bb:cc:dd:ee:ff"; throws RangeError when malformed (config input). */
export function parseMac(text: string): number {
  const v = tryParseMac(text);
  if (v < 0) throw new RangeError(`invalid MAC address "${text}" (expected aa:bb:cc:dd:ee:ff)`);
  return v;
}

/** Formats as lowercase "aa:bb:cc:dd:ee:ff". */
export function formatMac(mac: number): string {
  const parts: string[] = [];
  for (let shift = 40; shift >= 0; shift -= 8) {
    parts.push((Math.floor(mac / 2 ** shift) & 0xff).toString(16).padStart(2, '0'));
  }
  return parts.join(':');
}

/** True for a valid 48-bit integer. */
export function isValidMac(mac: number): boolean {
  return Number.isInteger(mac) && mac >= 0 && mac <= MAC_BROADCAST;
}

/** First wire byte of the address. */
function firstOctet(mac: number): number {
  return Math.floor(mac / (TWO_32 * 0x100)) & 0xff;
}

export function isBroadcastMac(mac: number): boolean {
  return mac === MAC_BROADCAST;
}

/** I/G bit: LSB of the first octet (IEEE 802-2014 §8.2). Broadcast is also multicast. */
export function isMulticastMac(mac: number): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}

/** U/L bit: second-least-significant bit of the first octet (IEEE 802-2014 §8.2). */
export function isLocallyAdministeredMac(mac: number): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** Writes the 6 address bytes at `off`; returns 6. */
export function writeMac(buf: Uint8Array, off: number, mac: number): number {
  writeU48(buf, off, mac);
  return 6;
}

/** Reads 6 address bytes at `off` (caller bounds-checks). */
export function readMac(buf: Uint8Array, off: number): number {
  return readU48(buf, off);
}

/** Address from a 6-byte array (e.g. a register dump); for config paths. */
export function macFromBytes(bytes: ArrayLike<number>): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + ((bytes[i] ?? 0) & 0xff);
  return v;
}
