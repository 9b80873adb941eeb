/**
 * Honest identity: the driver sees packets, 5-tuples and accounting slots, never an app. The
 * host stack reports each flow with its app's identity to the app side (the policy agent); the
 * agent gives each identity a slot and tells the driver only flow → slot entries and per-slot
 * settings, through the user client. So the driver's per-slot statistics mean something only
 * through the agent — and a flow's first packets, sent before its entry arrives, take their
 * service class's queue for a window the driver measures in virtual time.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { PolicyAgent, type AgentClock, type DriverCommands } from '../../driver-runtime/host/policy-agent.ts';
import { buildReport } from '../../driver-runtime/host/scenario-report.ts';
import type { AppIdentity } from '../../driver-runtime/abi/app-identity.ts';
import {
  CAPTURE_HEADER_BYTES,
  CAPTURE_RECORD_BYTES,
  CAP_WRITE_INDEX,
  FLOW_ADD,
  MemoryType,
  type AppSettingRecord,
  type FlowEntryRecord,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { Calls } from '../../driver-runtime/abi/netlanes-calls.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import { scenario } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('per-slot statistics map back to apps only through the agent', () => {
  it('home-office: every app has its own slot, and the driver’s counters for that slot are the app’s', () => {
    // No IPC delay between a flow's report and its entry: every packet is attributed.
    const m = Machine.boot({ scenario: scenario('home-office'), flowPushDelayNs: 0 });
    m.run(300e6);
    // Every flow the driver holds belongs to a slot the agent gave, one slot per app.
    const flows = m.client.flows();
    expect(flows).toHaveLength(m.apps.length);
    for (const f of flows) expect(m.agent.identityOf(f.slot), `flow ${f.flowId}`).not.toBeNull();
    expect(new Set(flows.map((f) => f.slot)).size).toBe(m.apps.length);
    m.drain();
    const stats = m.stack.allAppStats();
    expect(stats).toHaveLength(m.apps.length);
    const slots = new Set<number>();
    for (const a of stats) {
      const identity = m.apps[a.appId - 1];
      expect(identity.bundleId).toBe(a.bundleId);
      const slot = m.agent.slotOf(identity);
      expect(slot, a.bundleId).toBeGreaterThan(0);
      expect(m.agent.identityOf(slot)).toBe(identity);
      slots.add(slot);
      // The driver's statistics region, mapped through the user client, counts the app.
      expect(m.stats.app.txPackets[slot], a.bundleId).toBe(a.txCompleted);
      expect(m.stats.app.txBytes[slot], a.bundleId).toBe(a.txCompletedBytes);
      // The driver knows the slot by the label the agent sent, and by nothing else.
      expect(m.client.explainApp(slot)[0]).toMatch(
        new RegExp(`^slot ${slot} \\(${a.bundleId.replaceAll('.', '\\.')}\\)`),
      );
    }
    expect(slots.size).toBe(stats.length);
    expect(stats.some((a) => a.txCompleted > 100)).toBe(true);
    // Stopped apps closed their flows, and the agent had the driver forget them.
    expect(m.client.flows()).toEqual([]);
    // The report joins the two sides the same way.
    const report = buildReport(m, 300e6);
    for (const app of report.apps) {
      const slot = m.agent.slotOf(m.apps[app.appId - 1]);
      expect(app.latency.count).toBe(m.stats.app.txPackets[slot]);
    }
    expect(m.shutdown().liveObjects).toBe(0);
  });

  it('the agent keys a slot on the signing identity, not the process: a relaunch keeps its slot', () => {
    const sent: { flows: FlowEntryRecord[][]; settings: AppSettingRecord[][] } = { flows: [], settings: [] };
    const driver: DriverCommands = {
      setAppSettings: (_g, s) => void sent.settings.push([...s]),
      setFlows: (_g, e) => void sent.flows.push([...e]),
      setRuleSet: () => {},
    };
    const clock: AgentClock = { now: () => 0, minuteOfWeek: () => 0, after: () => () => {} };
    const agent = new PolicyAgent(driver, clock, { slots: 4, pushDelayNs: 0 });
    const app: AppIdentity = {
      appId: 1,
      name: 'Zoom',
      bundleId: 'us.zoom.xos',
      executablePath: '/Applications/zoom.us.app/Contents/MacOS/zoom.us',
      pid: 100,
      teamId: 'BJ4HAAB9B3',
      serviceClass: 0,
    };
    const report = (flowId: number, identity: AppIdentity) => ({
      flowId,
      protocol: 17,
      localIp: 1,
      remoteIp: 2,
      localPort: 1000 + flowId,
      remotePort: 8801,
      identity,
    });
    agent.flowOpened(report(1, app));
    agent.flowOpened(report(2, { ...app, pid: 200, appId: 7 })); // relaunched: new pid, same signing
    agent.flowOpened(report(3, { ...app, teamId: 'XXXXXXXXXX' })); // same bundle id, another signer
    agent.flowOpened(report(4, { ...app, bundleId: 'us.zoom.other' }));
    agent.flowOpened(report(5, { ...app, bundleId: 'one.too.many' })); // slot 4 would be past the 4 slots
    expect(agent.slotOf(app)).toBe(1);
    expect(agent.slotOf({ ...app, pid: 200 })).toBe(1);
    expect(agent.slotOf({ ...app, teamId: 'XXXXXXXXXX' })).toBe(2);
    expect(agent.slotOf({ ...app, bundleId: 'us.zoom.other' })).toBe(3);
    expect(agent.slotOf({ ...app, bundleId: 'one.too.many' })).toBe(0);
    // What the driver was told: 5-tuples and slots, no identity field at all.
    const entries = sent.flows.flat();
    expect(entries.map((e) => [e.flowId, e.slot])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(
        ['flowId', 'localIp', 'localPort', 'op', 'protocol', 'remoteIp', 'remotePort', 'slot'].sort(),
      );
      expect(e.op).toBe(FLOW_ADD);
    }
    // Settings name each slot by its bundle id, for explain only.
    const last = sent.settings[sent.settings.length - 1];
    expect(last.map((s) => [s.slot, s.label])).toEqual([
      [1, 'us.zoom.xos'],
      [2, 'us.zoom.xos'],
      [3, 'us.zoom.other'],
    ]);
    for (const s of last) expect(JSON.stringify(s)).not.toMatch(/"pid"|"teamId"|"executablePath"/);
  });
});

// ---------------------------------------------------------------- the unknown-flow window

/** Time Machine (service class BK → queue 0) is moved to the highest queue by its rule. */
const BACKUP_HIGHEST: RuleSet = {
  version: 1,
  rules: [{ id: 'tm', match: { bundleId: 'com.apple.backupd' }, priority: 'highest', enabled: true }],
};
const BACKUP_PORT = 50300; // home-office.json

/** [wire time, queue] of every captured Tx frame from Time Machine's port, in capture order. */
function backupFrames(bytes: Uint8Array): [number, number][] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const written = v.getUint32(CAP_WRITE_INDEX, true);
  expect(written).toBeLessThan(512); // the ring has not wrapped: every frame is still there
  const out: [number, number][] = [];
  for (let i = 0; i < written; i++) {
    const at = CAPTURE_HEADER_BYTES + i * CAPTURE_RECORD_BYTES;
    const frame = at + 16;
    // Ethernet (14) + IPv4 without options (20): the TCP source port.
    const isIpv4Tcp = v.getUint16(frame + 12, false) === 0x0800 && v.getUint8(frame + 23) === 6;
    if (isIpv4Tcp && v.getUint16(frame + 34, false) === BACKUP_PORT)
      out.push([v.getFloat64(at, true), v.getUint8(at + 13)]);
  }
  return out;
}

function bootWithDelay(flowPushDelayNs: number): Machine {
  const m = Machine.boot({ scenario: scenario('home-office'), flowPushDelayNs, rules: BACKUP_HIGHEST });
  expect(m.client.raw(Calls.setCapture(true, 64)).ret).toBe(0);
  return m;
}

describe('the unknown-flow window', () => {
  it.each([2e6, 0.5e6])(
    'with a %d ns push delay: first packets take the service-class queue, and the window is measured',
    (delay) => {
      const m = bootWithDelay(delay);
      const capture = m.client.map(MemoryType.Capture).bytes;
      m.run(delay + 1.5e6);
      const frames = backupFrames(capture);
      const early = frames.filter(([t]) => t < delay);
      const late = frames.filter(([t]) => t > delay + 1e6);
      // Before its entry arrived, Time Machine's frames went by its service class (BK → queue 0).
      expect(early.length).toBeGreaterThan(5);
      expect(early.every(([, q]) => q === 0)).toBe(true);
      // After, by its rule (highest → queue 3).
      expect(late.length).toBeGreaterThan(5);
      expect(late.every(([, q]) => q === 3)).toBe(true);
      m.run(50e6);
      // Nothing else is BK: queue 0 carried only the early frames and stopped growing.
      const q0 = m.client.stats().queuePackets[0];
      expect(q0).toBeGreaterThan(0);
      m.run(20e6);
      expect(m.client.stats().queuePackets[0]).toBe(q0);
      // The driver measured the window in virtual time: from a flow's first miss to its entry.
      const { flowTable } = buildReport(m, m.scheduler.now);
      expect(flowTable.missWindows).toBeGreaterThanOrEqual(1);
      expect(flowTable.missWindows).toBeLessThanOrEqual(m.client.flows().length);
      expect(flowTable.missWindowMaxNs).toBeLessThanOrEqual(delay);
      expect(flowTable.missWindowMaxNs).toBeGreaterThanOrEqual(0.9 * delay);
      expect(flowTable.missWindowMeanNs).toBeGreaterThanOrEqual(0.5 * delay);
      expect(flowTable.missWindowMeanNs).toBeLessThanOrEqual(flowTable.missWindowMaxNs);
      expect(flowTable.misses).toBeGreaterThanOrEqual(early.length);
      expect(m.shutdown().liveObjects).toBe(0);
    },
  );

  it('with no push delay there is no window: every frame takes its rule’s queue from the first', () => {
    const m = bootWithDelay(0);
    const capture = m.client.map(MemoryType.Capture).bytes;
    m.run(2.5e6);
    const frames = backupFrames(capture);
    expect(frames.length).toBeGreaterThan(20);
    expect(frames.every(([, q]) => q === 3)).toBe(true);
    m.run(50e6);
    expect(m.client.stats().queuePackets[0]).toBe(0);
    const { flowTable } = buildReport(m, m.scheduler.now);
    expect(flowTable.missWindows).toBe(0);
    expect(flowTable.missWindowMaxNs).toBe(0);
    expect(flowTable.missWindowMeanNs).toBe(0);
    expect(m.shutdown().liveObjects).toBe(0);
  });
});

// ---------------------------------------------------------------- the driver cannot know an app

/** Relative import specifiers of a TypeScript source (static, re-exports and dynamic imports). */
function importsOf(source: string): string[] {
  const re =
    /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...source.matchAll(re)].map((m) => m[1] ?? m[2]);
}

/** What a driver source must not touch: the stack, the identity type, an app's identity fields. */
function identityViolations(file: string, source: string): string[] {
  const found: string[] = [];
  for (const spec of importsOf(source)) {
    if (!spec.startsWith('.')) continue;
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
    if (target.startsWith('driver-runtime/stack/') || target === 'driver-runtime/abi/app-identity.ts')
      found.push(`imports ${target}`);
  }
  for (const word of ['pid', 'bundleId', 'executablePath', 'teamId', 'AppIdentity'])
    if (new RegExp(`\\b${word}\\b`).test(source)) found.push(`refers to ${word}`);
  return found;
}

const driverDir = path.join(ROOT, 'driver-runtime/driver');
const driverFiles = readdirSync(driverDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(driverDir, f));

describe('the driver cannot know an app (static check)', () => {
  it('the check itself catches an import of the stack or of AppIdentity, and identity fields', () => {
    const file = path.join(driverDir, 'x.ts');
    expect(identityViolations(file, "import { HostStack } from '../stack/host-stack.ts';")).toEqual([
      'imports driver-runtime/stack/host-stack.ts',
    ]);
    expect(
      identityViolations(file, "import type { AppIdentity as A } from '../abi/app-identity.ts';"),
    ).toEqual(['imports driver-runtime/abi/app-identity.ts', 'refers to AppIdentity']);
    expect(identityViolations(file, "export * from '../stack/flow-observer.ts';")).toHaveLength(1);
    expect(identityViolations(file, 'const p = report.pid;')).toEqual(['refers to pid']);
    expect(identityViolations(file, 'if (x.bundleId) {}')).toEqual(['refers to bundleId']);
    expect(identityViolations(file, "import { x } from '../abi/netlanes-abi.ts'; const rapid = 1;")).toEqual(
      [],
    );
  });

  it.each(driverFiles.map((f) => [path.basename(f), f]))(
    'driver/%s imports no stack and names no identity',
    (_n, file) => {
      expect(identityViolations(file, readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('nor does anything the driver imports, however indirectly', () => {
    const seen = new Set<string>();
    const todo = [...driverFiles];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(readFileSync(file, 'utf8')))
        if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec));
    }
    const reached = [...seen].map((f) => path.relative(ROOT, f));
    expect(reached.length).toBeGreaterThan(driverFiles.length); // it did follow imports
    expect(reached.filter((f) => f.startsWith('driver-runtime/stack/'))).toEqual([]);
    expect(reached).not.toContain('driver-runtime/abi/app-identity.ts');
    expect(reached.filter((f) => /^driver-runtime\/(host|rules|peer)\//.test(f))).toEqual([]);
  });
});
