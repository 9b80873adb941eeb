/** The option parser holds every value to the range its table entry documents. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../main/cli/input-error.ts';
import { OPTIONS, type OptionName, type OptionSpec } from '../../main/cli/options.ts';
import { parseCli } from '../../main/cli/parse-cli.ts';

function refusal(...argv: string[]): string {
  try {
    parseCli(argv);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

const valueOptions = (Object.keys(OPTIONS) as OptionName[]).filter((n) => OPTIONS[n].value !== null);

describe('parseCli', () => {
  it.each(valueOptions)('--%s: a value out of range is refused with the option and its range', (name) => {
    const s: OptionSpec = OPTIONS[name];
    if (s.value === null) throw new Error('not a value option');
    // Every number, time, word and list refuses "-1"; paths refuse only the empty string.
    const bad = s.value.includes('FILE') ? '' : '-1';
    const args =
      name === 'scenario' ? [`--scenario=${bad}`] : ['--scenario', 'contention', `--${name}=${bad}`];
    expect(refusal(...args)).toMatch(new RegExp(`^--${name} "${bad}": (.*; )?must be `));
    expect(refusal(...args)).toContain(s.kind.range);
  });

  it('takes values at both ends of their ranges', () => {
    const cli = parseCli([
      '--scenario',
      'contention',
      '--duration',
      '3600s',
      '--seed',
      '4294967295',
      '--queue-limit',
      '3044',
      '--max-mbps',
      '10000,0,0,0.5',
      '--floors',
      '0.25,0.25,0.25,0.25',
      '--fault',
      'interrupt-storm@1s:v0:1000000',
    ]);
    expect(cli?.durationNs).toBe(3600e9);
    expect(cli?.seed).toBe(4294967295);
    expect(cli?.driver.maxBps).toEqual([10e9, 0, 0, 0.5e6]);
    expect(cli?.faults[0].count).toBe(1_000_000);
    expect(refusal('--scenario', 'contention', '--duration', '3600.001s')).toContain('--duration');
  });

  it('refuses repeats, flag values and a value that is really the next option', () => {
    expect(refusal('--scenario', 'a', '--seed', '1', '--seed', '2')).toBe('--seed is given more than once');
    expect(refusal('--scenario', 'a', '--json=yes')).toBe('--json takes no value');
    expect(refusal('--scenario', 'a', '--rules', '--json')).toMatch(/^--rules: missing FILE/);
    expect(refusal('--seed', '1')).toMatch(/^--scenario is required/);
  });

  it('--help asks for the help text', () => {
    expect(parseCli(['--help'])).toBeNull();
  });
});
