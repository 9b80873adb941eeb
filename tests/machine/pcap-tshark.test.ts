import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScenario } from '../../driver-runtime/host/run-scenario.ts';
import { hasTshark, tsharkFields } from '../support/tshark.ts';
import { scenario } from './helpers.ts';

describe.skipIf(!hasTshark)(
  'pcap export read by tshark (skips when tshark is missing; .ci/run installs it)',
  () => {
    it('dissects every frame of a home-office capture with no malformed frames and the expected counts', () => {
      const r = runScenario({ scenario: scenario('home-office'), durationNs: 300e6, capture: true });
      const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-'));
      const file = path.join(dir, 'home-office.pcap');
      writeFileSync(file, r.pcap!);
      const rows = tsharkFields(file, [
        '_ws.malformed',
        'ip.checksum.status',
        'udp.checksum.status',
        'tcp.checksum.status',
        'frame.protocols',
      ]);
      expect(rows.length).toBe(r.report.capturedFrames);
      let arp = 0;
      let icmp = 0;
      let udp = 0;
      let tcp = 0;
      for (const [malformed, ipStatus, udpStatus, tcpStatus, protocols] of rows) {
        expect(malformed).toBe('');
        if (ipStatus) expect(ipStatus).toBe('1'); // 1 = Good (0 Bad, 2 Unverified)
        if (udpStatus) expect(udpStatus).toBe('1');
        if (tcpStatus) expect(tcpStatus).toBe('1');
        if (protocols.includes(':arp')) arp++;
        else if (protocols.includes(':icmp')) icmp++;
        else if (protocols.includes(':udp')) udp++;
        else if (protocols.includes(':tcp')) tcp++;
      }
      expect(arp).toBe(2); // the host's request and the partner's reply
      const ping = r.report.apps.find((a) => a.name === 'ping')!;
      expect(icmp).toBe(2 * ping.rtt!.count);
      expect(udp).toBeGreaterThan(0);
      expect(tcp).toBeGreaterThan(0);
    });
  },
);
