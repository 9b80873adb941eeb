import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compileRules,
  decide,
  matchRank,
  minuteOfWeek,
  minutesToNextChange,
  RuleSetError,
  scheduleActive,
  validateRuleSet,
  type AppIdentity,
  type Rule,
  type RuleSet,
} from '../../driver-runtime/rules/index.ts';
import { QUEUE_BY_SERVICE_CLASS } from '../../driver-runtime/abi/netlanes-abi.ts';

const facetime: AppIdentity = {
  appId: 1,
  name: 'FaceTime',
  bundleId: 'com.apple.FaceTime',
  executablePath: '/System/Applications/FaceTime.app/Contents/MacOS/FaceTime',
  pid: 101,
  teamId: 'APPLE00001',
  serviceClass: 800,
};
const backup: AppIdentity = {
  appId: 2,
  name: 'Backblaze',
  bundleId: 'com.backblaze.bzbmenu',
  executablePath: '/Library/Backblaze.bzpkg/bztransmit',
  pid: 102,
  serviceClass: 0,
};

function rule(partial: Partial<Rule> & Pick<Rule, 'id' | 'match' | 'priority'>): Rule {
  return { enabled: true, ...partial };
}
const set = (...rules: Rule[]): RuleSet => ({ version: 1, rules });
const FRI_10 = minuteOfWeek(5, 10, 0);
const FRI_20 = minuteOfWeek(5, 20, 0);

describe('rule matching precedence', () => {
  it('bundle id beats path, exact beats wildcard, longer prefix beats shorter', () => {
    const rules = set(
      rule({ id: 'path-exact', match: { path: facetime.executablePath }, priority: 'low' }),
      rule({ id: 'bundle-short', match: { bundleId: 'com.*' }, priority: 'normal' }),
      rule({ id: 'bundle-long', match: { bundleId: 'com.apple.*' }, priority: 'high' }),
    );
    expect(decide(rules, facetime, FRI_10).rule?.id).toBe('bundle-long');
    rules.rules.push(
      rule({ id: 'bundle-exact', match: { bundleId: 'com.apple.FaceTime' }, priority: 'highest' }),
    );
    expect(decide(rules, facetime, FRI_10).rule?.id).toBe('bundle-exact');
    expect(decide(set(rules.rules[0], rules.rules[1]), facetime, FRI_10).rule?.id).toBe('bundle-short');
  });

  it('team id must match and ranks above the same rule without it', () => {
    const plain = { bundleId: 'com.apple.FaceTime' };
    expect(matchRank({ ...plain, teamId: 'APPLE00001' }, facetime)).toBeGreaterThan(
      matchRank(plain, facetime),
    );
    expect(matchRank({ ...plain, teamId: 'OTHER00001' }, facetime)).toBe(-1);
  });

  it('disabled rules never match and explain says so', () => {
    const d = decide(
      set(rule({ id: 'off', match: { bundleId: 'com.apple.FaceTime' }, priority: 'low', enabled: false })),
      facetime,
      FRI_10,
    );
    expect(d.source).toBe('default');
    expect(d.queue).toBe(3); // VO folds to Queue 3
    expect(d.steps.join('\n')).toMatch(/"off" matches but is disabled/);
  });

  it('scheduled rule wins while active, then falls back to the unscheduled one', () => {
    const rules = set(
      rule({ id: 'always', match: { bundleId: 'com.backblaze.*' }, priority: 'normal' }),
      rule({
        id: 'work-hours',
        match: { bundleId: 'com.backblaze.*' },
        priority: 'low',
        schedule: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
      }),
    );
    expect(decide(rules, backup, FRI_10).rule?.id).toBe('work-hours');
    const evening = decide(rules, backup, FRI_20);
    expect(evening.rule?.id).toBe('always');
    expect(evening.steps.join('\n')).toMatch(/schedule is not active at Fri 20:00/);
  });

  it('explain gives the whole chain for a default decision', () => {
    const d = decide(set(), backup, FRI_10);
    expect(d.steps).toEqual([
      'identity: Backblaze (bundle com.backblaze.bzbmenu, path /Library/Backblaze.bzpkg/bztransmit)',
      'no enabled rule matches',
      'default: service class BE folds to Queue 1 (xnu 10 → 4)',
    ]);
  });
});

describe('schedules', () => {
  it('windows past midnight wrap to the next day, Saturday to Sunday', () => {
    const s = { days: ['sat' as const], start: '22:00', end: '02:00' };
    expect(scheduleActive(s, minuteOfWeek(6, 23, 0))).toBe(true);
    expect(scheduleActive(s, minuteOfWeek(0, 1, 59))).toBe(true);
    expect(scheduleActive(s, minuteOfWeek(0, 2, 0))).toBe(false);
    expect(scheduleActive(s, minuteOfWeek(6, 21, 59))).toBe(false);
  });

  it('minutesToNextChange lands exactly on a state change (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const, { minLength: 1 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 7 * 1440 - 1 }),
        (days, a, b, at) => {
          fc.pre(a !== b);
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const s = { days: [...days], start: hhmm(a), end: hhmm(b) };
          const d = minutesToNextChange(s, at);
          if (d === Infinity) {
            // Never changes: then it must be the same state at every minute of the week.
            const now = scheduleActive(s, at);
            for (let k = 0; k < 7 * 1440; k += 7) expect(scheduleActive(s, at + k)).toBe(now);
            return;
          }
          const before = scheduleActive(s, at);
          for (let k = 1; k < d; k++) expect(scheduleActive(s, at + k)).toBe(before);
          expect(scheduleActive(s, at + d)).toBe(!before);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rule set validation', () => {
  const good = {
    version: 1,
    rules: [{ id: 'a', match: { bundleId: 'com.a' }, priority: 'high', enabled: true }],
  };

  it('accepts a valid set', () => {
    expect(validateRuleSet(good).rules).toHaveLength(1);
  });

  it.each([
    [{ ...good.rules[0], priority: 'urgent' }, /rule "a" \(rules\[0\]\)\.priority/],
    [{ ...good.rules[0], capBps: -5 }, /rule "a" \(rules\[0\]\)\.capBps: must be at least 8000/],
    [{ ...good.rules[0], burstBytes: 4000 }, /burstBytes needs capBps/],
    [{ ...good.rules[0], match: {} }, /rules\[0\]\)\.match: needs a bundleId or a path/],
    [{ ...good.rules[0], match: { bundleId: 'com.*.x' } }, /only a trailing \* wildcard/],
    [
      { ...good.rules[0], schedule: { days: ['mon'], start: '25:00', end: '10:00' } },
      /schedule\.start: must be HH:MM/,
    ],
    [{ ...good.rules[0], colour: 'red' }, /Unrecognized key/],
  ])('refuses bad values naming rule and field (%#)', (bad, message) => {
    expect(() => validateRuleSet({ version: 1, rules: [bad] })).toThrow(message);
  });

  it('refuses duplicate ids and conflicting rules as a whole', () => {
    const dup = { version: 1, rules: [good.rules[0], { ...good.rules[0], priority: 'low' }] };
    try {
      validateRuleSet(dup);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleSetError);
      const problems = (e as RuleSetError).problems.join('\n');
      expect(problems).toMatch(/rules\[1\]\)\.id: duplicate of rules\[0\]/);
      expect(problems).toMatch(/conflicts with rule "a"/);
    }
  });

  it('a scheduled override of an unscheduled rule is not a conflict; overlapping schedules are', () => {
    const base = { match: { bundleId: 'com.a' }, enabled: true };
    const ok = {
      version: 1,
      rules: [
        { ...base, id: 'x', priority: 'normal' },
        { ...base, id: 'y', priority: 'low', schedule: { days: ['mon'], start: '09:00', end: '17:00' } },
      ],
    };
    expect(() => validateRuleSet(ok)).not.toThrow();
    ok.rules.push({
      ...base,
      id: 'z',
      priority: 'high',
      schedule: { days: ['mon'], start: '16:00', end: '18:00' },
    });
    expect(() => validateRuleSet(ok)).toThrow(/rule "z".*conflicts with rule "y"/);
  });
});

/** Slots as the agent gives them: here, each app's id. */
const slotted = (apps: AppIdentity[]) => apps.map((a) => [a.appId, a] as const);

describe('compiled tables', () => {
  it('maps apps with rules to queues and caps; others to the service-class sentinel', () => {
    const rules = set(
      rule({ id: 'bk', match: { bundleId: 'com.backblaze.*' }, priority: 'low', capBps: 10_000_000 }),
    );
    const c = compileRules(rules, slotted([facetime, backup]), FRI_10, 7);
    const of = (app: AppIdentity) => c.settings.find((x) => x.slot === app.appId)!;
    expect(c.generation).toBe(7);
    expect(of(facetime).queue).toBe(QUEUE_BY_SERVICE_CLASS);
    expect(of(facetime).reason).toBe('default');
    expect(of(backup).queue).toBe(0);
    expect(of(backup).capBps).toBe(10_000_000);
    expect(of(backup).burstBytes).toBe(12_500);
    expect(of(backup).reason).toBe('rule bk');
    expect(of(backup).label).toBe('com.backblaze.bzbmenu');
    expect(c.minutesValid).toBe(Infinity);
  });

  it('compiled tables agree with an independent model of the documented precedence (property)', () => {
    const apps: AppIdentity[] = [
      facetime,
      backup,
      {
        ...backup,
        appId: 3,
        bundleId: 'com.valvesoftware.steam',
        executablePath: '/Applications/Steam.app/Contents/MacOS/steam_osx',
        serviceClass: 700,
      },
    ];
    const ruleArb = fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      match: fc.oneof(
        fc.record({
          bundleId: fc.constantFrom(
            'com.*',
            'com.apple.*',
            'com.apple.FaceTime',
            'com.backblaze.*',
            'com.valvesoftware.steam',
          ),
        }),
        fc.record({ path: fc.constantFrom('/Applications/*', '/Library/*', '/', facetime.executablePath) }),
      ),
      priority: fc.constantFrom('low', 'normal', 'high', 'highest') as fc.Arbitrary<Rule['priority']>,
      enabled: fc.boolean(),
    });
    // The README's precedence, written independently: bundle exact > bundle wildcard (longer
    // prefix first) > path exact > path wildcard (longer prefix first); then list order.
    const tier = (pattern: string, value: string, exact: number, wild: number): [number, number] | null =>
      pattern.endsWith('*')
        ? value.startsWith(pattern.slice(0, -1))
          ? [wild, pattern.length - 1]
          : null
        : pattern === value
          ? [exact, 0]
          : null;
    const reference = (rules: Rule[], app: AppIdentity): number | null => {
      let best: { key: [number, number]; index: number; queue: number } | null = null;
      rules.forEach((r, index) => {
        if (!r.enabled) return;
        const key =
          r.match.bundleId !== undefined
            ? tier(r.match.bundleId, app.bundleId, 4, 3)
            : tier(r.match.path!, app.executablePath, 2, 1);
        if (key === null) return;
        const better =
          best === null || key[0] > best.key[0] || (key[0] === best.key[0] && key[1] > best.key[1]);
        if (better) best = { key, index, queue: ['low', 'normal', 'high', 'highest'].indexOf(r.priority) };
      });
      return best === null ? null : (best as { queue: number }).queue;
    };
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 6 }), (rules) => {
        const c = compileRules(set(...(rules as Rule[])), slotted(apps), FRI_10, 1);
        for (const app of apps) {
          const want = reference(rules as Rule[], app);
          const got = c.settings.find((x) => x.slot === app.appId)!.queue;
          expect(got).toBe(want === null ? QUEUE_BY_SERVICE_CLASS : want);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('properties of validation and explain', () => {
  const validRule = fc.record({
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
    match: fc.oneof(
      fc.record({ bundleId: fc.stringMatching(/^[a-z]{1,6}\.[a-z]{1,6}(\.\*)?$/) }),
      fc.record({ path: fc.stringMatching(/^\/[A-Za-z]{1,8}(\/\*)?$/) }),
    ),
    priority: fc.constantFrom('low', 'normal', 'high', 'highest'),
    enabled: fc.constant(true),
  });
  const uniqueRules = fc.uniqueArray(validRule, {
    maxLength: 6,
    selector: (r) => JSON.stringify(r.match),
  });

  it('every well-formed rule set with distinct ids and identities is accepted', () => {
    fc.assert(
      fc.property(uniqueRules, (rules) => {
        const withIds = rules.map((r, i) => ({ ...r, id: `${r.id}-${i}` }));
        expect(validateRuleSet({ version: 1, rules: withIds }).rules).toHaveLength(withIds.length);
      }),
    );
  });

  it('one bad field in any rule is refused, naming that rule and that field', () => {
    const corruptions = [
      ['priority', 'urgent'],
      ['capBps', -1],
      ['enabled', 'yes'],
      ['burstBytes', 10],
    ] as const;
    fc.assert(
      fc.property(
        uniqueRules.filter((r) => r.length > 0),
        fc.nat(),
        fc.constantFrom(...corruptions),
        (rules, pick, [field, value]) => {
          const withIds = rules.map((r, i) => ({ ...r, id: `r${i}` }));
          const i = pick % withIds.length;
          const bad = withIds.map((r, k) => (k === i ? { ...r, [field]: value } : r));
          expect(() => validateRuleSet({ version: 1, rules: bad })).toThrow(
            new RegExp(`rule "r${i}" \\(rules\\[${i}\\]\\)\\.${field}`),
          );
        },
      ),
    );
  });

  it('explain always starts at the identity and ends at the queue it decided', () => {
    fc.assert(
      fc.property(
        uniqueRules,
        fc.constantFrom(facetime, backup),
        fc.integer({ min: 0, max: 7 * 1440 - 1 }),
        (rules, app, at) => {
          const d = decide({ version: 1, rules }, app, at);
          expect(d.steps[0]).toMatch(/^identity: /);
          expect(d.steps.at(-1)).toMatch(new RegExp(`Queue ${d.queue}\\b`));
          expect(d.source === 'rule').toBe(d.rule !== null);
        },
      ),
    );
  });
});
