import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAC_BROADCAST,
  formatIpv4,
  formatMac,
  ipv4MulticastMac,
  ipv4PrefixMask,
  isBroadcastMac,
  isInIpv4Subnet,
  isIpv4DirectedBroadcast,
  isIpv4LimitedBroadcast,
  isIpv4Multicast,
  isLocallyAdministeredMac,
  isMulticastMac,
  isValidMac,
  macFromBytes,
  parseIpv4,
  parseMac,
  readMac,
  tryParseIpv4,
  tryParseMac,
  writeMac,
} from '../../driver-runtime/net/index.ts';

describe('MAC addresses (48-bit numbers)', () => {
  it('parses and formats', () => {
    expect(parseMac('aa:bb:cc:dd:ee:ff')).toBe(0xaabbccddeeff);
    expect(parseMac('02-00-00-00-00-01')).toBe(0x020000000001);
    expect(formatMac(0x020000000001)).toBe('02:00:00:00:00:01');
    expect(formatMac(MAC_BROADCAST)).toBe('ff:ff:ff:ff:ff:ff');
  });

  it('rejects malformed text', () => {
    for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'gg:bb:cc:dd:ee:ff', 'aabb.ccdd.eeff']) {
      expect(tryParseMac(bad)).toBe(-1);
      expect(() => parseMac(bad)).toThrow(RangeError);
    }
  });

  it('round-trips text and bytes (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAC_BROADCAST }), (mac) => {
        expect(parseMac(formatMac(mac))).toBe(mac);
        const b = new Uint8Array(8);
        expect(writeMac(b, 1, mac)).toBe(6);
        expect(readMac(b, 1)).toBe(mac);
        expect(macFromBytes(b.subarray(1, 7))).toBe(mac);
        expect(isValidMac(mac)).toBe(true);
      }),
    );
  });

  it('writes network byte order', () => {
    const b = new Uint8Array(6);
    writeMac(b, 0, 0x0123456789ab);
    expect(Array.from(b)).toEqual([0x01, 0x23, 0x45, 0x67, 0x89, 0xab]);
  });

  it('classifies broadcast, multicast and locally administered', () => {
    expect(isBroadcastMac(MAC_BROADCAST)).toBe(true);
    expect(isMulticastMac(MAC_BROADCAST)).toBe(true);
    expect(isMulticastMac(0x01005e000001)).toBe(true);
    expect(isMulticastMac(0x00005e000001)).toBe(false);
    expect(isBroadcastMac(0x01005e000001)).toBe(false);
    expect(isLocallyAdministeredMac(0x020000000001)).toBe(true);
    expect(isLocallyAdministeredMac(0x001b21000001)).toBe(false);
    expect(isValidMac(-1)).toBe(false);
    expect(isValidMac(2 ** 48)).toBe(false);
  });
});

describe('IPv4 addresses (u32 numbers)', () => {
  it('parses and formats', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4(0xc0a800c7)).toBe('192.168.0.199');
  });

  it('rejects malformed text', () => {
    for (const bad of ['', '10.0.0', '10.0.0.256', '1.2.3.4.5', 'a.b.c.d', '10.0.0.-1', '1..2.3']) {
      expect(tryParseIpv4(bad)).toBe(-1);
      expect(() => parseIpv4(bad)).toThrow(RangeError);
    }
  });

  it('round-trips (fast-check)', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), (ip) => {
        expect(parseIpv4(formatIpv4(ip))).toBe(ip);
      }),
    );
  });

  it('classifies broadcast and multicast', () => {
    expect(isIpv4LimitedBroadcast(0xffffffff)).toBe(true);
    expect(isIpv4LimitedBroadcast(0xfffffffe)).toBe(false);
    expect(isIpv4DirectedBroadcast(parseIpv4('10.0.0.255'), 24)).toBe(true);
    expect(isIpv4DirectedBroadcast(parseIpv4('10.0.0.254'), 24)).toBe(false);
    expect(isIpv4DirectedBroadcast(parseIpv4('10.0.0.1'), 32)).toBe(false);
    expect(isIpv4Multicast(parseIpv4('224.0.0.1'))).toBe(true);
    expect(isIpv4Multicast(parseIpv4('239.255.255.255'))).toBe(true);
    expect(isIpv4Multicast(parseIpv4('240.0.0.0'))).toBe(false);
    expect(isIpv4Multicast(parseIpv4('223.255.255.255'))).toBe(false);
    expect(formatMac(ipv4MulticastMac(parseIpv4('239.129.2.3')))).toBe('01:00:5e:01:02:03');
  });

  it('computes prefix masks and subnet membership', () => {
    expect(ipv4PrefixMask(0)).toBe(0);
    expect(ipv4PrefixMask(24)).toBe(0xffffff00);
    expect(ipv4PrefixMask(32)).toBe(0xffffffff);
    expect(isInIpv4Subnet(parseIpv4('10.1.2.3'), parseIpv4('10.1.0.0'), 16)).toBe(true);
    expect(isInIpv4Subnet(parseIpv4('10.2.2.3'), parseIpv4('10.1.0.0'), 16)).toBe(false);
  });
});
