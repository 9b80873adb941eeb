/**
 * `npm run sim -- --help`, printed from the option table and the scenario schema's ranges so
 * the documented range of every option and scenario field is the enforced one.
 */
import { rangeText, SCENARIO_RANGES } from '../../driver-runtime/stack/scenario.ts';
import { EXIT } from './exit-status.ts';
import { OPTIONS, type OptionName, type OptionSpec } from './options.ts';

const INDENT = ' '.repeat(25);
const WIDTH = 100;

/** Word-wraps `text` to WIDTH after a first line that starts at INDENT. */
function wrap(text: string): string[] {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== '' && INDENT.length + last.length + 1 + word.length > WIDTH) lines.push(word);
    else lines[lines.length - 1] = last === '' ? word : `${last} ${word}`;
  }
  return lines;
}

function optionLines(name: OptionName): string[] {
  const s: OptionSpec = OPTIONS[name];
  const head = `  --${name}${s.value === null ? '' : ` ${s.value}`}`;
  const [first, ...rest] = wrap(s.help);
  const lines = [`${head.padEnd(INDENT.length - 1)} ${first}`, ...rest.map((l) => INDENT + l)];
  if (s.value !== null) {
    // Ranges are never wrapped, so a reader (and the test) finds each whole.
    lines.push(`${INDENT}range: ${s.kind.range}`);
    if (s.default !== undefined) lines.push(`${INDENT}default: ${s.default}`);
  }
  return lines;
}

function scenarioLines(): string[] {
  const entries = Object.entries(SCENARIO_RANGES);
  const width = Math.max(...entries.map(([path]) => path.length));
  return entries.map(([path, r]) => `  ${path.padEnd(width)}  ${rangeText(r)}  (${r.why})`);
}

export function helpText(): string {
  return [
    'usage: npm run sim -- --scenario NAME|FILE [options]',
    '',
    'Runs a scenario on the simulated machine (NIC + DriverKit runtime + NetLanes driver + host',
    'stack) in deterministic virtual time and prints what each application got.',
    '',
    ...(Object.keys(OPTIONS) as OptionName[]).flatMap(optionLines),
    '',
    'Scenario file fields (JSON; a file outside these ranges is refused, naming the field):',
    ...scenarioLines(),
    '',
    `Exit status: ${EXIT.ok} on success, ${EXIT.leaks} if shutdown found leaked objects, packets or host memory,`,
    `${EXIT.refused} when an option, input file or output path is refused (one line on stderr says which and why),`,
    `${EXIT.internal} on an internal error (a bug; its stack trace follows).`,
  ].join('\n');
}
