/** `npm run sim` as a user meets it: help, refusals with reasons and exit status 2, JSON output. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function sim(...args: string[]) {
  const r = spawnSync(TSX, ['main/cli/sim.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-cli-'));

describe('npm run sim', () => {
  it('--help documents every option the parser accepts', () => {
    const r = sim('--help');
    expect(r.status).toBe(0);
    // Every option declared in sim.ts's parseArgs table must appear in the help text.
    const source = readFileSync(path.join(ROOT, 'main/cli/sim.ts'), 'utf8');
    const table = source.slice(source.indexOf('options: {'), source.indexOf('strict: true'));
    const declared = [...table.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type:/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(15);
    for (const opt of declared) expect(r.stdout).toContain(`--${opt}`);
  });

  it('--compare, --baseline, --explain and --pcap print what they promise', () => {
    const pcap = path.join(dir, 'run.pcap');
    const r = sim(
      '--scenario',
      'contention',
      '--duration',
      '100ms',
      '--rules',
      'rules/contention.json',
      '--compare',
      'rules/everything-normal.json',
      '--baseline',
      '--explain',
      '--pcap',
      pcap,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/what-if: rules\/contention\.json vs rules\/everything-normal\.json/);
    expect(r.stdout).toMatch(/baseline: one FIFO queue, no rules/);
    expect(r.stdout).toMatch(/zoom\.us → Queue 3 \(highest\)\n\s+identity: zoom\.us/);
    expect(readFileSync(pcap).readUInt32LE(0)).toBe(0xa1b23c4d); // pcap, nanosecond timestamps
  });

  it('refuses a fault that would start after the run ends', () => {
    const r = sim('--scenario', 'contention', '--duration', '100ms', '--fault', 'link-flap@1s');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/after the run ends/);
  });

  it('refuses a scenario with a bad field, naming the file and the field', () => {
    const bad = JSON.parse(readFileSync(path.join(ROOT, 'scenarios/contention.json'), 'utf8'));
    bad.apps[0].traffic.rateBps = -5;
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = sim('--scenario', file, '--duration', '10ms');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: apps\[0\]\.traffic\.rateBps/);
    expect(r.stdout).toBe('');
  });

  it('refuses a file that is not JSON, a missing scenario and an unknown option', () => {
    const file = path.join(dir, 'garbage.json');
    writeFileSync(file, '{ not json');
    expect(sim('--scenario', file).stderr).toMatch(/not valid JSON/);
    expect(sim('--scenario', 'no-such-scenario').stderr).toMatch(/scenario file not found/);
    expect(sim('--scenario', 'contention', '--bogus').status).toBe(2);
    expect(sim('--scenario', 'contention', '--link', '40g').stderr).toMatch(/--link must be/);
    expect(sim('--scenario', 'contention', '--fault', 'meltdown@1s').stderr).toMatch(
      /unknown kind "meltdown"/,
    );
  });

  it('refuses a rule set with the rule and field named', () => {
    const file = path.join(dir, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        rules: [{ id: 'x', match: { bundleId: 'a' }, priority: 'urgent', enabled: true }],
      }),
    );
    const r = sim('--scenario', 'contention', '--rules', file, '--duration', '10ms');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rule "x" \(rules\[0\]\)\.priority/);
  });

  it('--json prints a machine-readable report with a clean shutdown', () => {
    const r = sim('--scenario', 'contention', '--duration', '50ms', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.report.apps).toHaveLength(5);
    expect(out.report.netstat.Opkts).toBeGreaterThan(0);
    expect(out.leaks.liveObjects).toBe(0);
  });
});
