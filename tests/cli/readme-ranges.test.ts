/** README's "Running a scenario" tables show the ranges the code enforces, not stale copies. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS, type OptionName, type OptionSpec } from '../../main/cli/options.ts';
import { rangeText, SCENARIO_RANGES } from '../../driver-runtime/stack/scenario.ts';

const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Running a scenario'),
  readme.indexOf('\n## ', readme.indexOf('## Running a scenario') + 1),
);

/** A markdown table row `| `first` | second |`, cells padded as prettier pads them. */
function row(first: string, second: string): RegExp {
  const cell = (t: string) => t.replaceAll('|', '\\|').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\| \`${cell(first)}\` +\\| ${cell(second)} +\\|`, 'm');
}

describe('README ranges', () => {
  it('lists every option that takes a value, with its range', () => {
    for (const name of Object.keys(OPTIONS) as OptionName[]) {
      const s: OptionSpec = OPTIONS[name];
      if (s.value !== null) expect(section).toMatch(row(`--${name} ${s.value}`, s.kind.range));
    }
  });

  it('lists every scenario field with its range', () => {
    for (const [field, r] of Object.entries(SCENARIO_RANGES))
      expect(section).toMatch(row(field, rangeText(r)));
  });
});
