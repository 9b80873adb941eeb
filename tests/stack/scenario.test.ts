import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appConfigsFromScenario,
  parseScenario,
  rangeText,
  SCENARIO_RANGES,
  ScenarioError,
} from '../../driver-runtime/stack/scenario.ts';

const dir = join(import.meta.dirname, '../../scenarios');
const load = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));

function errorOf(json: unknown, file = 'bad.json'): ScenarioError {
  try {
    parseScenario(json, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('scenario files', () => {
  it.each(['home-office.json', 'contention.json'])('%s parses and converts to app configs', (file) => {
    const s = parseScenario(load(file), file);
    expect(s.apps.length).toBeGreaterThanOrEqual(5);
    const configs = appConfigsFromScenario(s);
    expect(configs).toHaveLength(s.apps.length);
    for (const c of configs) {
      expect(c.traffic.packetBytes).toBeGreaterThanOrEqual(60);
      expect(Number.isFinite(c.serviceClass)).toBe(true);
    }
  });

  it('home-office covers every traffic kind', () => {
    const s = parseScenario(load('home-office.json'));
    expect(new Set(s.apps.map((a) => a.traffic.kind))).toEqual(
      new Set(['constant', 'bursty', 'bulk', 'receive', 'ping']),
    );
  });

  it('contention: VO call, VI game, BE web, two BK bulk uploads on 1g', () => {
    const s = parseScenario(load('contention.json'));
    expect(s.link).toBe('1g');
    const cls = s.apps.map((a) => `${a.serviceClass}:${a.traffic.kind}`);
    expect(cls).toEqual(['VO:constant', 'VI:constant', 'BE:bursty', 'BK:bulk', 'BK:bulk']);
    const game = s.apps[1].traffic;
    const pps = game.rateBps! / (8 * game.packetBytes);
    expect(pps).toBeGreaterThanOrEqual(60);
    expect(pps).toBeLessThanOrEqual(128);
  });
});

describe('parseScenario refuses bad input, naming the file and the field', () => {
  const good = load('home-office.json') as { apps: Record<string, unknown>[] } & Record<string, unknown>;

  it('negative rate', () => {
    const j = clone(good);
    (j.apps[0].traffic as Record<string, unknown>).rateBps = -5;
    const e = errorOf(j);
    expect(e.message).toBe('bad.json: apps[0].traffic.rateBps: must be 1..10000000000 b/s');
    expect(e.fieldPath).toBe('apps[0].traffic.rateBps');
    expect(e.file).toBe('bad.json');
  });

  it('unknown service class', () => {
    const j = clone(good);
    j.apps[2].serviceClass = 'URGENT';
    expect(errorOf(j).message).toMatch(/apps\[2\]\.serviceClass: must be one of BK_SYS, BK, BE/);
  });

  it('unknown key, at any depth', () => {
    const j = clone(good);
    (j.apps[1].traffic as Record<string, unknown>).rate = 5;
    expect(errorOf(j).message).toContain('apps[1].traffic.rate: unknown key');
    const k = clone(good) as Record<string, unknown>;
    k.speed = '1g';
    expect(errorOf(k).message).toContain('speed: unknown key');
  });

  it('missing apps', () => {
    const j = clone(good) as Record<string, unknown>;
    delete j.apps;
    expect(errorOf(j).message).toContain('apps: required');
    j.apps = [];
    expect(errorOf(j).message).toContain('apps: must list at least one app');
  });

  it('fields a traffic kind needs, protocol mismatches, bad addresses, sizes, duplicate ports', () => {
    const j = clone(good);
    delete (j.apps[3].traffic as Record<string, unknown>).sndbufBytes;
    expect(errorOf(j).message).toContain('apps[3].traffic.sndbufBytes: required for bulk traffic');
    const k = clone(good);
    (k.apps[5].traffic as Record<string, unknown>).protocol = 'udp';
    expect(errorOf(k).message).toContain('apps[5].traffic.protocol: must be icmp for ping');
    const m = clone(good) as unknown as { host: Record<string, unknown> };
    m.host.ip = '300.1.1.1';
    expect(errorOf(m).message).toContain('host.ip: must be an IPv4 address');
    const n = clone(good);
    (n.apps[0].traffic as Record<string, unknown>).packetBytes = 1518;
    expect(errorOf(n).message).toBe(
      'bad.json: apps[0].traffic.packetBytes: must be <= 1514 (untagged; 1518 needs vlanPcp)',
    );
    const q = clone(good);
    (q.apps[2].traffic as Record<string, unknown>).srcPort = (
      q.apps[1].traffic as Record<string, unknown>
    ).srcPort;
    expect(errorOf(q).message).toContain(
      'apps[2].traffic.srcPort: host port 50110 is already used by apps[1]',
    );
    const r = clone(good) as Record<string, unknown>;
    r.link = '40g';
    expect(errorOf(r).message).toContain("link: must be one of '1g', '2.5g', '10g'");
  });

  it('non-objects are refused too', () => {
    expect(errorOf(null).message).toMatch(/^bad\.json: \(root\): /);
    expect(errorOf('x', 'x.json').file).toBe('x.json');
  });
});

describe('parseScenario bounds every number, so no file can make a run endless', () => {
  const good = load('home-office.json') as { apps: Record<string, unknown>[] } & Record<string, unknown>;
  const traffic = (j: typeof good, i: number) => j.apps[i].traffic as Record<string, unknown>;

  // Each of these hung `npm run sim` (events at one instant, or a loop per packet) or ran far past any run.
  it.each([
    ['rateBps', 0, 1e30, 'must be 1..10000000000 b/s'],
    ['rateBps', 4, 1e30, 'must be 1..10000000000 b/s'],
    ['meanGapUs', 1, 0.001, 'must be 1..3600000000 µs'],
    ['intervalUs', 5, 0.001, 'must be 1..3600000000 µs'],
    ['burstPackets', 1, 1e9, 'must be an integer 1..1024 packets'],
    ['sndbufBytes', 3, 1e12, 'must be an integer 60..8388608 B'],
    ['startUs', 0, 1e18, 'must be 0..3600000000 µs'],
    ['stopUs', 0, 1e18, 'must be 1..3600000000 µs'],
  ] as const)('%s on apps[%d] = %s', (field, app, value, message) => {
    const j = clone(good);
    traffic(j, app)[field] = value;
    expect(errorOf(j).message).toBe(`bad.json: apps[${app}].traffic.${field}: ${message}`);
  });

  it('pid, seed and the number of apps', () => {
    const j = clone(good);
    j.apps[0].pid = 1e15;
    expect(errorOf(j).message).toBe('bad.json: apps[0].pid: must be an integer 1..99999');
    const k = clone(good);
    k.seed = 2 ** 32;
    expect(errorOf(k).message).toBe('bad.json: seed: must be an integer 0..4294967295');
    const m = clone(good);
    m.apps = Array.from({ length: 256 }, (_, i) => ({
      ...clone(good.apps[1]),
      pid: 1 + i,
      traffic: { ...traffic(good, 1), srcPort: 1000 + i },
    }));
    expect(errorOf(m).message).toMatch(/^bad\.json: apps: must list at most 255 apps/);
    m.apps.pop();
    expect(parseScenario(m).apps).toHaveLength(255);
  });

  // Where each field lives in home-office.json: the app whose traffic kind uses it.
  const APP_OF: Record<string, number> = { burstPackets: 1, meanGapUs: 1, sndbufBytes: 3, intervalUs: 5 };
  const traffics = Object.entries(SCENARIO_RANGES).filter(([path]) => path.startsWith('apps[].traffic.'));

  it.each(traffics)('%s: both ends accepted, one step beyond refused with its range', (path, r) => {
    const field = path.slice('apps[].traffic.'.length);
    const app = APP_OF[field] ?? 0;
    const at = (v: number) => {
      const j = clone(good);
      const t = traffic(j, app);
      t[field] = v;
      delete t[field === 'startUs' ? 'stopUs' : 'startUs']; // stopUs must follow startUs
      if (field === 'packetBytes') j.apps[app].vlanPcp = 0; // 1518 needs the tag
      if (field === 'sndbufBytes') t.packetBytes = 60;
      return j;
    };
    const step = r.int ? 1 : 1e-3;
    expect(() => parseScenario(at(r.max))).not.toThrow();
    expect(() => parseScenario(at(r.min))).not.toThrow();
    for (const v of [r.min - step, r.max + step])
      expect(errorOf(at(v)).message).toContain(`apps[${app}].traffic.${field}: must be ${rangeText(r)}`);
  });
});
