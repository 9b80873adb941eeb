/**
 * FlowTable: IPv4 5-tuple → accounting slot, pushed by the app, read from real frames made by
 * net/'s builders (plain and 802.1Q, UDP, TCP and ICMP echo), built at an odd offset inside a
 * buffer full of stale bytes. Exact matching, both directions, what is not a flow, the
 * counters, bounded size with least-recently-seen eviction, tombstones and rehash (checked
 * against a model with fast-check), and the unknown-flow window.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowTable, NOT_A_FLOW } from '../../driver-runtime/driver/flow-table.ts';
import {
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MAC_BROADCAST,
  TCP_ACK,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildUdpFrame,
  writeIpv4HeaderChecksum,
  type Ipv4Spec,
  type VlanSpec,
} from '../../driver-runtime/net/index.ts';

const HOST_MAC = 0x3c22fb102030;
const PEER_MAC = 0xa491b1000001;
const HOST_IP = 0xc0a80114; // 192.168.1.20 (high bit set: u32 handling matters)
const PEER_IP = 0xc0a80101; // 192.168.1.1
const OTHER_PEER_IP = 0x08080808; // 8.8.8.8
const VLAN: VlanSpec = { pcp: 5, dei: false, vid: 42 };
const SECOND = 1e9;

/** Frames are built at an odd offset inside a larger buffer full of stale bytes. */
const OFF = 37;

interface Frame {
  buf: Uint8Array;
  off: number;
  len: number;
  /** Offset of the IPv4 header. */
  l3: number;
}

interface Dir {
  /** Peer → host (an Rx frame); default host → peer (Tx). */
  toHost?: boolean;
  vlan?: VlanSpec;
  localIp?: number;
  remoteIp?: number;
}

function ipSpec(d: Dir): Ipv4Spec {
  const local = d.localIp ?? HOST_IP;
  const remote = d.remoteIp ?? PEER_IP;
  return {
    dstMac: d.toHost ? HOST_MAC : PEER_MAC,
    srcMac: d.toHost ? PEER_MAC : HOST_MAC,
    srcIp: d.toHost ? remote : local,
    dstIp: d.toHost ? local : remote,
    vlan: d.vlan ?? null,
  };
}

function frameOf(buf: Uint8Array, len: number, d: Dir): Frame {
  return { buf, off: OFF, len, l3: OFF + (d.vlan ? 18 : 14) };
}

/** A UDP frame of the flow local:lport ↔ remote:rport, in the direction `d` says. */
function udp(lport: number, rport: number, d: Dir = {}, payloadLength = 100): Frame {
  const buf = new Uint8Array(2048).fill(0xa5);
  const len = buildUdpFrame(buf, OFF, {
    ...ipSpec(d),
    srcPort: d.toHost ? rport : lport,
    dstPort: d.toHost ? lport : rport,
    payloadLength,
  });
  return frameOf(buf, len, d);
}

function tcp(lport: number, rport: number, d: Dir = {}, payloadLength = 1000): Frame {
  const buf = new Uint8Array(2048).fill(0x5a);
  const len = buildTcpFrame(buf, OFF, {
    ...ipSpec(d),
    srcPort: d.toHost ? rport : lport,
    dstPort: d.toHost ? lport : rport,
    seq: 1000,
    ack: 2000,
    flags: TCP_ACK,
    window: 65535,
    payloadLength,
  });
  return frameOf(buf, len, d);
}

function icmp(type: number, id: number, d: Dir = {}): Frame {
  const buf = new Uint8Array(2048).fill(0x3c);
  const len = buildIcmpEchoFrame(buf, OFF, { ...ipSpec(d), type, id, seq: 7, payloadLength: 56 });
  return frameOf(buf, len, d);
}

function arp(op: number, vlan?: VlanSpec): Frame {
  const buf = new Uint8Array(256).fill(0x11);
  const len = buildArpFrame(buf, OFF, {
    dstMac: op === ARP_OP_REQUEST ? MAC_BROADCAST : PEER_MAC,
    srcMac: HOST_MAC,
    vlan: vlan ?? null,
    op,
    senderMac: HOST_MAC,
    senderIp: HOST_IP,
    targetMac: op === ARP_OP_REQUEST ? 0 : PEER_MAC,
    targetIp: PEER_IP,
  });
  return { buf, off: OFF, len, l3: OFF + (vlan ? 18 : 14) };
}

/** The same frame with `words` 32-bit words of IPv4 options (NOPs) after the base header. */
function withIpOptions(f: Frame, words: number): Frame {
  const buf = new Uint8Array(2048).fill(0xa5);
  const ip = f.l3;
  const extra = words * 4;
  buf.set(f.buf.subarray(0, ip + 20), 0);
  buf.fill(1, ip + 20, ip + 20 + extra); // IPOPT_NOP
  buf.set(f.buf.subarray(ip + 20, f.off + f.len), ip + 20 + extra);
  buf[ip] = 0x40 | (5 + words);
  const total = ((buf[ip + 2] << 8) | buf[ip + 3]) + extra;
  buf[ip + 2] = total >> 8;
  buf[ip + 3] = total & 0xff;
  writeIpv4HeaderChecksum(buf, ip);
  return { buf, off: f.off, len: f.len + extra, l3: ip };
}

/** Sets the IPv4 TOS and TTL: bytes the tuple leaves out, beside bytes it reads. */
function withTosTtl(f: Frame, tos: number, ttl: number): Frame {
  f.buf[f.l3 + 1] = tos;
  f.buf[f.l3 + 8] = ttl;
  writeIpv4HeaderChecksum(f.buf, f.l3);
  return f;
}

/** Sets the IPv4 flags/fragment offset (in 8-byte units). */
function fragment(f: Frame, offsetUnits: number, more: boolean, df = false): Frame {
  f.buf[f.l3 + 6] = (df ? 0x40 : 0) | (more ? 0x20 : 0) | ((offsetUnits >> 8) & 0x1f);
  f.buf[f.l3 + 7] = offsetUnits & 0xff;
  writeIpv4HeaderChecksum(f.buf, f.l3);
  return f;
}

/** The table plus short names for its data-path calls on a Frame. */
function table(maxEntries = 64) {
  const t = new FlowTable(maxEntries);
  return {
    t,
    tx: (f: Frame, nowNs = 0) => t.slotForTx(f.buf, f.off, f.len, nowNs),
    rx: (f: Frame) => t.slotForRx(f.buf, f.off, f.len),
    peek: (f: Frame) => t.peekSlotForTx(f.buf, f.off, f.len),
    add: (
      proto: number,
      lport: number,
      rport: number,
      slot: number,
      opts: { flowId?: number; now?: number; localIp?: number; remoteIp?: number } = {},
    ) =>
      t.upsert(
        proto,
        opts.localIp ?? HOST_IP,
        opts.remoteIp ?? PEER_IP,
        lport,
        rport,
        slot,
        opts.flowId ?? 1000 + slot,
        opts.now ?? 0,
      ),
    counters: () => ({ hits: t.hits, misses: t.misses, evictions: t.evictions, count: t.count }),
  };
}

describe('FlowTable: exact 5-tuple match', () => {
  it('a UDP entry is hit by its own tuple and missed by any one field changed', () => {
    const { tx, add, t } = table();
    add(IPPROTO_UDP, 5353, 53, 4);
    expect(tx(udp(5353, 53))).toBe(4);
    expect(tx(udp(5353, 54))).toBe(0); // remote port
    expect(tx(udp(5354, 53))).toBe(0); // local port
    expect(tx(udp(53, 5353))).toBe(0); // ports swapped
    expect(tx(udp(5353, 53, { remoteIp: OTHER_PEER_IP }))).toBe(0); // remote IP
    expect(tx(udp(5353, 53, { localIp: HOST_IP + 1 }))).toBe(0); // local IP
    expect(tx(tcp(5353, 53))).toBe(0); // protocol
    expect(t.hits).toBe(1);
    expect(t.misses).toBe(6);
  });

  it('a TCP entry the same way, and UDP does not hit it', () => {
    const { tx, add, t } = table();
    add(IPPROTO_TCP, 41000, 443, 3);
    expect(tx(tcp(41000, 443))).toBe(3);
    expect(tx(tcp(41000, 444))).toBe(0);
    expect(tx(tcp(41001, 443))).toBe(0);
    expect(tx(tcp(41000, 443, { remoteIp: OTHER_PEER_IP }))).toBe(0);
    expect(tx(udp(41000, 443))).toBe(0);
    expect(t.hits).toBe(1);
    expect(t.misses).toBe(4);
  });

  it('two flows differing in one field each keep their own slot', () => {
    const { tx, add } = table();
    add(IPPROTO_UDP, 7000, 9, 1);
    add(IPPROTO_UDP, 7000, 10, 2);
    add(IPPROTO_TCP, 7000, 9, 3);
    add(IPPROTO_UDP, 7000, 9, 4, { remoteIp: OTHER_PEER_IP });
    add(IPPROTO_UDP, 7001, 9, 5);
    expect(tx(udp(7000, 9))).toBe(1);
    expect(tx(udp(7000, 10))).toBe(2);
    expect(tx(tcp(7000, 9))).toBe(3);
    expect(tx(udp(7000, 9, { remoteIp: OTHER_PEER_IP }))).toBe(4);
    expect(tx(udp(7001, 9))).toBe(5);
  });

  it('ports 0 and 65535, and IPs given as signed 32-bit numbers', () => {
    const { t, tx, add } = table();
    add(IPPROTO_UDP, 65535, 0, 11);
    add(IPPROTO_UDP, 0, 65535, 12);
    // The app's side may hand IPs over as int32 (HOST_IP | 0 < 0): the same address.
    add(IPPROTO_TCP, 1, 2, 13, { localIp: HOST_IP | 0, remoteIp: 0xffffffff | 0 });
    expect(HOST_IP | 0).toBeLessThan(0);
    expect(tx(udp(65535, 0))).toBe(11);
    expect(tx(udp(0, 65535))).toBe(12);
    expect(tx(tcp(1, 2, { remoteIp: 0xffffffff }))).toBe(13);
    // Either spelling names one entry: an update, a lookup and a removal find it.
    add(IPPROTO_TCP, 1, 2, 14, { localIp: HOST_IP, remoteIp: 0xffffffff });
    add(IPPROTO_TCP, 1, 2, 15, { localIp: HOST_IP | 0, remoteIp: -1 });
    expect(t.count).toBe(3);
    expect(tx(tcp(1, 2, { remoteIp: 0xffffffff }))).toBe(15);
    const b = t.bucketFor(IPPROTO_TCP, HOST_IP | 0, -1, 1, 2);
    expect(b).toBe(t.bucketFor(IPPROTO_TCP, HOST_IP, 0xffffffff, 1, 2));
    expect(t.tupleOf(b).localIp).toBe(HOST_IP);
    expect(t.remove(IPPROTO_TCP, HOST_IP | 0, -1, 1, 2)).toBe(true);
    expect(t.count).toBe(2);
  });
});

describe('FlowTable: Tx and Rx directions', () => {
  it('an Rx frame from the peer to the host finds the entry the Tx direction uses', () => {
    const { tx, rx, add } = table();
    add(IPPROTO_UDP, 40000, 3478, 6);
    add(IPPROTO_TCP, 50000, 443, 7, { remoteIp: OTHER_PEER_IP });
    expect(tx(udp(40000, 3478))).toBe(6);
    expect(rx(udp(40000, 3478, { toHost: true }))).toBe(6);
    expect(tx(tcp(50000, 443, { remoteIp: OTHER_PEER_IP }))).toBe(7);
    expect(rx(tcp(50000, 443, { toHost: true, remoteIp: OTHER_PEER_IP }))).toBe(7);
  });

  it('the direction matters: a frame read the wrong way round misses', () => {
    const { tx, rx, add } = table();
    add(IPPROTO_UDP, 40000, 3478, 6);
    // The Tx bytes read as Rx: local would be the peer.
    expect(rx(udp(40000, 3478))).toBe(0);
    // The Rx bytes read as Tx: local would be the peer.
    expect(tx(udp(40000, 3478, { toHost: true }))).toBe(0);
  });

  it('Rx, peek and bucketForTx count nothing; only slotForTx counts', () => {
    const { t, tx, rx, peek, add, counters } = table();
    add(IPPROTO_UDP, 40000, 3478, 6, { now: 5 });
    const b = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 40000, 3478);
    for (let i = 0; i < 3; i++) {
      expect(rx(udp(40000, 3478, { toHost: true }))).toBe(6);
      expect(peek(udp(40000, 3478))).toBe(6);
      expect(t.bucketForTx(udp(40000, 3478).buf, OFF, udp(40000, 3478).len)).toBe(b);
      // Unknown flows: not misses either.
      expect(rx(udp(40001, 3478, { toHost: true }))).toBe(0);
      expect(peek(udp(40001, 3478))).toBe(0);
    }
    expect(counters()).toEqual({ hits: 0, misses: 0, evictions: 0, count: 1 });
    expect([t.packets[b], t.bytes[b], t.lastSeenNs[b]]).toEqual([0, 0, 5]);
    expect(tx(udp(40000, 3478), 9)).toBe(6);
    expect(counters()).toEqual({ hits: 1, misses: 0, evictions: 0, count: 1 });
    expect(t.missWindows).toBe(0);
  });
});

describe('FlowTable: ICMP echo', () => {
  it('request and reply map to the echo id as the local port, remote port 0', () => {
    const { t, tx, rx, add } = table();
    // The remote port the app passes for ICMP is ignored: it is 0.
    add(IPPROTO_ICMP, 0x1234, 999, 8);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 0x1234))).toBe(8);
    expect(rx(icmp(ICMP_ECHO_REPLY, 0x1234, { toHost: true }))).toBe(8);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 0x1235))).toBe(0);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 0x1234, { remoteIp: OTHER_PEER_IP }))).toBe(0);
    expect(t.tupleOf(t.bucketFor(IPPROTO_ICMP, HOST_IP, PEER_IP, 0x1234, 0))).toEqual({
      proto: IPPROTO_ICMP,
      localIp: HOST_IP,
      remoteIp: PEER_IP,
      localPort: 0x1234,
      remotePort: 0,
    });
    // Any remote port names the same entry.
    expect(t.bucketFor(IPPROTO_ICMP, HOST_IP, PEER_IP, 0x1234, 55)).toBeGreaterThanOrEqual(0);
    expect(t.hits).toBe(1);
    expect(t.misses).toBe(2);
  });

  it('the host answering a peer’s ping: Rx request and Tx reply share the entry', () => {
    const { tx, rx, add } = table();
    add(IPPROTO_ICMP, 77, 0, 2);
    expect(rx(icmp(ICMP_ECHO_REQUEST, 77, { toHost: true }))).toBe(2);
    expect(tx(icmp(ICMP_ECHO_REPLY, 77))).toBe(2);
  });

  it('the echo id is not a UDP/TCP port', () => {
    const { tx, add } = table();
    add(IPPROTO_UDP, 500, 0, 3);
    add(IPPROTO_ICMP, 600, 0, 4);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 500))).toBe(0);
    expect(tx(udp(600, 0))).toBe(0);
  });

  it('ICMP other than echo is not a flow: 0 and no miss', () => {
    const { t, tx, rx, add } = table();
    add(IPPROTO_ICMP, 77, 0, 2);
    for (const type of [3, 5, 11, 13, 14]) {
      const f = icmp(ICMP_ECHO_REQUEST, 77);
      f.buf[f.l3 + 20] = type;
      expect(tx(f)).toBe(0);
      const r = icmp(ICMP_ECHO_REPLY, 77, { toHost: true });
      r.buf[r.l3 + 20] = type;
      expect(rx(r)).toBe(0);
    }
    expect(t.hits).toBe(0);
    expect(t.misses).toBe(0);
  });
});

describe('FlowTable: framing', () => {
  it('reads past an 802.1Q tag on Tx and Rx (and a priority-only tag)', () => {
    const { tx, rx, add } = table();
    add(IPPROTO_UDP, 40000, 3478, 9);
    add(IPPROTO_TCP, 40001, 443, 2);
    add(IPPROTO_ICMP, 5, 0, 3);
    expect(tx(udp(40000, 3478, { vlan: VLAN }))).toBe(9);
    expect(rx(udp(40000, 3478, { vlan: VLAN, toHost: true }))).toBe(9);
    const priorityTag = { pcp: 6, dei: false, vid: 0 };
    expect(tx(tcp(40001, 443, { vlan: priorityTag }))).toBe(2);
    expect(rx(tcp(40001, 443, { vlan: VLAN, toHost: true }))).toBe(2);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 5, { vlan: VLAN }))).toBe(3);
    expect(rx(icmp(ICMP_ECHO_REPLY, 5, { vlan: VLAN, toHost: true }))).toBe(3);
  });

  it('follows the IHL when the IPv4 header has options (IHL 6 and 15)', () => {
    const { t, tx, rx, add } = table();
    add(IPPROTO_UDP, 1234, 5678, 8);
    add(IPPROTO_ICMP, 42, 0, 5);
    for (const words of [1, 10]) {
      for (const vlan of [undefined, VLAN]) {
        expect(tx(withIpOptions(udp(1234, 5678, { vlan }), words))).toBe(8);
        expect(rx(withIpOptions(udp(1234, 5678, { vlan, toHost: true }), words))).toBe(8);
        expect(tx(withIpOptions(icmp(ICMP_ECHO_REQUEST, 42, { vlan }), words))).toBe(5);
      }
    }
    // Read as if IHL were 5, the NOPs would be ports 0x0101 → 0x0101: no such entry was hit.
    add(IPPROTO_UDP, 0x0101, 0x0101, 13);
    expect(tx(withIpOptions(udp(1234, 5678), 1))).toBe(8);
    expect(t.misses).toBe(0);
  });

  describe('IPv4 fragments: only the first carries the L4 header', () => {
    it('the first fragment (MF set, offset 0) is a flow and is counted', () => {
      const { t, tx, rx, add } = table();
      add(IPPROTO_UDP, 2001, 3000, 6);
      expect(tx(fragment(udp(2001, 3000), 0, true))).toBe(6);
      expect(rx(fragment(udp(2001, 3000, { toHost: true }), 0, true))).toBe(6);
      expect(t.hits).toBe(1);
      const b = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 2001, 3000);
      expect(t.packets[b]).toBe(1);
    });

    it('DF alone is not a fragment', () => {
      const { tx, add } = table();
      add(IPPROTO_UDP, 2002, 3000, 6);
      const f = udp(2002, 3000);
      expect(f.buf[f.l3 + 6]).toBe(0x40);
      expect(tx(f)).toBe(6);
      expect(tx(fragment(udp(2002, 3000), 0, false, false))).toBe(6);
    });

    it('a later fragment (offset ≠ 0) is not a flow: 0, no hit, no miss (UDP, TCP, ICMP, tagged)', () => {
      const { t, tx, rx, add } = table();
      add(IPPROTO_UDP, 2000, 3000, 5);
      add(IPPROTO_TCP, 2000, 3000, 6);
      add(IPPROTO_ICMP, 2000, 0, 7);
      for (const [units, more] of [
        [185, true],
        [185, false],
        [1, true],
        [0x100, false], // the offset's high bits only
        [0x1fff, false],
      ] as const) {
        for (const vlan of [undefined, VLAN]) {
          expect(tx(fragment(udp(2000, 3000, { vlan }), units, more))).toBe(0);
          expect(tx(fragment(tcp(2000, 3000, { vlan }), units, more, true))).toBe(0);
          expect(tx(fragment(icmp(ICMP_ECHO_REQUEST, 2000, { vlan }), units, more))).toBe(0);
          expect(rx(fragment(udp(2000, 3000, { vlan, toHost: true }), units, more))).toBe(0);
          // Unknown tuples, too: not a miss.
          expect(tx(fragment(udp(2999, 3000, { vlan }), units, more))).toBe(0);
        }
      }
      expect(t.hits).toBe(0);
      expect(t.misses).toBe(0);
    });
  });

  describe('truncation at each header boundary → not a flow, no miss', () => {
    /** Every length below `need` is not a flow; `need` and the full length are. */
    function boundary(make: (d: Dir) => Frame, need: number, vlan?: VlanSpec) {
      const { t } = table();
      t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 4000, 53, 3, 1, 0);
      t.upsert(IPPROTO_TCP, HOST_IP, PEER_IP, 4000, 53, 3, 2, 0);
      t.upsert(IPPROTO_ICMP, HOST_IP, PEER_IP, 4000, 0, 3, 3, 0);
      const f = make({ vlan });
      const r = make({ vlan, toHost: true });
      for (let len = 0; len < need; len++) {
        expect(t.slotForTx(f.buf, f.off, len, 0), `tx length ${len}`).toBe(0);
        expect(t.slotForRx(r.buf, r.off, len), `rx length ${len}`).toBe(0);
        expect(t.peekSlotForTx(f.buf, f.off, len)).toBe(0);
        expect(t.bucketForTx(f.buf, f.off, len)).toBe(NOT_A_FLOW);
      }
      expect(t.hits + t.misses).toBe(0);
      expect(t.slotForTx(f.buf, f.off, need, 0)).toBe(3);
      expect(t.slotForRx(r.buf, r.off, need)).toBe(3);
      expect(t.slotForTx(f.buf, f.off, f.len, 0)).toBe(3);
      expect(t.hits).toBe(2);
      expect(t.misses).toBe(0);
    }

    it('UDP: needs Ethernet + IPv4 header + the 4 port bytes', () => {
      boundary((d) => udp(4000, 53, d), 14 + 20 + 4);
      boundary((d) => udp(4000, 53, d), 18 + 20 + 4, VLAN);
    });

    it('TCP: the same', () => {
      boundary((d) => tcp(4000, 53, d), 14 + 20 + 4);
      boundary((d) => tcp(4000, 53, d), 18 + 20 + 4, VLAN);
    });

    it('ICMP echo: needs the whole 8-byte echo header (the id)', () => {
      boundary((d) => icmp(d.toHost ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST, 4000, d), 14 + 20 + 8);
      boundary((d) => icmp(d.toHost ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST, 4000, d), 18 + 20 + 8, VLAN);
    });

    it('IP options: the ports are past the IHL', () => {
      boundary((d) => withIpOptions(udp(4000, 53, d), 3), 14 + 32 + 4);
      boundary((d) => withIpOptions(udp(4000, 53, d), 3), 18 + 32 + 4, VLAN);
    });

    it('an unknown flow cut short is not a miss either', () => {
      const { t } = table();
      const f = udp(4100, 53);
      for (let len = 0; len < 38; len++) t.slotForTx(f.buf, f.off, len, 0);
      expect(t.misses).toBe(0);
      t.slotForTx(f.buf, f.off, 38, 0);
      expect(t.misses).toBe(1);
    });
  });

  it('not IPv4 TCP/UDP/ICMP echo: ARP, IPv6, other ethertypes, other protocols → 0, no miss', () => {
    const { t, tx, rx, peek, add } = table();
    add(IPPROTO_UDP, 4000, 53, 3);
    const notFlows: Frame[] = [arp(ARP_OP_REQUEST), arp(ARP_OP_REPLY), arp(ARP_OP_REQUEST, VLAN)];
    // The flow's own frame with another ethertype (IPv6, an unknown one, QinQ outer tag).
    for (const [hi, lo] of [
      [0x86, 0xdd],
      [0x88, 0xb5],
      [0x88, 0xa8],
    ]) {
      const f = udp(4000, 53);
      f.buf[f.off + 12] = hi;
      f.buf[f.off + 13] = lo;
      notFlows.push(f);
      const g = udp(4000, 53, { vlan: VLAN });
      g.buf[g.off + 16] = hi;
      g.buf[g.off + 17] = lo;
      notFlows.push(g);
    }
    // The flow's own frame with another IP protocol (GRE, ESP, IPv6-ICMP).
    for (const proto of [47, 50, 58]) {
      const f = udp(4000, 53);
      f.buf[f.l3 + 9] = proto;
      notFlows.push(f);
    }
    for (const f of notFlows) {
      expect(tx(f)).toBe(0);
      expect(rx(f)).toBe(0);
      expect(peek(f)).toBe(0);
      expect(t.bucketForTx(f.buf, f.off, f.len)).toBe(NOT_A_FLOW);
    }
    expect(t.hits).toBe(0);
    expect(t.misses).toBe(0);
    expect(tx(udp(4000, 53))).toBe(3);
  });

  // RFC 791: IHL ≥ 5; below that the \"ports\" would be read from inside the IPv4 header.
  it('an IPv4 header with IHL < 5 is not a flow (no miss)', () => {
    const { t, tx } = table();
    for (const ihl of [0, 1, 4]) {
      const f = udp(4000, 53);
      f.buf[f.l3] = 0x40 | ihl;
      expect(tx(f)).toBe(0);
    }
    const v6 = udp(4000, 53);
    v6.buf[v6.l3] = 0x65; // version 6 under an IPv4 ethertype
    expect(tx(v6)).toBe(0);
    expect(t.misses).toBe(0);
  });
});

describe('FlowTable: counters and per-entry accounting', () => {
  it('hits and misses are exact; packets, bytes and lastSeen follow slotForTx', () => {
    const { t, tx, add } = table();
    add(IPPROTO_UDP, 1000, 53, 1, { now: 10 });
    add(IPPROTO_TCP, 2000, 443, 2, { now: 20 });
    const a = udp(1000, 53, {}, 100);
    const b = tcp(2000, 443, {}, 1000);
    const unknown = udp(1001, 53);
    const seq: [Frame, number][] = [
      [a, 100],
      [b, 200],
      [a, 300],
      [unknown, 400],
      [a, 500],
      [unknown, 600],
      [b, 700],
    ];
    for (const [f, now] of seq) tx(f, now);
    expect(t.hits).toBe(5);
    expect(t.misses).toBe(2);
    const ba = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53);
    const bb = t.bucketFor(IPPROTO_TCP, HOST_IP, PEER_IP, 2000, 443);
    expect(a.len).toBe(14 + 20 + 8 + 100);
    expect(b.len).toBe(14 + 20 + 20 + 1000);
    expect([t.packets[ba], t.bytes[ba], t.lastSeenNs[ba]]).toEqual([3, 3 * a.len, 500]);
    expect([t.packets[bb], t.bytes[bb], t.lastSeenNs[bb]]).toEqual([2, 2 * b.len, 700]);
    // A padded minimum frame counts its frame length.
    add(IPPROTO_UDP, 1002, 53, 3);
    const small = udp(1002, 53, {}, 0);
    expect(small.len).toBe(60);
    tx(small, 800);
    expect(t.bytes[t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 1002, 53)]).toBe(60);
  });

  it('upsert of an existing tuple updates slot, flowId and lastSeen without growing count', () => {
    const { t, tx, add } = table();
    add(IPPROTO_UDP, 1000, 53, 1, { flowId: 77, now: 10 });
    tx(udp(1000, 53), 20);
    tx(udp(1000, 53), 30);
    const b = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53);
    add(IPPROTO_UDP, 1000, 53, 5, { flowId: -1, now: 40 });
    expect(t.count).toBe(1);
    expect(t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53)).toBe(b);
    expect(t.slot[b]).toBe(5);
    expect(t.flowId[b]).toBe(0xffffffff);
    expect(t.lastSeenNs[b]).toBe(40);
    // The flow's traffic so far stays on it.
    expect(t.packets[b]).toBe(2);
    expect(tx(udp(1000, 53), 50)).toBe(5);
    expect(t.evictions).toBe(0);
  });

  it('a new entry starts from zero packets and bytes, even in a bucket used before', () => {
    const { t, tx, add } = table(8);
    add(IPPROTO_UDP, 1000, 53, 1);
    for (let i = 0; i < 5; i++) tx(udp(1000, 53), i);
    expect(t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53)).toBe(true);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 9 });
    const b = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53);
    expect([t.packets[b], t.bytes[b], t.lastSeenNs[b], t.slot[b]]).toEqual([0, 0, 9, 2]);
  });
});

/**
 * Every picked frame of a burst in its own place in one buffer, as pool buffers are, at even
 * and odd offsets; `u16` is the same memory by words.
 */
function placeFrames(
  frames: Frame[],
  picks: number[],
): { u8: Uint8Array; u16: Uint16Array; offsets: number[] } {
  const u8 = new Uint8Array(picks.length * 2048 + 64);
  const offsets = picks.map((p, k) => {
    const f = frames[p];
    const at = 32 + k * 2048 + (k % 3);
    u8.set(f.buf.subarray(f.off, f.off + f.len), at);
    return at;
  });
  return { u8, u16: new Uint16Array(u8.buffer), offsets };
}

describe('FlowTable: slotForTxRun (a run of one flow classified once)', () => {
  it('gives the same slots and counters as slotForTx over any mix of frames (fast-check)', () => {
    const frames: Frame[] = [
      udp(1000, 53),
      udp(1000, 53, {}, 300),
      withTosTtl(udp(1000, 53), 0xb8, 7),
      withTosTtl(udp(1000, 53, { vlan: VLAN }), 0x20, 200),
      udp(1000, 54),
      udp(1001, 53),
      udp(1000, 53, { remoteIp: OTHER_PEER_IP }),
      udp(1000, 53, { vlan: VLAN }),
      udp(1000, 53, { vlan: { pcp: 1, dei: false, vid: 7 } }),
      tcp(1000, 53),
      tcp(2000, 443, {}, 10),
      withIpOptions(udp(1000, 53), 2),
      fragment(udp(1000, 53), 0, true),
      fragment(udp(1000, 53), 0, false, true),
      fragment(udp(1000, 53), 3, false),
      icmp(ICMP_ECHO_REQUEST, 1000),
      arp(ARP_OP_REQUEST),
    ];
    // Truncated copies: the same bytes up to a shorter length.
    for (const cut of [14 + 20, 14 + 20 + 3, 14 + 20 + 4]) frames.push({ ...frames[0], len: cut });
    const upserts = (t: FlowTable) => {
      t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53, 1, 1, 0);
      t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 54, 2, 2, 0);
      t.upsert(IPPROTO_TCP, HOST_IP, PEER_IP, 1000, 53, 3, 3, 0);
      t.upsert(IPPROTO_TCP, HOST_IP, PEER_IP, 2000, 443, 4, 4, 0);
      t.upsert(IPPROTO_ICMP, HOST_IP, PEER_IP, 1000, 0, 5, 5, 0);
    };
    fc.assert(
      fc.property(fc.array(fc.nat(frames.length - 1), { maxLength: 60 }), fc.nat(5), (picks, forgetEvery) => {
        const { u8, u16, offsets } = placeFrames(frames, picks);
        const plain = new FlowTable(64);
        const run = new FlowTable(64);
        upserts(plain);
        upserts(run);
        run.forgetRun();
        picks.forEach((p, k) => {
          if (forgetEvery > 0 && k % forgetEvery === 0) run.forgetRun();
          const len = frames[p].len;
          expect(run.slotForTxRun(u8, u16, offsets[k], len, k)).toBe(plain.slotForTx(u8, offsets[k], len, k));
        });
        expect([run.hits, run.misses, run.missWindows]).toEqual([
          plain.hits,
          plain.misses,
          plain.missWindows,
        ]);
        expect(Array.from(run.packets)).toEqual(Array.from(plain.packets));
        expect(Array.from(run.bytes)).toEqual(Array.from(plain.bytes));
        expect(Array.from(run.lastSeenNs)).toEqual(Array.from(plain.lastSeenNs));
      }),
      { numRuns: 300 },
    );
  });
});

describe('FlowTable: slotForRxRun (a batch of received frames looked up by runs)', () => {
  it('gives the same slots as slotForRx over any mix of frames (fast-check)', () => {
    // Received frames (peer → host), and a few sent ones that must not match as received.
    const rx = (lport: number, rport: number, d: Dir = {}) => udp(lport, rport, { ...d, toHost: true });
    const frames: Frame[] = [
      udp(1000, 53),
      rx(53, 1000),
      rx(1000, 53),
      rx(1000, 54),
      rx(1000, 53, { vlan: VLAN }),
      withTosTtl(rx(1000, 53), 0x10, 9),
      tcp(53, 1000, { toHost: true }),
      withIpOptions(rx(1000, 53), 1),
      fragment(rx(1000, 53), 2, false),
      icmp(ICMP_ECHO_REPLY, 1000, { toHost: true }),
      arp(ARP_OP_REQUEST),
    ];
    for (const cut of [14 + 20 + 3, 14 + 20 + 4]) frames.push({ ...frames[2], len: cut });
    fc.assert(
      fc.property(fc.array(fc.nat(frames.length - 1), { maxLength: 60 }), fc.nat(5), (picks, forgetEvery) => {
        const { u8, u16, offsets } = placeFrames(frames, picks);
        const t = new FlowTable(64);
        for (const [proto, l, r, slot] of [
          [IPPROTO_UDP, 1000, 53, 1],
          [IPPROTO_UDP, 53, 1000, 2],
          [IPPROTO_TCP, 53, 1000, 3],
          [IPPROTO_ICMP, 1000, 0, 4],
        ])
          t.upsert(proto, HOST_IP, PEER_IP, l, r, slot, slot, 0);
        t.forgetRxRun();
        picks.forEach((p, k) => {
          if (forgetEvery > 0 && k % forgetEvery === 0) t.forgetRxRun();
          const len = frames[p].len;
          expect(t.slotForRxRun(u8, u16, offsets[k], len)).toBe(t.slotForRx(u8, offsets[k], len));
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('FlowTable: remove and clear', () => {
  it('remove takes exactly one flow out and says whether it was there', () => {
    const { t, tx, add } = table();
    add(IPPROTO_UDP, 1000, 53, 1);
    add(IPPROTO_UDP, 1001, 53, 2);
    add(IPPROTO_ICMP, 1000, 0, 3);
    expect(t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53)).toBe(true);
    expect(t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53)).toBe(false);
    expect(t.remove(IPPROTO_TCP, HOST_IP, PEER_IP, 1001, 53)).toBe(false);
    expect(t.count).toBe(2);
    expect(tx(udp(1000, 53))).toBe(0);
    expect(tx(udp(1001, 53))).toBe(2);
    // ICMP: any remote port names the entry.
    expect(t.remove(IPPROTO_ICMP, HOST_IP, PEER_IP, 1000, 1234)).toBe(true);
    expect(tx(icmp(ICMP_ECHO_REQUEST, 1000))).toBe(0);
    expect(t.count).toBe(1);
  });

  it('removing flows leaves every other flow findable past the tombstones', () => {
    const { t, tx, add } = table(200);
    for (let p = 0; p < 200; p++) add(IPPROTO_UDP, 10000 + p, 80, 1 + (p % 50));
    for (let p = 0; p < 200; p += 3)
      expect(t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + p, 80)).toBe(true);
    for (let p = 0; p < 200; p++) expect(tx(udp(10000 + p, 80))).toBe(p % 3 === 0 ? 0 : 1 + (p % 50));
    expect(t.count).toBe(200 - 67);
  });

  it('clear forgets every flow; the table works afterwards', () => {
    const { t, tx, add } = table(16);
    for (let p = 0; p < 16; p++) add(IPPROTO_TCP, 20000 + p, 443, 2);
    t.clear();
    expect(t.count).toBe(0);
    let visited = 0;
    t.forEach(() => visited++);
    expect(visited).toBe(0);
    for (let p = 0; p < 16; p++) expect(tx(tcp(20000 + p, 443))).toBe(0);
    add(IPPROTO_TCP, 20003, 443, 9);
    expect(tx(tcp(20003, 443))).toBe(9);
    expect(t.count).toBe(1);
    // Clearing and refilling many times never trips the bound.
    for (let round = 0; round < 5; round++) {
      t.clear();
      for (let p = 0; p < 16; p++) add(IPPROTO_TCP, 20000 + p, 443, 2);
      expect(t.count).toBe(16);
      expect(t.evictions).toBe(0);
    }
  });
});

// ------------------------------------------------------------------ bounded and eviction

/** A UDP tuple numbered `n` (local port), for tables of many flows. */
const flow = (n: number) => ({ proto: IPPROTO_UDP, lport: 10000 + n, rport: 443 });

function present(t: FlowTable, n: number): boolean {
  const f = flow(n);
  return t.bucketFor(f.proto, HOST_IP, PEER_IP, f.lport, f.rport) >= 0;
}

describe('FlowTable: bounded, least-recently-seen eviction', () => {
  it('with ≤ 16 entries every entry is on the eviction window: the victim is the exact LRU', () => {
    const t = new FlowTable(8);
    // Flow n is charged to slot n + 1, so a hit is never mistaken for slot 0.
    const ins = (n: number, now: number) =>
      t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443, n + 1, n, now);
    const send = (n: number, now: number) => {
      const f = udp(10000 + n, 443);
      return t.slotForTx(f.buf, f.off, f.len, now);
    };
    for (let n = 0; n < 8; n++) ins(n, 100 + n);
    // Flow 0 is seen again (a packet), flow 1 is re-pushed (an upsert): 2 is the oldest.
    expect(send(0, 200)).toBe(1);
    ins(1, 201);
    ins(8, 300);
    expect(t.evictions).toBe(1);
    expect(t.count).toBe(8);
    expect([0, 1, 2, 3, 8].map((n) => present(t, n))).toEqual([true, true, false, true, true]);
    // Next the oldest is 3, then 4; peeks and Rx do not refresh.
    const f4 = udp(10004, 443);
    t.peekSlotForTx(f4.buf, f4.off, f4.len);
    ins(9, 301);
    expect(present(t, 3)).toBe(false);
    ins(10, 302);
    expect(present(t, 4)).toBe(false);
    expect(t.evictions).toBe(3);
    expect(t.count).toBe(8);
    // The evicted flow now misses and falls back to slot 0.
    expect(send(2, 400)).toBe(0);
    expect(send(8, 401)).toBe(9);
  });

  it('maxEntries + k distinct flows keep count at maxEntries and count k evictions', () => {
    for (const [max, k] of [
      [1, 5],
      [8, 8],
      [100, 37],
      [1000, 1500],
    ]) {
      const t = new FlowTable(max);
      for (let n = 0; n < max + k; n++) {
        t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443, 1, n, n);
        expect(t.count).toBeLessThanOrEqual(max);
      }
      expect(t.count).toBe(max);
      expect(t.evictions).toBe(k);
      let live = 0;
      t.forEach(() => live++);
      expect(live).toBe(max);
      // The newest flow is always there.
      expect(present(t, max + k - 1)).toBe(true);
    }
  });

  it('property: each victim is older than at least 15 resident flows; the most recent is never evicted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 80 }),
        fc.array(fc.oneof(fc.constant(-1), fc.nat({ max: 1000 })), { minLength: 50, maxLength: 300 }),
        (max, ops) => {
          const t = new FlowTable(max);
          const lastSeen = new Map<number, number>();
          let now = 1;
          let next = 0;
          let mostRecent = -1;
          for (const op of ops) {
            now++;
            if (op >= 0 && lastSeen.size > 0) {
              // A packet of a resident flow, picked by `op`.
              const keys = [...lastSeen.keys()];
              const n = keys[op % keys.length];
              const f = udp(10000 + n, 443);
              expect(t.slotForTx(f.buf, f.off, f.len, now)).toBe(1);
              lastSeen.set(n, now);
              mostRecent = n;
              continue;
            }
            const n = next++;
            t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443, 1, n, now);
            const gone = [...lastSeen.keys()].filter((m) => !present(t, m));
            if (lastSeen.size < max) {
              expect(gone).toEqual([]);
            } else {
              expect(gone).toHaveLength(1);
              const victim = gone[0];
              expect(victim).not.toBe(mostRecent);
              const v = lastSeen.get(victim)!;
              let newer = 0;
              for (const s of lastSeen.values()) if (s > v) newer++;
              expect(newer).toBeGreaterThanOrEqual(15);
              lastSeen.delete(victim);
            }
            lastSeen.set(n, now);
            mostRecent = n;
            expect(t.count).toBe(lastSeen.size);
          }
          expect(t.evictions).toBe(Math.max(0, next - max));
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ------------------------------------------------------------------ model-based properties

type Op =
  | { kind: 'upsert'; n: number; slot: number }
  | { kind: 'remove'; n: number }
  | { kind: 'tx'; n: number }
  | { kind: 'rx'; n: number }
  | { kind: 'peek'; n: number };

/**
 * Tuples a property draws from, in groups of four sharing a local port and differing from
 * each other in one field: protocol, remote IP, remote port, or ICMP instead of UDP.
 */
function tupleOf(n: number) {
  const lport = 30000 + (n >> 2);
  switch (n & 3) {
    case 0:
      return { proto: IPPROTO_UDP, remoteIp: PEER_IP, lport, rport: 80 };
    case 1:
      return { proto: IPPROTO_TCP, remoteIp: PEER_IP, lport, rport: 80 };
    case 2:
      return { proto: IPPROTO_UDP, remoteIp: OTHER_PEER_IP, lport, rport: 80 };
    default:
      return (n >> 2) % 2 === 0
        ? { proto: IPPROTO_UDP, remoteIp: PEER_IP, lport, rport: 81 }
        : { proto: IPPROTO_ICMP, remoteIp: PEER_IP, lport, rport: 0 };
  }
}

function frameFor(n: number, toHost: boolean): Frame {
  const k = tupleOf(n);
  const d: Dir = { toHost, remoteIp: k.remoteIp, vlan: n % 5 === 0 ? VLAN : undefined };
  if (k.proto === IPPROTO_UDP) return udp(k.lport, k.rport, d);
  if (k.proto === IPPROTO_TCP) return tcp(k.lport, k.rport, d);
  return icmp(toHost ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST, k.lport, d);
}

function opArb(universe: number): fc.Arbitrary<Op> {
  const n = fc.nat({ max: universe - 1 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('upsert' as const), n, slot: fc.nat({ max: 65535 }) }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), n }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('tx' as const), n }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('rx' as const), n }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('peek' as const), n }) },
  );
}

interface ModelEntry {
  slot: number;
  flowId: number;
  lastSeen: number;
  packets: number;
  bytes: number;
}

/**
 * Runs `ops` on a table and on a Map model with exact LRU eviction (exact while maxEntries ≤ 16,
 * the eviction window), checking every answer and, at the end, every entry.
 */
function runAgainstModel(maxEntries: number, universe: number, ops: Op[]): void {
  const t = new FlowTable(maxEntries);
  const model = new Map<number, ModelEntry>();
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let now = 1000;
  let flowIds = 0;
  for (const op of ops) {
    now += 7;
    const k = tupleOf(op.n);
    const m = model.get(op.n);
    switch (op.kind) {
      case 'upsert': {
        const flowId = ++flowIds;
        if (m) {
          m.slot = op.slot;
          m.flowId = flowId;
          m.lastSeen = now;
        } else {
          if (model.size >= maxEntries) {
            let victim = -1;
            let oldest = Infinity;
            for (const [n, e] of model) if (e.lastSeen < oldest) [victim, oldest] = [n, e.lastSeen];
            model.delete(victim);
            evictions++;
          }
          model.set(op.n, { slot: op.slot, flowId, lastSeen: now, packets: 0, bytes: 0 });
        }
        t.upsert(k.proto, HOST_IP, k.remoteIp, k.lport, k.rport, op.slot, flowId, now);
        break;
      }
      case 'remove':
        expect(t.remove(k.proto, HOST_IP, k.remoteIp, k.lport, k.rport)).toBe(m !== undefined);
        model.delete(op.n);
        break;
      case 'tx': {
        const f = frameFor(op.n, false);
        expect(t.slotForTx(f.buf, f.off, f.len, now)).toBe(m ? m.slot : 0);
        if (m) {
          hits++;
          m.packets++;
          m.bytes += f.len;
          m.lastSeen = now;
        } else misses++;
        break;
      }
      case 'rx': {
        const f = frameFor(op.n, true);
        expect(t.slotForRx(f.buf, f.off, f.len)).toBe(m ? m.slot : 0);
        break;
      }
      case 'peek': {
        const f = frameFor(op.n, false);
        expect(t.peekSlotForTx(f.buf, f.off, f.len)).toBe(m ? m.slot : 0);
        break;
      }
    }
    expect(t.count).toBe(model.size);
  }
  expect({ hits: t.hits, misses: t.misses, evictions: t.evictions }).toEqual({ hits, misses, evictions });
  for (let n = 0; n < universe; n++) {
    const k = tupleOf(n);
    const b = t.bucketFor(k.proto, HOST_IP, k.remoteIp, k.lport, k.rport);
    const m = model.get(n);
    if (!m) {
      expect(b).toBe(-1);
      continue;
    }
    expect(b).toBeGreaterThanOrEqual(0);
    expect({
      slot: t.slot[b],
      flowId: t.flowId[b],
      lastSeen: t.lastSeenNs[b],
      packets: t.packets[b],
      bytes: t.bytes[b],
    }).toEqual(m);
    expect(t.tupleOf(b)).toEqual({
      proto: k.proto,
      localIp: HOST_IP,
      remoteIp: k.remoteIp,
      localPort: k.lport,
      remotePort: k.rport,
    });
  }
  let live = 0;
  t.forEach(() => live++);
  expect(live).toBe(model.size);
}

describe('FlowTable: against a Map model (fast-check)', () => {
  it('room for every flow: upserts, removes and lookups through tombstones and rehashes', () => {
    // 32 tuples in a table of 32: never over-full, so only tombstones and rehashes are at work
    // (64 buckets: a rehash each time more than 15 tombstones meet an insert; most runs see one).
    fc.assert(
      fc.property(fc.array(opArb(32), { minLength: 100, maxLength: 800 }), (ops) =>
        runAgainstModel(32, 32, ops),
      ),
      { numRuns: 60 },
    );
  });

  it('small tables (≤ 16 entries): eviction is exact LRU, with tombstones and rehashes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(opArb(40), { minLength: 50, maxLength: 600 }),
        (max, ops) => runAgainstModel(max, 40, ops),
      ),
      { numRuns: 100 },
    );
  });

  it('a rehash keeps every live entry with its slot, flowId and counters', () => {
    const t = new FlowTable(64); // 128 buckets: rehash past 31 tombstones
    const deleted = () => Reflect.get(t, 'deleted') as number;
    for (let n = 0; n < 64; n++) {
      t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443, n + 1, 5000 + n, n);
      const f = udp(10000 + n, 443, {}, n);
      for (let i = 0; i <= n % 3; i++) t.slotForTx(f.buf, f.off, f.len, 100 + n);
    }
    for (let n = 0; n < 64; n += 2) t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443);
    expect(deleted()).toBe(32);
    // The next insert finds 32 > 31 tombstones and rebuilds the buckets.
    t.upsert(IPPROTO_UDP, HOST_IP, PEER_IP, 20000, 443, 99, 99, 500);
    expect(deleted()).toBe(0);
    expect(t.count).toBe(33);
    for (let n = 1; n < 64; n += 2) {
      const b = t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443);
      expect(b).toBeGreaterThanOrEqual(0);
      const len = udp(10000 + n, 443, {}, n).len;
      const sent = 1 + (n % 3);
      expect([t.slot[b], t.flowId[b], t.packets[b], t.bytes[b], t.lastSeenNs[b]]).toEqual([
        n + 1,
        5000 + n,
        sent,
        sent * len,
        100 + n,
      ]);
    }
    for (let n = 0; n < 64; n += 2) expect(present(t, n)).toBe(false);
    expect(t.bucketFor(IPPROTO_UDP, HOST_IP, PEER_IP, 20000, 443)).toBeGreaterThanOrEqual(0);
  });
});

// ------------------------------------------------------------------ the unknown-flow window

describe('FlowTable: the unknown-flow window', () => {
  it('a tuple that missed at t1 and is inserted at t2 records t2 − t1 (first miss counts)', () => {
    const { t, tx, add } = table();
    const t1 = 5 * SECOND;
    tx(udp(1000, 53), t1);
    tx(udp(1000, 53), t1 + 1e6); // later misses keep the first
    tx(udp(1000, 53), t1 + 2e6);
    add(IPPROTO_UDP, 1000, 53, 2, { now: t1 + 30e6 });
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([1, 30e6, 30e6]);
    // A longer window raises the max; a shorter one only adds to the sum.
    tx(tcp(2000, 443), 6 * SECOND);
    add(IPPROTO_TCP, 2000, 443, 3, { now: 6 * SECOND + 80e6 });
    tx(icmp(ICMP_ECHO_REQUEST, 9), 7 * SECOND);
    add(IPPROTO_ICMP, 9, 1234, 4, { now: 7 * SECOND + 5e6 }); // ICMP: remote port is 0 either way
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([3, 115e6, 80e6]);
  });

  it('a miss seen on a VLAN-tagged or option-carrying frame closes the same way', () => {
    const { t, tx, add } = table();
    tx(udp(1000, 53, { vlan: VLAN }), 100);
    tx(withIpOptions(tcp(1001, 53), 2), 200);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 1100 });
    add(IPPROTO_TCP, 1001, 53, 2, { now: 1200 });
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([2, 2000, 1000]);
  });

  it('a tuple inserted without a prior miss records nothing', () => {
    const { t, tx, rx, peek, add } = table();
    add(IPPROTO_UDP, 1000, 53, 2, { now: 500 });
    // Rx, peeks and non-flows are not misses: they open no window.
    rx(udp(1001, 53, { toHost: true }));
    peek(udp(1002, 53));
    tx(fragment(udp(1003, 53), 10, false), 10);
    tx(arp(ARP_OP_REQUEST), 10);
    add(IPPROTO_UDP, 1001, 53, 2, { now: 600 });
    add(IPPROTO_UDP, 1002, 53, 2, { now: 600 });
    add(IPPROTO_UDP, 1003, 53, 2, { now: 600 });
    // Another tuple's miss is not this one's.
    tx(udp(1004, 53), 700);
    add(IPPROTO_UDP, 1005, 53, 2, { now: 800 });
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([0, 0, 0]);
  });

  it('a window closes once: re-inserting or updating the flow does not count it again', () => {
    const { t, tx, add } = table();
    tx(udp(1000, 53), 100);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 300 });
    add(IPPROTO_UDP, 1000, 53, 3, { now: 400 }); // update
    t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 500 }); // back without a new miss
    expect([t.missWindows, t.missWindowSumNs]).toEqual([1, 200]);
    // A new miss after the removal opens a new window.
    t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 1000, 53);
    tx(udp(1000, 53), 1000);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 1500 });
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([2, 700, 500]);
  });

  it('a miss older than 10 s is forgotten; exactly 10 s still counts', () => {
    const { t, tx, add } = table();
    tx(udp(1000, 53), 1 * SECOND);
    add(IPPROTO_UDP, 1000, 53, 2, { now: 11 * SECOND + 1 });
    expect(t.missWindows).toBe(0);
    tx(udp(1001, 53), 1 * SECOND);
    add(IPPROTO_UDP, 1001, 53, 2, { now: 11 * SECOND });
    expect([t.missWindows, t.missWindowSumNs]).toEqual([1, 10 * SECOND]);
  });

  it('a miss after the memory expired starts a new window', () => {
    const { t, tx, add } = table();
    tx(udp(1000, 53), 1 * SECOND);
    tx(udp(1000, 53), 12 * SECOND); // the first is > 10 s old: remembered afresh
    add(IPPROTO_UDP, 1000, 53, 2, { now: 13 * SECOND });
    expect([t.missWindows, t.missWindowSumNs]).toEqual([1, 1 * SECOND]);
  });

  it('an insert that evicts or rehashes still closes its own window', () => {
    const { t, tx, add } = table(64);
    for (let n = 0; n < 64; n++) add(IPPROTO_UDP, 10000 + n, 443, 1, { now: n });
    for (let n = 0; n < 40; n++) t.remove(IPPROTO_UDP, HOST_IP, PEER_IP, 10000 + n, 443);
    tx(udp(3000, 53), 1000);
    add(IPPROTO_UDP, 3000, 53, 2, { now: 1250 }); // > 31 tombstones: rehash first
    expect([t.missWindows, t.missWindowSumNs]).toEqual([1, 250]);
    for (let n = 100; t.count < 64; n++) add(IPPROTO_UDP, 10000 + n, 443, 1, { now: 2000 + n });
    tx(udp(3001, 53), 3000);
    add(IPPROTO_UDP, 3001, 53, 2, { now: 3500 }); // full: evicts first
    expect(t.evictions).toBe(1);
    expect([t.missWindows, t.missWindowSumNs, t.missWindowMaxNs]).toEqual([2, 750, 500]);
  });
});

describe('FlowTable: forEach, tupleOf, bucketFor', () => {
  it('forEach visits every flow once and tupleOf gives back what was pushed', () => {
    const { t, add } = table(32);
    const pushed = [
      { proto: IPPROTO_UDP, localIp: HOST_IP, remoteIp: PEER_IP, localPort: 5353, remotePort: 53 },
      { proto: IPPROTO_TCP, localIp: HOST_IP, remoteIp: 0xffffffff, localPort: 65535, remotePort: 0 },
      { proto: IPPROTO_TCP, localIp: 0x0a000001, remoteIp: OTHER_PEER_IP, localPort: 1, remotePort: 443 },
      { proto: IPPROTO_ICMP, localIp: HOST_IP, remoteIp: PEER_IP, localPort: 0x4242, remotePort: 0 },
    ];
    pushed.forEach((p, i) =>
      add(p.proto, p.localPort, p.remotePort, i + 1, { localIp: p.localIp, remoteIp: p.remoteIp }),
    );
    const seen: ReturnType<FlowTable['tupleOf']>[] = [];
    t.forEach((b) => {
      const tuple = t.tupleOf(b);
      seen.push(tuple);
      expect(t.bucketFor(tuple.proto, tuple.localIp, tuple.remoteIp, tuple.localPort, tuple.remotePort)).toBe(
        b,
      );
      expect(t.slot[b]).toBe(pushed.findIndex((p) => p.localPort === tuple.localPort) + 1);
    });
    const key = (p: (typeof pushed)[number]) => JSON.stringify(p);
    expect(seen.map(key).sort()).toEqual(pushed.map(key).sort());
  });

  it('bucketForTx agrees with bucketFor; an unknown flow is -1, a non-flow NOT_A_FLOW', () => {
    const { t, add } = table();
    add(IPPROTO_TCP, 41000, 443, 3);
    const f = tcp(41000, 443, { vlan: VLAN });
    expect(t.bucketForTx(f.buf, f.off, f.len)).toBe(t.bucketFor(IPPROTO_TCP, HOST_IP, PEER_IP, 41000, 443));
    expect(t.bucketForTx(f.buf, f.off, f.len)).toBeGreaterThanOrEqual(0);
    const g = tcp(41001, 443);
    expect(t.bucketForTx(g.buf, g.off, g.len)).toBe(-1);
    const a = arp(ARP_OP_REQUEST);
    expect(t.bucketForTx(a.buf, a.off, a.len)).toBe(NOT_A_FLOW);
    expect(t.hits + t.misses).toBe(0);
  });

  it('the table has at least twice maxEntries buckets, a power of two', () => {
    for (const [max, buckets] of [
      [1, 16],
      [8, 16],
      [9, 32],
      [100, 256],
      [1024, 2048],
    ]) {
      expect(new FlowTable(max).buckets).toBe(buckets);
    }
  });
});
