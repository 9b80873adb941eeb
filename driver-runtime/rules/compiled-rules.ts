import { levelToQueue, type AppIdentity, type RuleSet } from './rule-types.ts';
import { decide } from './rule-matching.ts';
import { minutesToNextChange, type MinuteOfWeek } from './schedule.ts';
import { QUEUE_BY_SERVICE_CLASS, SETTING_IN_USE, type AppSettingRecord } from '../abi/netlanes-abi.ts';

/**
 * A rule set resolved, at one moment, for the apps the app side has given accounting slots:
 * one settings record per slot, as the driver takes them (queue, cap, and for explain the
 * app's bundle id and the deciding rule). Rebuilt on every rule change, new app and schedule
 * edge; `generation` tells versions apart.
 */
export interface CompiledRules {
  generation: number;
  settings: AppSettingRecord[];
  /** Minutes until a schedule edge changes some decision (Infinity if never). */
  minutesValid: number;
}

export function compileRules(
  set: RuleSet,
  slots: Iterable<readonly [number, AppIdentity]>,
  at: MinuteOfWeek,
  generation: number,
): CompiledRules {
  const settings: AppSettingRecord[] = [];
  for (const [slot, app] of slots) {
    const d = decide(set, app, at);
    const rule = d.rule;
    const capBps = rule?.capBps ?? 0;
    settings.push({
      slot,
      // No rule: the driver folds the packet's own service class, as it does for unknown flows.
      queue: rule === null ? QUEUE_BY_SERVICE_CLASS : levelToQueue(rule.priority),
      flags: SETTING_IN_USE,
      capBps,
      burstBytes: capBps > 0 ? (rule?.burstBytes ?? defaultBurstBytes(capBps)) : 0,
      label: app.bundleId,
      reason: rule === null ? 'default' : `rule ${rule.id}`,
    });
  }
  let minutesValid = Infinity;
  for (const rule of set.rules)
    if (rule.enabled) minutesValid = Math.min(minutesValid, minutesToNextChange(rule.schedule, at));
  return { generation, settings, minutesValid };
}

/** 10 ms of traffic at the cap, and never less than two full-size frames. */
export function defaultBurstBytes(capBps: number): number {
  return Math.max(2 * 1522, Math.ceil((capBps / 8) * 0.01));
}
