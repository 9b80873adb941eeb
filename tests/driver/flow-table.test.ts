/**
 * FlowTable: local port → app, learned from Tx source ports and read on Rx destination
 * ports, from real frames made by net/'s builders (plain and 802.1Q, UDP and TCP).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { FlowTable } from '../../driver-runtime/driver/flow-table.ts';
import {
  ARP_OP_REQUEST,
  MAC_BROADCAST,
  TCP_ACK,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
  type TcpFrameSpec,
  type UdpFrameSpec,
  type VlanSpec,
} from '../../driver-runtime/net/index.ts';

const HOST_MAC = 0x3c22fb102030;
const PEER_MAC = 0xa491b1000001;
const HOST_IP = 0xc0a80114; // 192.168.1.20
const PEER_IP = 0xc0a80101; // 192.168.1.1
const VLAN: VlanSpec = { pcp: 5, dei: false, vid: 42 };

/** Frames are built at an odd offset inside a larger buffer full of stale bytes. */
const OFF = 37;

interface Frame {
  buf: Uint8Array;
  off: number;
  len: number;
}

function udp(srcPort: number, dstPort: number, opts: Partial<UdpFrameSpec> = {}, toHost = false): Frame {
  const buf = new Uint8Array(2048).fill(0xa5);
  const len = buildUdpFrame(buf, OFF, {
    dstMac: toHost ? HOST_MAC : PEER_MAC,
    srcMac: toHost ? PEER_MAC : HOST_MAC,
    srcIp: toHost ? PEER_IP : HOST_IP,
    dstIp: toHost ? HOST_IP : PEER_IP,
    srcPort,
    dstPort,
    payloadLength: 100,
    ...opts,
  });
  return { buf, off: OFF, len };
}

function tcp(srcPort: number, dstPort: number, opts: Partial<TcpFrameSpec> = {}, toHost = false): Frame {
  const buf = new Uint8Array(2048).fill(0x5a);
  const len = buildTcpFrame(buf, OFF, {
    dstMac: toHost ? HOST_MAC : PEER_MAC,
    srcMac: toHost ? PEER_MAC : HOST_MAC,
    srcIp: toHost ? PEER_IP : HOST_IP,
    dstIp: toHost ? HOST_IP : PEER_IP,
    srcPort,
    dstPort,
    seq: 1000,
    ack: 2000,
    flags: TCP_ACK,
    window: 65535,
    payloadLength: 1000,
    ...opts,
  });
  return { buf, off: OFF, len };
}

/** Offset of the IPv4 header of a frame built here. */
function l3(f: Frame, tagged: boolean): number {
  return f.off + (tagged ? 18 : 14);
}

let t: FlowTable;
const learn = (f: Frame, app: number) => t.learnTx(f.buf, f.off, f.len, app);
const lookup = (f: Frame) => t.appForRx(f.buf, f.off, f.len);

beforeEach(() => {
  t = new FlowTable();
});

describe('FlowTable', () => {
  it('learns a UDP source port on Tx and finds it as the destination port on Rx', () => {
    learn(udp(5353, 53), 7);
    expect(lookup(udp(53, 5353, {}, true))).toBe(7);
    // The remote port (53) is not the app's.
    expect(lookup(udp(5353, 53, {}, true))).toBe(0);
  });

  it('learns TCP the same way', () => {
    learn(tcp(41000, 443), 3);
    expect(lookup(tcp(443, 41000, {}, true))).toBe(3);
    expect(lookup(tcp(443, 41001, {}, true))).toBe(0);
  });

  it('UDP and TCP share one port space (the table is keyed by port only)', () => {
    learn(udp(6000, 1), 4);
    expect(lookup(tcp(1, 6000, {}, true))).toBe(4);
  });

  it('reads past an 802.1Q tag on Tx and Rx', () => {
    learn(udp(40000, 3478, { vlan: VLAN }), 9);
    expect(lookup(udp(3478, 40000, { vlan: VLAN }, true))).toBe(9);
    expect(lookup(udp(3478, 40000, {}, true))).toBe(9);
    learn(tcp(40001, 443, { vlan: { pcp: 0, dei: false, vid: 0 } }), 2);
    expect(lookup(tcp(443, 40001, { vlan: VLAN }, true))).toBe(2);
  });

  it('the last app to send from a port owns it', () => {
    learn(udp(7000, 9), 1);
    learn(udp(7000, 9), 2);
    expect(lookup(udp(9, 7000, {}, true))).toBe(2);
  });

  it('ports at the edges: 0 and 65535', () => {
    learn(udp(65535, 1), 11);
    learn(udp(0, 1), 12);
    expect(lookup(udp(1, 65535, {}, true))).toBe(11);
    expect(lookup(udp(1, 0, {}, true))).toBe(12);
  });

  it('follows the IHL when the IPv4 header has options', () => {
    const f = udp(1234, 5678, {}, false);
    // Insert 4 bytes of options (NOPs) after the 20-byte header and set IHL = 6.
    const ip = l3(f, false);
    const opt = new Uint8Array(2048);
    opt.set(f.buf.subarray(0, ip + 20), 0);
    opt.set([1, 1, 1, 1], ip + 20);
    opt.set(f.buf.subarray(ip + 20, f.off + f.len), ip + 24);
    opt[ip] = 0x46;
    t.learnTx(opt, f.off, f.len + 4, 8);
    expect(lookup(udp(5678, 1234, {}, true))).toBe(8);
    // Read with IHL 5, the options would have been taken for ports 0x0101.
    expect(lookup(udp(1, 0x0101, {}, true))).toBe(0);
  });

  describe('IPv4 fragments: only the first carries the ports', () => {
    function fragment(f: Frame, tagged: boolean, offsetUnits: number, more: boolean): Frame {
      const ip = l3(f, tagged);
      f.buf[ip + 6] = (more ? 0x20 : 0) | ((offsetUnits >> 8) & 0x1f);
      f.buf[ip + 7] = offsetUnits & 0xff;
      return f;
    }

    it('a later fragment (offset ≠ 0) is ignored on Tx and Rx', () => {
      for (const [units, more] of [
        [185, true],
        [185, false],
        [1, true],
        [0x1f00, false], // offset bits in the first byte only
      ] as const) {
        t.clear();
        learn(fragment(udp(2000, 3000), false, units, more), 5);
        expect(lookup(udp(3000, 2000, {}, true))).toBe(0);
        learn(udp(2000, 3000), 5);
        expect(lookup(fragment(udp(3000, 2000, {}, true), false, units, more))).toBe(0);
        expect(lookup(fragment(udp(3000, 2000, { vlan: VLAN }, true), true, units, more))).toBe(0);
      }
    });

    it('the first fragment (MF set, offset 0) is used', () => {
      learn(fragment(udp(2001, 3000), false, 0, true), 6);
      expect(lookup(fragment(udp(3000, 2001, {}, true), false, 0, true))).toBe(6);
    });

    it('DF alone is not a fragment', () => {
      const f = udp(2002, 3000, { dontFragment: true });
      expect(f.buf[l3(f, false) + 6]).toBe(0x40);
      learn(f, 6);
      expect(lookup(udp(3000, 2002, { dontFragment: false }, true))).toBe(6);
    });
  });

  describe('frames it cannot read give 0 and teach nothing', () => {
    it('truncated before the end of the IPv4 header or the ports', () => {
      learn(udp(4000, 53), 3);
      const rx = udp(53, 4000, {}, true);
      const rxTagged = udp(53, 4000, { vlan: VLAN }, true);
      for (const len of [0, 6, 13, 14, 20, 33, 34, 35, 37]) {
        expect(t.appForRx(rx.buf, rx.off, len)).toBe(0);
      }
      expect(t.appForRx(rx.buf, rx.off, 38)).toBe(3); // 14 + 20 + 4: the ports are in
      for (const len of [17, 18, 37, 41]) expect(t.appForRx(rxTagged.buf, rxTagged.off, len)).toBe(0);
      expect(t.appForRx(rxTagged.buf, rxTagged.off, 42)).toBe(3);

      const tx = udp(4500, 53);
      for (const len of [0, 14, 33, 37]) t.learnTx(tx.buf, tx.off, len, 9);
      expect(lookup(udp(53, 4500, {}, true))).toBe(0);
    });

    it('not IPv4 UDP/TCP: ARP, ICMP, other ethertypes', () => {
      // Give every port an owner, so a 0 below means "not read", not "port unknown".
      const owner = udp(0, 80);
      const l4 = l3(owner, false) + 20;
      for (let p = 0; p < 65536; p++) {
        owner.buf[l4] = p >> 8;
        owner.buf[l4 + 1] = p & 0xff;
        learn(owner, 1);
      }
      expect(lookup(udp(80, 1000, {}, true))).toBe(1);
      const buf = new Uint8Array(256);
      const arp = buildArpFrame(buf, 0, {
        dstMac: MAC_BROADCAST,
        srcMac: PEER_MAC,
        op: ARP_OP_REQUEST,
        senderMac: PEER_MAC,
        senderIp: PEER_IP,
        targetMac: 0,
        targetIp: HOST_IP,
      });
      expect(t.appForRx(buf, 0, arp)).toBe(0);
      const icmp = buildIcmpEchoFrame(buf, 0, {
        dstMac: HOST_MAC,
        srcMac: PEER_MAC,
        srcIp: PEER_IP,
        dstIp: HOST_IP,
        type: 8,
        id: 1000,
        seq: 1000,
        payloadLength: 32,
      });
      expect(t.appForRx(buf, 0, icmp)).toBe(0);
      const ipv6ish = udp(1, 1000, {}, true);
      ipv6ish.buf[ipv6ish.off + 12] = 0x86;
      ipv6ish.buf[ipv6ish.off + 13] = 0xdd;
      expect(lookup(ipv6ish)).toBe(0);
    });
  });

  it('clear() forgets every port', () => {
    for (let p = 1; p < 65536; p += 977) learn(udp(p, 80), 1 + (p % 100));
    expect(lookup(udp(80, 978, {}, true))).toBe(1 + (978 % 100));
    t.clear();
    for (let p = 1; p < 65536; p += 977) expect(lookup(udp(80, p, {}, true))).toBe(0);
  });
});
