import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario, type Scenario } from '../../driver-runtime/stack/scenario.ts';

export function scenario(name: string): Scenario {
  const file = path.resolve(import.meta.dirname, '../../scenarios', `${name}.json`);
  return parseScenario(JSON.parse(readFileSync(file, 'utf8')), `${name}.json`);
}
