import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appConfigsFromScenario, parseScenario, ScenarioError } from '../../driver-runtime/stack/scenario.ts';

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
    expect(e.message).toContain('bad.json: apps[0].traffic.rateBps: must be > 0');
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
    expect(errorOf(n).message).toContain('apps[0].traffic.packetBytes: must be <= 1514');
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
