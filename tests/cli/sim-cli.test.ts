/** `npm run sim` as a user meets it: help, refusals with reasons and exit status 2, JSON output. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPTIONS, type OptionName, type OptionSpec } from '../../main/cli/options.ts';
import { rangeText, SCENARIO_RANGES } from '../../driver-runtime/stack/scenario.ts';
import { expectRefusal, ROOT, sim } from './run-sim.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-cli-'));

/** The block of `--help` that documents `--name`: its line and the indented lines under it. */
function helpBlock(help: string, name: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  --${name} `) || l === `  --${name}`);
  if (start < 0) return '';
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith(' '.repeat(25))) end++;
  return lines.slice(start, end).join('\n');
}

describe('npm run sim', () => {
  it('--help documents every option in the table, each with its range', () => {
    const r = sim('--help');
    expect(r.status).toBe(0);
    const names = Object.keys(OPTIONS) as OptionName[];
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) {
      const s: OptionSpec = OPTIONS[name];
      const block = helpBlock(r.stdout, name);
      expect(block, `--${name} in --help`).not.toBe('');
      if (s.value !== null) {
        expect(block, `--${name} ${s.value}`).toContain(`--${name} ${s.value}`);
        expect(block, `range of --${name}`).toContain(`range: ${s.kind.range}`);
      }
    }
  });

  it('--help shows the range of every scenario field from the schema', () => {
    const r = sim('--help');
    for (const [field, range] of Object.entries(SCENARIO_RANGES))
      expect(r.stdout).toMatch(
        new RegExp(`^  ${field.replace(/[[\].]/g, '\\$&')} +${rangeText(range)}  `, 'm'),
      );
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
    expect(sim('--scenario', file).stderr).toMatch(/garbage\.json: not valid JSON/);
    expect(sim('--scenario', 'no-such-scenario').stderr).toMatch(
      /no-such-scenario\.json: no such file or directory \(scenarios: busy-desk, contention, home-office\)/,
    );
    expect(sim('--scenario', 'contention', '--bogus').status).toBe(2);
    expect(sim('--scenario', 'contention', '--link', '40g').stderr).toMatch(/--link "40g": must be one of/);
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
    expectRefusal(r, 'rules.json: invalid rule set: ');
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
