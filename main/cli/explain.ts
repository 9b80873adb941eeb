import { decide } from '../../driver-runtime/rules/rule-matching.ts';
import { minuteOfWeek } from '../../driver-runtime/rules/schedule.ts';
import type { RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import { appConfigsFromScenario, type Scenario } from '../../driver-runtime/stack/scenario.ts';
import { identitiesFor } from '../../driver-runtime/stack/app-numbering.ts';

/** `--explain`: each app's decision chain at the run's start time (Tuesday 10:00 local). */
export function explainText(scenario: Scenario, rules: RuleSet): string {
  const at = minuteOfWeek(2, 10, 0);
  return identitiesFor(appConfigsFromScenario(scenario))
    .map((app) => {
      const d = decide(rules, app, at);
      return [`${app.name} → Queue ${d.queue} (${d.level})`, ...d.steps.map((s) => `    ${s}`)].join('\n');
    })
    .join('\n');
}
