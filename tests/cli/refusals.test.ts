/**
 * Bad input to `npm run sim` is refused before anything runs: exit status 2, one line on
 * stderr naming the file, field or option (and its range), no stack trace, and no hang.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { expectRefusal, ROOT, sim } from './run-sim.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'netlanes-refusals-'));
const asRoot = process.getuid?.() === 0; // root reads and writes through any permission bits

/** contention.json with one change, written to `name` in the scratch directory. */
function scenarioWith(name: string, change: (s: { apps: { traffic: Record<string, number> }[] }) => void) {
  const s = JSON.parse(readFileSync(path.join(ROOT, 'scenarios/contention.json'), 'utf8'));
  change(s);
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(s));
  return file;
}

describe('input files are checked and named', () => {
  it.each(['--scenario', '--rules', '--compare'])('%s naming a directory', (opt) => {
    const args = opt === '--scenario' ? [opt, dir] : ['--scenario', 'contention', opt, dir];
    expectRefusal(sim(...args), `sim: ${dir}: is a directory`);
  });

  it('a missing rules file', () => {
    const file = path.join(dir, 'missing.json');
    expectRefusal(sim('--scenario', 'contention', '--rules', file), `${file}: no such file`);
  });

  it('malformed JSON spread over lines still gives one line', () => {
    const file = path.join(dir, 'broken.json');
    // V8 quotes the text around the error, newlines included.
    writeFileSync(file, '{\n  "version": 1,\n  "rules": ]\n}\n');
    expectRefusal(sim('--scenario', 'contention', '--compare', file), `${file}: not valid JSON`);
  });

  it('a file that cannot be opened (symlink loop)', () => {
    const a = path.join(dir, 'loop-a.json');
    const b = path.join(dir, 'loop-b.json');
    symlinkSync(b, a);
    symlinkSync(a, b);
    expectRefusal(sim('--scenario', a), `${a}: too many levels of symbolic links`);
  });

  it.skipIf(asRoot)('an unreadable file', () => {
    const file = path.join(dir, 'secret.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o000);
    expectRefusal(sim('--scenario', 'contention', '--rules', file), `${file}: permission denied`);
  });
});

describe('--pcap is checked before the run starts', () => {
  // An hour of virtual time: if the path were checked only after the run, the guard would kill it.
  const pcap = (p: string) => sim('--scenario', 'contention', '--duration', '3600s', '--pcap', p);

  it('in a missing directory', () => {
    const p = path.join(dir, 'no-such-dir', 'out.pcap');
    expectRefusal(pcap(p), `${p}: cannot write: no such file`);
  });

  it('naming a directory', () => {
    expectRefusal(pcap(dir), `${dir}: cannot write: is a directory`);
  });

  it('under a file', () => {
    const file = path.join(dir, 'plain.txt');
    writeFileSync(file, '');
    expectRefusal(pcap(path.join(file, 'out.pcap')), `${file}/out.pcap: cannot write`);
  });

  it.skipIf(asRoot)('in a read-only directory', () => {
    const ro = path.join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    expectRefusal(pcap(path.join(ro, 'out.pcap')), `${ro}/out.pcap: cannot write: permission denied`);
  });
});

describe('option values outside their range', () => {
  it.each([
    [['--seed', '-1'], '--seed "-1": must be an integer 0..4294967295'],
    [['--seed=-1'], '--seed "-1": must be an integer 0..4294967295'],
    [['--seed', '2.5'], '--seed "2.5": must be an integer 0..4294967295'],
    [['--duration', '1000000000000s'], '--duration "1000000000000s": must be 1ns..3600s'],
    [['--duration', 'soon'], '--duration "soon": not a duration; must be 1ns..3600s'],
    [['--duration'], '--duration: missing TIME'],
    [['--quanta', '1,2'], '--quanta "1,2": 2 values, not four'],
    [['--scheduler', 'drr', '--quanta', '0,0,0,0'], '--quanta "0,0,0,0": drr needs a quantum above 0'],
    [['--max-mbps', '20000,0,0,0'], '--max-mbps "20000,0,0,0": must be four values'],
    [
      ['--fault', 'interrupt-storm@1ms:v0:100000000000'],
      '--fault "interrupt-storm@1ms:v0:100000000000": COUNT out of range; must be KIND@TIME',
    ],
    [['--fault', 'meltdown@1s'], '--fault "meltdown@1s": unknown kind "meltdown"'],
    [['--bogus'], 'unknown option --bogus'],
    [['home-office'], 'unexpected argument "home-office"'],
  ])('%j', (args, message) => {
    expectRefusal(sim('--scenario', 'contention', ...args), `sim: ${message}`);
  });
});

describe('scenario values outside their range are refused, not run', () => {
  it.each([
    ['rate', 0, 'rateBps', 1e30, 'must be 1..10000000000 b/s'],
    ['gap', 2, 'meanGapUs', 0.001, 'must be 1..3600000000 µs'],
    ['burst', 2, 'burstPackets', 1e9, 'must be an integer 1..1024 packets'],
  ] as const)('%s', (name, app, field, value, message) => {
    const file = scenarioWith(`${name}.json`, (s) => (s.apps[app].traffic[field] = value));
    expectRefusal(sim('--scenario', file), `${file}: apps[${app}].traffic.${field}: ${message}`);
  });
});
