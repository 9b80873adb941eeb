/** Rx path: MAC filtering, RSS (golden Toeplitz vectors), descriptor write-back, drops. */
import { describe, expect, it } from 'vitest';
import { toeplitzHash } from '../../driver-runtime/device/index.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import { ipv4Frame, MAC, makeFrame, Rig } from './fixture.ts';

const MS_KEY = Uint8Array.from(
  '6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa'
    .match(/../g)!
    .map((h) => parseInt(h, 16)),
);

/** Microsoft RSS verification suite, IPv4 rows: [src, sport, dst, dport, ipv4 hash, tcp 4-tuple hash]. */
const MS_IPV4: [string, number, string, number, number, number][] = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
];

function tuple(src: string, sport: number, dst: string, dport: number, ports: boolean): Uint8Array {
  const b = [...src.split('.').map(Number), ...dst.split('.').map(Number)];
  if (ports) b.push(sport >> 8, sport & 0xff, dport >> 8, dport & 0xff);
  return Uint8Array.from(b);
}

function programRss(rig: Rig, mrqc: number): void {
  for (let i = 0; i < 10; i++) {
    const k = MS_KEY.subarray(4 * i, 4 * i + 4);
    rig.write(R.RSSRK_BASE + 4 * i, k[0] | (k[1] << 8) | (k[2] << 16) | (k[3] << 24));
  }
  // RETA entry e -> queue e % 4.
  for (let n = 0; n < 32; n++) rig.write(R.RETA_BASE + 4 * n, 0x03020100);
  rig.write(R.MRQC, mrqc);
}

describe('RSS Toeplitz hash (Microsoft verification suite)', () => {
  for (const [src, sport, dst, dport, h2, h4] of MS_IPV4) {
    it(`${src}:${sport} -> ${dst}:${dport}`, () => {
      expect(toeplitzHash(MS_KEY, tuple(src, sport, dst, dport, false), 8)).toBe(h2);
      expect(toeplitzHash(MS_KEY, tuple(src, sport, dst, dport, true), 12)).toBe(h4);
    });
  }

  it('device writes the hash and type to the descriptor and picks the queue from RETA', () => {
    for (const [src, sport, dst, dport, h2, h4] of MS_IPV4) {
      for (const [mrqc, hash, type] of [
        [R.MRQC_ENABLE_RSS | R.MRQC_TCPV4 | R.MRQC_IPV4, h4, R.RSS_TYPE_TCPV4],
        [R.MRQC_ENABLE_RSS | R.MRQC_IPV4, h2, R.RSS_TYPE_IPV4],
      ]) {
        const rig = new Rig().startHw();
        programRss(rig, mrqc);
        const frame = ipv4Frame(MAC, src, dst, sport, dport, 6);
        rig.nic.receiveFromWire(frame, 0, frame.length);
        const q = (hash & 0x7f) % 4;
        const d = rig.rxDescriptor(q, 0);
        expect(d.hash).toBe(hash);
        expect(d.d0 & 0xf).toBe(type);
        expect(d.d0 & R.RXD_PKTTYPE_IPV4).toBe(R.RXD_PKTTYPE_IPV4);
        expect(d.status & (R.RXD_STAT_DD | R.RXD_STAT_EOP)).toBe(R.RXD_STAT_DD | R.RXD_STAT_EOP);
        expect(rig.read(R.RDH(q))).toBe(1);
      }
    }
  });

  it('unparseable frames (ARP) go to queue 0 with hash 0', () => {
    const rig = new Rig().startHw();
    programRss(rig, R.MRQC_ENABLE_RSS | R.MRQC_TCPV4 | R.MRQC_IPV4);
    const frame = makeFrame(60, MAC);
    frame[12] = 0x08;
    frame[13] = 0x06;
    rig.nic.receiveFromWire(frame, 0, 60);
    expect(rig.read(R.RDH(0))).toBe(1);
    expect(rig.rxDescriptor(0, 0).hash).toBe(0);
  });
});

describe('Rx filtering and DMA', () => {
  it('accepts a frame to our MAC: body, length, DD|EOP, stats, vector of Rx queue 0', () => {
    const rig = new Rig().startHw();
    const frame = makeFrame(200, MAC);
    rig.nic.receiveFromWire(frame, 0, 200);
    const d = rig.rxDescriptor(0, 0);
    expect(d.status & (R.RXD_STAT_DD | R.RXD_STAT_EOP)).toBe(R.RXD_STAT_DD | R.RXD_STAT_EOP);
    expect(d.d3 & 0xffff).toBe(200);
    expect(Array.from(rig.rxData(0, 0, 200))).toEqual(Array.from(frame));
    expect(rig.read(R.RDH(0))).toBe(1);
    expect(rig.read(R.GPRC)).toBe(1);
    expect(rig.read(R.GORCL)).toBe(204);
    expect(rig.read(R.TPR)).toBe(1);
    expect(rig.read(R.PRC64 + 8)).toBe(1); // 128..255
    expect(rig.vectors()).toEqual([0]);
    expect(rig.read(R.ICR) & R.ICR_RXDW).toBe(R.ICR_RXDW);
  });

  const OTHER = Uint8Array.of(0x02, 0x99, 0x99, 0x99, 0x99, 0x99);
  const BCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  const MCAST = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x01);

  const CASES: [string, Uint8Array, number, (rig: Rig) => void, boolean][] = [
    ['other unicast rejected', OTHER, R.RCTL_EN, () => undefined, false],
    ['other unicast with UPE accepted', OTHER, R.RCTL_EN | R.RCTL_UPE, () => undefined, true],
    [
      'second RAL/RAH entry with AV accepted',
      OTHER,
      R.RCTL_EN,
      (rig) => {
        rig.write(R.RAL(3), 0x99999902);
        rig.write(R.RAH(3), 0x9999 | R.RAH_AV);
      },
      true,
    ],
    [
      'RAL/RAH entry without AV rejected',
      OTHER,
      R.RCTL_EN,
      (rig) => {
        rig.write(R.RAL(3), 0x99999902);
        rig.write(R.RAH(3), 0x9999);
      },
      false,
    ],
    ['broadcast with BAM accepted', BCAST, R.RCTL_EN | R.RCTL_BAM, () => undefined, true],
    ['broadcast without BAM rejected', BCAST, R.RCTL_EN, () => undefined, false],
    ['multicast without MTA bit rejected', MCAST, R.RCTL_EN, () => undefined, false],
    ['multicast with MPE accepted', MCAST, R.RCTL_EN | R.RCTL_MPE, () => undefined, true],
    // MO=0: hash = ((DA5 << 8 | DA4) >> 4) & 0xFFF = 0x010 -> MTA[0] bit 16.
    [
      'multicast with MTA hash bit (MO=0) accepted',
      MCAST,
      R.RCTL_EN,
      (rig) => rig.write(R.MTA(0), 1 << 16),
      true,
    ],
    // MO=3: hash = (DA5 << 8 | DA4) & 0xFFF = 0x100 -> MTA[8] bit 0.
    [
      'multicast with MTA hash bit (MO=3) accepted',
      MCAST,
      R.RCTL_EN | (3 << R.RCTL_MO_SHIFT),
      (rig) => rig.write(R.MTA(8), 1),
      true,
    ],
    ['RCTL.EN clear drops everything', MAC, 0, () => undefined, false],
  ];
  for (const [name, dst, rctl, setup, accepted] of CASES) {
    it(name, () => {
      const rig = new Rig().startHw();
      rig.write(R.RCTL, rctl | R.RCTL_SECRC);
      setup(rig);
      rig.nic.receiveFromWire(makeFrame(64, dst), 0, 64);
      expect(rig.read(R.RDH(0))).toBe(accepted ? 1 : 0);
      expect(rig.read(R.GPRC)).toBe(accepted ? 1 : 0);
    });
  }

  it('counts broadcast/multicast Rx', () => {
    const rig = new Rig().startHw();
    rig.write(R.RCTL, R.RCTL_EN | R.RCTL_BAM | R.RCTL_MPE | R.RCTL_SECRC);
    rig.nic.receiveFromWire(makeFrame(64, BCAST), 0, 64);
    rig.nic.receiveFromWire(makeFrame(64, MCAST), 0, 64);
    expect(rig.read(R.BPRC)).toBe(1);
    expect(rig.read(R.MPRC)).toBe(1);
  });

  it('no free descriptor: drop, RNBC/MPC/RQDPC, ICR.RXO on the other vector', () => {
    const rig = new Rig({ rxRingSize: 8 }).startHw();
    for (let k = 0; k < 9; k++) rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    expect(rig.read(R.GPRC)).toBe(7);
    expect(rig.read(R.RNBC)).toBe(2);
    expect(rig.read(R.MPC)).toBe(2);
    expect(rig.read(R.RQDPC(0))).toBe(2);
    expect(rig.read(R.ICR) & R.ICR_RXO).toBe(R.ICR_RXO);
    expect(rig.vectors()).toContain(R.OTHER_VECTOR);
  });

  it('RXDMT0 fires when free descriptors reach the threshold', () => {
    const rig = new Rig({ rxRingSize: 64 }).startHw();
    rig.write(R.SRRCTL(0), R.SRRCTL_DESCTYPE_ADV_ONEBUF | 2 | (1 << R.SRRCTL_RDMTS_SHIFT));
    for (let k = 0; k < 46; k++) rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    expect(rig.read(R.ICR) & R.ICR_RXDMT0).toBe(0);
    rig.nic.receiveFromWire(makeFrame(64, MAC), 0, 64);
    expect(rig.read(R.ICR) & R.ICR_RXDMT0).toBe(R.ICR_RXDMT0);
  });

  it('strips the VLAN tag with CTRL.VME and reports it in dword3 with VP', () => {
    const rig = new Rig().startHw();
    rig.write(R.CTRL, R.CTRL_SLU | R.CTRL_VME);
    const inner = makeFrame(100, MAC);
    const tagged = new Uint8Array(104);
    tagged.set(inner.subarray(0, 12), 0);
    tagged.set([0x81, 0x00, 0x20, 0x07], 12);
    tagged.set(inner.subarray(12), 16);
    rig.nic.receiveFromWire(tagged, 0, 104);
    const d = rig.rxDescriptor(0, 0);
    expect(d.d3 >>> 16).toBe(0x2007);
    expect(d.d3 & 0xffff).toBe(100);
    expect(d.status & R.RXD_STAT_VP).toBe(R.RXD_STAT_VP);
    expect(Array.from(rig.rxData(0, 0, 100))).toEqual(Array.from(inner));
  });

  it('keeps a CRC-32 FCS in the buffer when SECRC is clear', () => {
    const rig = new Rig().startHw();
    rig.write(R.RCTL, R.RCTL_EN);
    const frame = makeFrame(60, MAC);
    rig.nic.receiveFromWire(frame, 0, 60);
    expect(rig.rxDescriptor(0, 0).d3 & 0xffff).toBe(64);
    // The residue of a frame followed by its little-endian CRC-32 is the constant 0x2144DF1C.
    const all = rig.rxData(0, 0, 64);
    let c = 0xffffffff;
    for (const b of all) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    expect((c ^ 0xffffffff) >>> 0).toBe(0x2144df1c);
  });

  it('a frame larger than one buffer spans descriptors, EOP on the last', () => {
    const rig = new Rig().startHw();
    rig.write(R.RCTL, R.RCTL_EN | R.RCTL_LPE | R.RCTL_SECRC);
    rig.write(R.RXDCTL(0), 0);
    // BSIZEPACKET = 1 KiB buffers.
    rig.write(R.SRRCTL(0), R.SRRCTL_DESCTYPE_ADV_ONEBUF | (1024 >> 10));
    rig.write(R.RXDCTL(0), R.RXDCTL_ENABLE);
    const frame = makeFrame(3000, MAC);
    rig.nic.receiveFromWire(frame, 0, 3000);
    const DD_EOP = R.RXD_STAT_DD | R.RXD_STAT_EOP;
    expect([0, 1, 2].map((i) => rig.rxDescriptor(0, i).status & DD_EOP)).toEqual([
      R.RXD_STAT_DD,
      R.RXD_STAT_DD,
      DD_EOP,
    ]);
    expect([0, 1, 2].map((i) => rig.rxDescriptor(0, i).d3 & 0xffff)).toEqual([1024, 1024, 952]);
    expect(rig.read(R.RDH(0))).toBe(3);
  });

  it('oversize frames without LPE are dropped and counted in ROC', () => {
    const rig = new Rig().startHw();
    rig.nic.receiveFromWire(makeFrame(1600, MAC), 0, 1600);
    expect(rig.read(R.ROC)).toBe(1);
    expect(rig.read(R.RDH(0))).toBe(0);
  });
});
