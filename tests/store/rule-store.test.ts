/**
 * Rules and profiles: every change stored with its event and applied to the driver; a refusal
 * by the driver stores nothing; a failed write gives the driver its previous rules back;
 * imports are all or nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../driver-runtime/rules/rule-types.ts';
import type { Store } from '../../main/store/store.ts';
import { RulesDocumentError } from '../../main/store/rules-document.ts';
import { storeFixture, type Fixture } from './support/store-fixture.ts';

const rule = (id: string, bundleId: string, priority: Rule['priority'] = 'high'): Rule => ({
  id,
  match: { bundleId },
  priority,
  enabled: true,
});

let f: Fixture;
let store: Store;
afterEach(() => {
  store?.close();
  f?.cleanup();
});

function open(): Store {
  f ??= storeFixture();
  store = f.open();
  return store;
}

describe('rules in the store', () => {
  it('a change is stored with an event holding before and after, and the driver gets it', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos', 'highest'));
    await store.rules.putRule(rule('backup', 'com.apple.backupd', 'low'));
    expect(store.rules.rules().rules.map((r) => r.id)).toEqual(['zoom', 'backup']);
    expect(f.driver.applied.at(-1)).toEqual(store.rules.rules());
    expect(store.settings.get('appliedGeneration')).toBe(f.driver.generation);
    const [last] = store.events.list(1);
    expect(last.kind).toBe('rules');
    expect(last.before).toEqual({ version: 1, rules: [rule('zoom', 'us.zoom.xos', 'highest')] });
    expect(last.after).toEqual(store.rules.rules());
    // Replacing a rule keeps its place.
    await store.rules.putRule(rule('zoom', 'us.zoom.xos', 'high'));
    expect(store.rules.rules().rules.map((r) => [r.id, r.priority])).toEqual([
      ['zoom', 'high'],
      ['backup', 'low'],
    ]);
  });

  it('rules survive closing and reopening, and are what the driver is given at start', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos', 'highest'));
    store.close();
    f.driver.applied = [];
    open();
    await store.rules.reapply('start');
    expect(f.driver.applied).toEqual([{ version: 1, rules: [rule('zoom', 'us.zoom.xos', 'highest')] }]);
  });

  it('an invalid rule is refused with its problems and nothing changes', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    const applied = f.driver.applied.length;
    await expect(
      store.rules.putRule({ id: 'bad', match: {}, priority: 'urgent', enabled: true }),
    ).rejects.toThrow(/rule "bad".*priority|needs a bundleId/s);
    // Conflicting with an existing rule for the same app is refused too.
    await expect(store.rules.putRule(rule('zoom2', 'us.zoom.xos', 'low'))).rejects.toThrow(
      /conflicts with rule "zoom"/,
    );
    expect(store.rules.rules().rules.map((r) => r.id)).toEqual(['zoom']);
    expect(f.driver.applied.length).toBe(applied);
  });

  it('when the driver refuses, nothing is stored and its reason is returned', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    const events = store.events.list().length;
    f.driver.refuse = 'SetRuleSet: IOReturn 0xe00002d9';
    await expect(store.rules.putRule(rule('slack', 'com.tinyspeck.slackmacgap'))).rejects.toThrow(
      /driver refused the change, nothing was stored: SetRuleSet: IOReturn 0xe00002d9/,
    );
    expect(store.rules.rules().rules.map((r) => r.id)).toEqual(['zoom']);
    expect(store.events.list().length).toBe(events);
  });

  it('when the write fails (disk full), the driver is given the previous rules back', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    const before = store.rules.rules();
    // Fill the database to its page limit, as a full disk would.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    const big = Array.from({ length: 300 }, (_, i) => ({
      ...rule(`r${i}`, `com.example.app${i}`),
      name: 'x'.repeat(190),
    }));
    await expect(store.rules.setRules({ version: 1, rules: big })).rejects.toThrow(
      /could not be stored; the driver was given the previous rules back: database or disk is full/,
    );
    expect(store.rules.rules()).toEqual(before);
    expect(f.driver.applied.at(-1)).toEqual(before);
  });

  it('changes run one at a time, in call order', async () => {
    f = storeFixture();
    open();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.rules.putRule(rule(`r${i}`, `com.example.a${i}`))),
    );
    expect(store.rules.rules().rules.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    expect(f.driver.applied.map((s) => s.rules.length)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('profiles', () => {
  it('switching is one driver update with the new profile rules, and an event', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos', 'highest'));
    await store.rules.createProfile('Gaming');
    const applied = f.driver.applied.length;
    const switched = await store.rules.switchProfile('gaming');
    expect(switched.name).toBe('Gaming');
    expect(f.driver.applied.length).toBe(applied + 1);
    expect(f.driver.applied.at(-1)).toEqual({ version: 1, rules: [] });
    await store.rules.putRule(rule('game', 'com.valve.steam', 'highest'));
    await store.rules.switchProfile('Default');
    expect(f.driver.applied.at(-1)).toEqual({ version: 1, rules: [rule('zoom', 'us.zoom.xos', 'highest')] });
    expect(store.events.list(1)[0]).toMatchObject({
      kind: 'profile',
      message: 'profile "Gaming" → "Default"',
    });
    expect(store.rules.profiles().map((p) => [p.name, p.ruleCount, p.active])).toEqual([
      ['Default', 1, true],
      ['Gaming', 1, false],
    ]);
  });

  it('a profile copies another, the active one cannot be deleted, names are unique', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    await store.rules.createProfile('Work', 'Default');
    expect(store.rules.rules(store.rules.profiles()[1].id).rules).toHaveLength(1);
    await expect(store.rules.createProfile('work')).rejects.toThrow(/exists/);
    await expect(store.rules.createProfile('   ')).rejects.toThrow(/must not be empty/);
    await expect(store.rules.deleteProfile('Default')).rejects.toThrow(/active profile/);
    await store.rules.renameProfile('Work', 'Calls');
    await store.rules.deleteProfile('Calls');
    expect(store.rules.profiles().map((p) => p.name)).toEqual(['Default']);
  });

  it('pause gives the driver no rules; resume gives them back', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    await store.rules.setPaused(true);
    expect(f.driver.applied.at(-1)).toEqual({ version: 1, rules: [] });
    expect(store.settings.get('paused')).toBe(true);
    await store.rules.setPaused(false);
    expect(f.driver.applied.at(-1)?.rules).toHaveLength(1);
  });
});

describe('import and export', () => {
  it('an export imports back to the same rules and profiles', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos', 'highest'));
    await store.rules.createProfile('Gaming');
    const doc = store.rules.exportDocument();
    store.close();
    f.cleanup();
    f = storeFixture();
    open();
    const result = await store.rules.importDocument(JSON.stringify(doc));
    expect(result).toEqual({ profiles: 2, rules: 1, active: 'Default' });
    const again = store.rules.exportDocument();
    expect({ ...again, exportedAt: '' }).toEqual({ ...doc, exportedAt: '' });
  });

  it('a malformed or partly invalid file is refused whole, naming every problem; nothing changes', async () => {
    f = storeFixture();
    open();
    await store.rules.putRule(rule('zoom', 'us.zoom.xos'));
    const before = store.rules.exportDocument();
    const applied = f.driver.applied.length;
    const bad = {
      format: 'netlanes-rules',
      version: 1,
      activeProfile: 'Nope',
      profiles: [
        { name: 'Work', rules: [rule('ok', 'com.example.ok')] },
        { name: 'Calls', rules: [{ ...rule('bad', 'com.example.bad'), priority: 'urgent' }] },
        { name: 'work', rules: [] },
      ],
    };
    const attempt = store.rules.importDocument(bad);
    await expect(attempt).rejects.toThrow(RulesDocumentError);
    const problems = await attempt.catch((e: RulesDocumentError) => e.problems);
    expect(problems).toEqual([
      expect.stringMatching(/^profiles\[1\] "Calls": rule "bad" \(rules\[0\]\)\.priority/),
      expect.stringMatching(/^profiles\[2\] "work": same name as profiles\[0\]/),
      'activeProfile: "Nope" is not one of the file\'s profiles',
    ]);
    await expect(store.rules.importDocument('{"format": "netlanes-rules", ')).rejects.toThrow(/not JSON/);
    await expect(store.rules.importDocument({ format: 'other', version: 2, profiles: [] })).rejects.toThrow(
      /format/,
    );
    expect({ ...store.rules.exportDocument(), exportedAt: '' }).toEqual({ ...before, exportedAt: '' });
    expect(f.driver.applied.length).toBe(applied);
  });
});

describe('the README', () => {
  it('its rules-file example is a file the app accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseRulesDocument } = await import('../../main/store/rules-document.ts');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Rules files'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    expect(parseRulesDocument(example).profiles.map((p) => p.name)).toEqual(['Calls', 'Backups at night']);
  });
});
