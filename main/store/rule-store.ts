/**
 * Rules and profiles, stored and applied as one. Every change: validated whole, sent to the
 * driver, then written with its event in one transaction. If the driver refuses, nothing is
 * written and its error is returned; if the write fails (disk full…), the driver is given the
 * previous rule set back before the error is returned — so the stored and the applied rule
 * sets never disagree for longer than the call. Changes run one at a time.
 */
import type Database from 'better-sqlite3';
import { RuleSetError, validateRuleSet } from '../../driver-runtime/rules/rule-validation.ts';
import { EMPTY_RULE_SET, type Rule, type RuleSet } from '../../driver-runtime/rules/rule-types.ts';
import type { EventLog } from './event-log.ts';
import type { SettingsStore } from './settings-store.ts';
import { Serial } from './serial.ts';
import {
  RULES_DOCUMENT_VERSION,
  RULES_FORMAT,
  parseRulesDocument,
  profileNameSchema,
  type RulesDocument,
} from './rules-document.ts';

/** Gives the driver a rule set; resolves with the generation it reports, rejects if it refuses. */
export type RuleApplier = (rules: RuleSet) => Promise<number>;

/** What sits on top of the active profile's rules (budget actions), given those rules. */
export type RuleOverlay = (profileRules: RuleSet) => RuleSet;

export class RuleStoreError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}:\n  ${problems.join('\n  ')}` : message);
    this.name = 'RuleStoreError';
  }
}

export interface ProfileSummary {
  id: number;
  name: string;
  ruleCount: number;
  active: boolean;
}

export const DEFAULT_PROFILE = 'Default';

/** One change: what to write, what the driver should then hold, and the event that says so. */
interface Change {
  kind: 'rules' | 'profile' | 'driver';
  message: string;
  write: () => void;
  /** The active profile's rules after the change (the stored ones when omitted). */
  rules?: RuleSet;
  paused?: boolean;
  before?: unknown;
  after?: unknown;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class RuleStore {
  private readonly serial = new Serial();
  private cachedActive: number | null = null;
  private overlay: RuleOverlay = (r) => r;
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
    private readonly settings: SettingsStore,
    private readonly apply: RuleApplier,
    private readonly now: () => number,
  ) {
    this.q = {
      profiles: db.prepare<[], { id: number; name: string; n: number }>(
        'SELECT p.id, p.name, (SELECT count(*) FROM rules r WHERE r.profile_id = p.id) AS n FROM profiles p ORDER BY p.id',
      ),
      profileByName: db.prepare<[string], { id: number; name: string }>(
        'SELECT id, name FROM profiles WHERE name = ?',
      ),
      profileById: db.prepare<[number], { id: number; name: string }>(
        'SELECT id, name FROM profiles WHERE id = ?',
      ),
      insertProfile: db.prepare<[string, number]>('INSERT INTO profiles (name, created_at) VALUES (?, ?)'),
      renameProfile: db.prepare<[string, number]>('UPDATE profiles SET name = ? WHERE id = ?'),
      deleteProfile: db.prepare<[number]>('DELETE FROM profiles WHERE id = ?'),
      rules: db.prepare<[number], { body: string }>(
        'SELECT body FROM rules WHERE profile_id = ? ORDER BY position',
      ),
      clearRules: db.prepare<[number]>('DELETE FROM rules WHERE profile_id = ?'),
      insertRule: db.prepare<[number, number, string, string]>(
        'INSERT INTO rules (profile_id, position, id, body) VALUES (?, ?, ?, ?)',
      ),
    };
    if (this.q.profiles.all().length === 0)
      this.db.transaction(() => {
        const id = Number(this.q.insertProfile.run(DEFAULT_PROFILE, now()).lastInsertRowid);
        this.settings.set('activeProfile', id);
      })();
  }

  /** Budget actions and the like, layered over the profile's rules in what the driver gets. */
  setOverlay(overlay: RuleOverlay): void {
    this.overlay = overlay;
  }

  // ------------------------------------------------------------------ reading

  profiles(): ProfileSummary[] {
    const active = this.activeProfileId();
    return this.q.profiles
      .all()
      .map((p) => ({ id: p.id, name: p.name, ruleCount: p.n, active: p.id === active }));
  }

  activeProfile(): { id: number; name: string } {
    const id = this.activeProfileId();
    const row = this.q.profileById.get(id);
    if (row === undefined) throw new RuleStoreError(`the active profile ${id} is missing`);
    return row;
  }

  /** The stored rules of a profile (the active one by default). */
  rules(profileId = this.activeProfileId()): RuleSet {
    return { version: 1, rules: this.q.rules.all(profileId).map((r) => JSON.parse(r.body) as Rule) };
  }

  /** What the driver should hold now: nothing while paused, else the overlay over the active rules. */
  effective(): RuleSet {
    return this.settings.get('paused') ? EMPTY_RULE_SET : this.overlay(this.rules());
  }

  exportDocument(): RulesDocument {
    return {
      format: RULES_FORMAT,
      version: RULES_DOCUMENT_VERSION,
      exportedAt: new Date(this.now()).toISOString(),
      activeProfile: this.activeProfile().name,
      profiles: this.q.profiles.all().map((p) => ({ name: p.name, rules: this.rules(p.id).rules })),
    };
  }

  // ------------------------------------------------------------------ changing

  /** Gives the driver what the store holds (at start, after a restart, when the overlay changed). */
  reapply(why: string): Promise<number> {
    return this.serial.run(() => this.change({ kind: 'driver', message: why, write: () => undefined }));
  }

  /** Replaces the active profile's rules. */
  setRules(input: unknown): Promise<RuleSet> {
    return this.serial.run(async () => {
      const next = this.validated(input);
      const profile = this.activeProfile();
      const before = this.rules(profile.id);
      await this.change({
        kind: 'rules',
        message: `rules of "${profile.name}" changed`,
        write: () => this.writeRules(profile.id, next),
        rules: next,
        before,
        after: next,
      });
      return next;
    });
  }

  /** Adds or replaces one rule (by id) in the active profile. */
  putRule(rule: unknown): Promise<RuleSet> {
    return this.serial.run(async () => {
      const profile = this.activeProfile();
      const before = this.rules(profile.id);
      const id = (rule as { id?: unknown } | null)?.id;
      const rules = before.rules.filter((r) => r.id !== id);
      const at = before.rules.findIndex((r) => r.id === id);
      rules.splice(at < 0 ? rules.length : at, 0, rule as Rule);
      const next = this.validated({ version: 1, rules });
      await this.change({
        kind: 'rules',
        message: `rule "${String(id)}" set in "${profile.name}"`,
        write: () => this.writeRules(profile.id, next),
        rules: next,
        before,
        after: next,
      });
      return next;
    });
  }

  deleteRule(id: string): Promise<RuleSet> {
    return this.serial.run(async () => {
      const profile = this.activeProfile();
      const before = this.rules(profile.id);
      if (!before.rules.some((r) => r.id === id))
        throw new RuleStoreError(`no rule "${id}" in "${profile.name}"`);
      const next: RuleSet = { version: 1, rules: before.rules.filter((r) => r.id !== id) };
      await this.change({
        kind: 'rules',
        message: `rule "${id}" removed from "${profile.name}"`,
        write: () => this.writeRules(profile.id, next),
        rules: next,
        before,
        after: next,
      });
      return next;
    });
  }

  createProfile(rawName: string, copyFrom?: string): Promise<ProfileSummary> {
    return this.serial.run(async () => {
      const name = this.profileName(rawName);
      if (this.q.profileByName.get(name)) throw new RuleStoreError(`a profile named "${name}" exists`);
      const source = copyFrom === undefined ? EMPTY_RULE_SET : this.rules(this.profileNamed(copyFrom).id);
      let id = 0;
      this.db.transaction(() => {
        id = Number(this.q.insertProfile.run(name, this.now()).lastInsertRowid);
        this.writeRules(id, source);
        this.events.append('profile', `profile "${name}" created`, undefined, source);
      })();
      return { id, name, ruleCount: source.rules.length, active: false };
    });
  }

  renameProfile(from: string, to: string): Promise<void> {
    return this.serial.run(async () => {
      const profile = this.profileNamed(from);
      const name = this.profileName(to);
      const clash = this.q.profileByName.get(name);
      if (clash && clash.id !== profile.id) throw new RuleStoreError(`a profile named "${name}" exists`);
      this.db.transaction(() => {
        this.q.renameProfile.run(name, profile.id);
        this.events.append('profile', `profile "${profile.name}" renamed to "${name}"`);
      })();
    });
  }

  deleteProfile(name: string): Promise<void> {
    return this.serial.run(async () => {
      const profile = this.profileNamed(name);
      if (profile.id === this.activeProfileId())
        throw new RuleStoreError(`"${profile.name}" is the active profile: switch to another one first`);
      const before = this.rules(profile.id);
      this.db.transaction(() => {
        this.q.deleteProfile.run(profile.id);
        this.events.append('profile', `profile "${profile.name}" deleted`, before);
      })();
    });
  }

  /** Makes another profile active: one transaction and one driver update. */
  switchProfile(name: string): Promise<ProfileSummary> {
    return this.serial.run(async () => {
      const target = this.profileNamed(name);
      const from = this.activeProfile();
      const rules = this.rules(target.id);
      await this.change({
        kind: 'profile',
        message: `profile "${from.name}" → "${target.name}"`,
        write: () => this.settings.set('activeProfile', target.id),
        rules,
        before: { profile: from.name, rules: this.rules(from.id) },
        after: { profile: target.name, rules },
      });
      return { id: target.id, name: target.name, ruleCount: rules.rules.length, active: true };
    });
  }

  /** Imports a rules file: all of it or nothing (see rules-document.ts). */
  importDocument(input: unknown): Promise<{ profiles: number; rules: number; active: string }> {
    return this.serial.run(async () => {
      const doc = parseRulesDocument(input);
      const active = this.activeProfile();
      const activeName = doc.activeProfile ?? active.name;
      const incoming = doc.profiles.find((p) => p.name.toLowerCase() === activeName.toLowerCase());
      const nextActiveRules = incoming
        ? { version: 1 as const, rules: incoming.rules }
        : this.rules(active.id);
      const before = this.exportDocument();
      await this.change({
        kind: 'rules',
        message: `rules imported (${doc.profiles.length} profiles)`,
        write: () => {
          for (const p of doc.profiles) {
            const existing = this.q.profileByName.get(p.name);
            const id = existing?.id ?? Number(this.q.insertProfile.run(p.name, this.now()).lastInsertRowid);
            this.writeRules(id, { version: 1, rules: p.rules });
          }
          const target = this.q.profileByName.get(activeName);
          if (target) this.settings.set('activeProfile', target.id);
        },
        rules: nextActiveRules,
        before,
        after: doc,
      });
      return {
        profiles: doc.profiles.length,
        rules: doc.profiles.reduce((n, p) => n + p.rules.length, 0),
        active: this.activeProfile().name,
      };
    });
  }

  /** Pauses every rule (the tray's "pause all"), or resumes them. */
  setPaused(paused: boolean): Promise<void> {
    return this.serial.run(async () => {
      if (this.settings.get('paused') === paused) return;
      await this.change({
        kind: 'rules',
        message: paused ? 'all rules paused' : 'rules resumed',
        write: () => this.settings.set('paused', paused),
        paused,
      });
    });
  }

  // ------------------------------------------------------------------ the one way a change happens

  /**
   * Applies the next state (profile rules, pause) under the overlay to the driver, then runs
   * `write` and the event in one transaction; gives the driver the previous rules back if that fails.
   */
  private async change(c: Change): Promise<number> {
    const previous = this.effective();
    const paused = c.paused ?? this.settings.get('paused');
    const next = paused ? EMPTY_RULE_SET : this.overlay(c.rules ?? this.rules());
    try {
      validateRuleSet(next);
    } catch (e) {
      throw new RuleStoreError(
        'the rules with budget actions applied are invalid',
        e instanceof RuleSetError ? e.problems : [String(e)],
      );
    }
    let generation: number;
    try {
      generation = await this.apply(next);
    } catch (e) {
      throw new RuleStoreError(`the driver refused the change, nothing was stored: ${message(e)}`);
    }
    try {
      this.cachedActive = null;
      this.db.transaction(() => {
        c.write();
        this.settings.set('appliedGeneration', generation);
        if (c.kind !== 'driver') this.events.append(c.kind, c.message, c.before, c.after);
      })();
    } catch (e) {
      await this.apply(previous).catch(() => undefined);
      throw new RuleStoreError(
        `the change could not be stored; the driver was given the previous rules back: ${message(e)}`,
      );
    }
    this.cachedActive = null;
    return generation;
  }

  private writeRules(profileId: number, rules: RuleSet): void {
    this.q.clearRules.run(profileId);
    rules.rules.forEach((r, i) => this.q.insertRule.run(profileId, i, r.id, JSON.stringify(r)));
  }

  private validated(input: unknown): RuleSet {
    try {
      return validateRuleSet(input);
    } catch (e) {
      throw new RuleStoreError(
        'the rules were refused, nothing changed',
        e instanceof RuleSetError ? e.problems : [String(e)],
      );
    }
  }

  /** The active profile's id (cached: the per-second history writes ask for it). */
  activeProfileId(): number {
    if (this.cachedActive !== null) return this.cachedActive;
    this.cachedActive = this.findActiveProfileId();
    return this.cachedActive;
  }

  private findActiveProfileId(): number {
    const id = this.settings.get('activeProfile');
    if (id !== 0 && this.q.profileById.get(id)) return id;
    const first = this.q.profiles.all()[0];
    if (first === undefined) throw new RuleStoreError('no profile exists');
    return first.id;
  }

  private profileNamed(name: string): { id: number; name: string } {
    const row = this.q.profileByName.get(name.trim());
    if (row === undefined) throw new RuleStoreError(`no profile named "${name}"`);
    return row;
  }

  private profileName(raw: string): string {
    const parsed = profileNameSchema.safeParse(raw);
    if (!parsed.success) throw new RuleStoreError(`profile name: ${parsed.error.issues[0].message}`);
    return parsed.data;
  }
}
