/**
 * Per-queue 802.1p marking (a Tx policy setting, off by default): every frame leaving queue
 * q carries PCP pcp[q], so the next hop keeps the priority. Untagged frames get a priority
 * tag (VID 0) the NIC inserts; frames the stack already tagged get their PCP rewritten.
 * Read back from the wire capture by tshark.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScenario } from '../../driver-runtime/host/run-scenario.ts';
import { validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import { hasTshark, tsharkFields } from '../support/tshark.ts';
import { scenario } from './helpers.ts';

const RULES = validateRuleSet({
  version: 1,
  rules: [
    { id: 'zoom', match: { bundleId: 'us.zoom.xos' }, priority: 'highest', enabled: true },
    { id: 'game', match: { bundleId: 'com.riotgames.*' }, priority: 'high', enabled: true },
    { id: 'web', match: { bundleId: 'com.google.Chrome' }, priority: 'normal', enabled: true },
    { id: 'backup', match: { bundleId: 'com.backblaze.*' }, priority: 'low', enabled: true },
  ],
});
/** Host → peer UDP/TCP source port of each contention app, and the queue its rule gives it. */
const QUEUE_BY_PORT: Record<string, number> = { '50500': 3, '50600': 2, '50700': 1, '50800': 0 };
const MARKS = [1, 0, 5, 6] as const; // PCP per queue 0..3

function capture(pcp: readonly [number, number, number, number] | null): string {
  const r = runScenario({
    scenario: scenario('contention'),
    durationNs: 50e6,
    rules: RULES,
    capture: true,
    ...(pcp ? { driver: { pcp: [...pcp] as [number, number, number, number] } } : {}),
  });
  expect(r.leaks.poolPacketsInUse).toBe(0);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'netlanes-pcp-')), 'pcp.pcap');
  writeFileSync(file, r.pcap!);
  return file;
}

/** [source port, vlan.priority or '', vlan.id or '', malformed] of every host → peer datagram. */
function hostFrames(file: string): string[][] {
  return tsharkFields(file, [
    'ip.src',
    'udp.srcport',
    'tcp.srcport',
    'vlan.priority',
    'vlan.id',
    '_ws.malformed',
  ])
    .filter(([src]) => src === '10.0.0.2')
    .map(([, udp, tcp, prio, vid, malformed]) => [udp || tcp, prio, vid, malformed]);
}

describe.skipIf(!hasTshark)('PCP marking per queue (tshark; skips when tshark is missing)', () => {
  it("marks every frame of each queue with that queue's PCP, tagged or not", () => {
    const frames = hostFrames(capture(MARKS)).filter(([port]) => port in QUEUE_BY_PORT);
    expect(frames.length).toBeGreaterThan(1000);
    const seen = new Set<string>();
    for (const [port, prio, vid, malformed] of frames) {
      expect(malformed).toBe('');
      expect(prio).toBe(String(MARKS[QUEUE_BY_PORT[port]]));
      // zoom tags its own frames (VID 0, PCP 5 in the scenario); the rest get a priority tag.
      expect(vid).toBe('0');
      seen.add(port);
    }
    expect([...seen].sort()).toEqual(Object.keys(QUEUE_BY_PORT).sort());
  });

  it('off by default: frames leave as the stack built them', () => {
    const frames = hostFrames(capture(null)).filter(([port]) => port in QUEUE_BY_PORT);
    expect(frames.length).toBeGreaterThan(1000);
    for (const [port, prio] of frames) expect(prio).toBe(port === '50500' ? '5' : '');
  });
});
