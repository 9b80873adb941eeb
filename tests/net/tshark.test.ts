/**
 * External oracle: Wireshark's dissectors must read our captures as well-formed with good
 * checksums. Skipped where tshark is absent (CI installs it; dev boxes may not have it).
 */
import { describe, expect, it } from 'vitest';
import { hasTshark, tsharkFields } from '../support/tshark.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARP_OP_REQUEST,
  ICMP_ECHO_REQUEST,
  MAC_BROADCAST,
  PcapWriter,
  PcapngWriter,
  TCP_ACK,
  TCP_PSH,
  buildArpFrame,
  buildIcmpEchoFrame,
  buildTcpFrame,
  buildTcpTemplate,
  buildUdpFrame,
  buildUdpTemplate,
  stampPacket,
} from '../../driver-runtime/net/index.ts';

const SKIP_REASON = 'tshark not installed (apt-get install tshark); CI runs this check';

const A = 0x020000000001;
const B = 0x020000000002;
const IP_A = 0x0a000001;
const IP_B = 0x0a000002;

/** ARP, ICMP echo, UDP, TCP, VLAN-tagged UDP, then a stamped UDP and TCP template packet. */
function sampleFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const take = (build: (buf: Uint8Array) => number) => {
    const buf = new Uint8Array(1600);
    frames.push(buf.slice(0, build(buf)));
  };
  const ip = { dstMac: B, srcMac: A, srcIp: IP_A, dstIp: IP_B, ipId: 1 };
  take((b) =>
    buildArpFrame(b, 0, {
      dstMac: MAC_BROADCAST,
      srcMac: A,
      op: ARP_OP_REQUEST,
      senderMac: A,
      senderIp: IP_A,
      targetMac: 0,
      targetIp: IP_B,
    }),
  );
  take((b) =>
    buildIcmpEchoFrame(b, 0, { ...ip, type: ICMP_ECHO_REQUEST, id: 0x1234, seq: 1, payloadLength: 56 }),
  );
  take((b) => buildUdpFrame(b, 0, { ...ip, srcPort: 40000, dstPort: 5201, payloadLength: 3 }));
  const tcp = {
    ...ip,
    srcPort: 40001,
    dstPort: 5201,
    seq: 1000,
    ack: 1,
    flags: TCP_ACK | TCP_PSH,
    window: 512,
    payloadLength: 1001,
  };
  take((b) => buildTcpFrame(b, 0, tcp));
  take((b) =>
    buildUdpFrame(b, 0, {
      ...ip,
      vlan: { pcp: 5, dei: false, vid: 100 },
      srcPort: 40002,
      dstPort: 5201,
      payloadLength: 200,
    }),
  );
  const udpT = buildUdpTemplate({ ...ip, srcPort: 40003, dstPort: 5201, payloadLength: 1472 });
  take((b) => stampPacket(udpT, b, 0, 0xbeef, 0));
  const tcpT = buildTcpTemplate(tcp);
  take((b) => stampPacket(tcpT, b, 0, 0x7777, 0xfffffff0));
  return frames;
}

/** tshark prints checksum status as the enum value (1 = good) or its name, by version. */
const GOOD = /^(1|Good)$/;

describe.skipIf(!hasTshark)(`tshark validation${hasTshark ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('reads our pcap as well-formed with good IP/UDP/TCP checksums', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netlanes-pcap-'));
    try {
      const frames = sampleFrames();
      const w = new PcapWriter();
      frames.forEach((f, i) => w.writeAtNs(1_000_000_000 + i * 1500, f, 0, f.length));
      const file = join(dir, 'sample.pcap');
      writeFileSync(file, w.toBytes());
      const rows = tsharkFields(file, [
        'frame.number',
        '_ws.malformed',
        'ip.checksum.status',
        'udp.checksum.status',
        'tcp.checksum.status',
        'vlan.priority',
        'frame.protocols',
        'icmp.checksum.status',
        'frame.time_epoch',
      ]);
      expect(rows).toHaveLength(frames.length);
      const checked = { ip: 0, udp: 0, tcp: 0 };
      for (const [num, malformed, ipStatus, udpStatus, tcpStatus, , protocols] of rows) {
        const where = `frame ${num} (${protocols})`;
        expect(malformed, where).toBe('');
        if (protocols!.includes(':ip:')) {
          expect(ipStatus, where).toMatch(GOOD);
          checked.ip++;
        }
        if (protocols!.includes(':udp')) {
          expect(udpStatus, where).toMatch(GOOD);
          checked.udp++;
        }
        if (protocols!.includes(':tcp')) {
          expect(tcpStatus, where).toMatch(GOOD);
          checked.tcp++;
        }
      }
      // Guards against a vacuous pass if tshark's protocol naming changes.
      expect(checked).toEqual({ ip: 6, udp: 3, tcp: 2 });
      expect(rows[0]![6]).toContain('arp');
      expect(rows[1]![6]).toContain('icmp');
      expect(rows[4]![6]).toContain('vlan');
      expect(rows[4]![5]).toBe('5');
      expect(rows[1]![7]).toMatch(GOOD);
      rows.forEach((r, i) => expect(r[8]).toBe(`1.${String(i * 1500).padStart(9, '0')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads our pcapng with per-packet comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netlanes-pcapng-'));
    try {
      const frames = sampleFrames();
      const w = new PcapngWriter();
      const q = w.addInterface('sim0');
      frames.forEach((f, i) =>
        w.writePacket(q, 2_000_000_000 + i, f, 0, f.length, f.length, `q${i % 4} app=test`),
      );
      const file = join(dir, 'sample.pcapng');
      writeFileSync(file, w.toBytes());
      const rows = tsharkFields(file, ['frame.number', '_ws.malformed', 'frame.comment', 'frame.time_epoch']);
      expect(rows).toHaveLength(frames.length);
      rows.forEach(([num, malformed, comment, epoch], i) => {
        expect(malformed, `frame ${num}`).toBe('');
        expect(comment).toBe(`q${i % 4} app=test`);
        // if_tsresol = 9: the nanosecond part survives.
        expect(epoch).toBe(`2.${String(i).padStart(9, '0')}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
