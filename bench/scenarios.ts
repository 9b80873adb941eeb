import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario } from '../driver-runtime/stack/scenario.ts';
import type { Scenario } from '../driver-runtime/stack/scenario.ts';
import { LINK_BPS as LINK_BPS_OF, type LinkSpeed } from '../driver-runtime/sim/units.ts';

const host = { mac: '3c:22:fb:10:20:31', ip: '10.0.0.2' };
const peer = { mac: 'a4:91:b1:00:00:02', ip: '10.0.0.1' };

/**
 * A socket's send buffer, as the OS defaults it (Linux wmem_default is 208 KiB): 4096 frames of
 * 64 B, 172 of 1518 B — enough to keep any of our links busy between two interrupts.
 */
const SNDBUF_BYTES = 256 * 1024;

/** One greedy UDP sender: the whole Tx path at line rate. `frameBytes` excludes FCS. */
export function txScenario(link: LinkSpeed, frameBytes: number, senders = 1): Scenario {
  return {
    name: `bench-tx-${frameBytes}`,
    description: 'benchmark: greedy Tx',
    link,
    seed: 1,
    host,
    peer,
    apps: Array.from({ length: senders }, (_, i) => ({
      name: `bulk${i}`,
      bundleId: `bench.bulk${i}`,
      executablePath: `/bench/bulk${i}`,
      pid: 100 + i,
      serviceClass: i % 2 === 0 ? ('BK' as const) : ('VI' as const),
      traffic: {
        kind: 'bulk' as const,
        protocol: 'udp' as const,
        packetBytes: frameBytes,
        sndbufBytes: SNDBUF_BYTES,
        srcPort: 40000 + i,
        dstPort: 9,
      },
    })),
  };
}

/** The link partner sends at line rate toward one receiving app: the whole Rx path. */
export function rxScenario(link: LinkSpeed, frameBytes: number, rateBps: number): Scenario {
  return {
    name: `bench-rx-${frameBytes}`,
    description: 'benchmark: line-rate Rx',
    link,
    seed: 1,
    host,
    peer,
    apps: [
      {
        name: 'sink',
        bundleId: 'bench.sink',
        executablePath: '/bench/sink',
        pid: 200,
        serviceClass: 'BE',
        traffic: {
          kind: 'receive',
          protocol: 'udp',
          packetBytes: frameBytes,
          rateBps,
          dstPort: 5001,
          srcPort: 5001,
        },
      },
    ],
  };
}

/** A scenario from scenarios/ (what the app runs: `npm run start:web` defaults to home-office). */
export function fileScenario(name: string): Scenario {
  const file = path.resolve(import.meta.dirname, '../scenarios', `${name}.json`);
  return parseScenario(JSON.parse(readFileSync(file, 'utf8')), `${name}.json`);
}

/**
 * IMIX at `share` of line rate: three paced UDP senders whose packet rates stand 7:4:1 for
 * 64, 576 and 1518-byte frames (FCS included), as the simple IMIX of the issue.
 */
export function imixScenario(link: LinkSpeed, share: number): Scenario {
  const mix = [
    { frame: 64, weight: 7 },
    { frame: 576, weight: 4 },
    { frame: 1518, weight: 1 },
  ];
  const wireBytes = (frame: number) => frame + 20; // + preamble/SFD 8 and IFG 12
  const weights = mix.reduce((a, m) => a + m.weight, 0);
  const meanWire = mix.reduce((a, m) => a + m.weight * wireBytes(m.frame), 0) / weights;
  const totalPps = (LINK_BPS_OF[link] * share) / (8 * meanWire);
  return {
    name: `bench-imix-${link}`,
    description: 'benchmark: IMIX 7:4:1 of 64/576/1518 B, paced',
    link,
    seed: 1,
    host,
    peer,
    apps: mix.map((m, i) => {
      const packetBytes = m.frame - 4;
      const pps = (totalPps * m.weight) / weights;
      return {
        name: `imix${m.frame}`,
        bundleId: `bench.imix${m.frame}`,
        executablePath: `/bench/imix${m.frame}`,
        pid: 300 + i,
        serviceClass: 'BE' as const,
        traffic: {
          kind: 'constant' as const,
          protocol: 'udp' as const,
          packetBytes,
          rateBps: pps * packetBytes * 8,
          srcPort: 45000 + i,
          dstPort: 9,
        },
      };
    }),
  };
}
