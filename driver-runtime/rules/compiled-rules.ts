import { levelToQueue, type AppIdentity, type RuleSet } from './rule-types.ts';
import { decide } from './rule-matching.ts';
import { minutesToNextChange, type MinuteOfWeek } from './schedule.ts';
import { QUEUE_FROM_SERVICE_CLASS, type AppSettingsTable } from '../abi/app-settings.ts';

export { QUEUE_FROM_SERVICE_CLASS };

/**
 * A rule set resolved for the apps known at one moment, as the settings table the driver
 * takes. Rebuilt on every rule change, app launch and schedule edge.
 */
export interface CompiledRules extends AppSettingsTable {
  /** Minutes until a schedule edge changes some decision (Infinity if never). */
  minutesValid: number;
}

export function compileRules(
  set: RuleSet,
  apps: readonly AppIdentity[],
  at: MinuteOfWeek,
  generation: number,
): CompiledRules {
  const size = apps.reduce((m, a) => Math.max(m, a.appId), 0) + 1;
  const compiled: CompiledRules = {
    generation,
    queueByApp: new Uint8Array(size).fill(QUEUE_FROM_SERVICE_CLASS),
    capBpsByApp: new Float64Array(size),
    burstBytesByApp: new Float64Array(size),
    minutesValid: Infinity,
  };
  for (const app of apps) {
    const d = decide(set, app, at);
    if (d.rule === null) continue;
    compiled.queueByApp[app.appId] = levelToQueue(d.rule.priority);
    if (d.rule.capBps !== undefined) {
      compiled.capBpsByApp[app.appId] = d.rule.capBps;
      compiled.burstBytesByApp[app.appId] = d.rule.burstBytes ?? defaultBurstBytes(d.rule.capBps);
    }
  }
  for (const rule of set.rules) {
    if (rule.enabled)
      compiled.minutesValid = Math.min(compiled.minutesValid, minutesToNextChange(rule.schedule, at));
  }
  return compiled;
}

/** 10 ms of traffic at the cap, and never less than two full-size frames. */
export function defaultBurstBytes(capBps: number): number {
  return Math.max(2 * 1522, Math.ceil((capBps / 8) * 0.01));
}
