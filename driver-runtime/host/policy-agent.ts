/**
 * The app's side of per-app priority: it hears the OS's flow reports (5-tuple and the owning
 * app's identity), gives each app an accounting slot, resolves the rules for it, and tells the
 * driver — through its user client, never by reaching in — the settings of each slot and the
 * flow → slot entries. What a real companion app does with a Network Extension's flow reports.
 *
 * Between a flow's report and its entry reaching the driver lies an IPC round trip
 * (`pushDelayNs`); packets sent meanwhile take their service class's queue. The driver
 * measures that window per flow (StatsSnapshot.missWindow*).
 */
import type { AppIdentity } from '../abi/app-identity.ts';
import { FLOW_ADD, FLOW_REMOVE, type AppSettingRecord, type FlowEntryRecord } from '../abi/netlanes-abi.ts';
import type { FlowObserver, FlowReport } from '../stack/flow-observer.ts';
import { compileRules } from '../rules/compiled-rules.ts';
import { EMPTY_RULE_SET, type RuleSet } from '../rules/rule-types.ts';
import type { MinuteOfWeek } from '../rules/schedule.ts';

/** What the agent asks of the driver (a NetLanes client: in-process, across a worker, or remote). */
export interface DriverCommands {
  setAppSettings(generation: number, settings: readonly AppSettingRecord[]): void | Promise<void>;
  setFlows(generation: number, entries: readonly FlowEntryRecord[]): void | Promise<void>;
  setRuleSet(generation: number, json: string): void | Promise<void>;
}

/** Time as the agent sees it: the machine's clock and the local time of week for schedules. */
export interface AgentClock {
  now(): number;
  minuteOfWeek(): MinuteOfWeek;
  /** Runs `fn` after `delayNs`; returns a cancel function. */
  after(delayNs: number, fn: () => void): () => void;
}

export interface PolicyAgentOptions {
  /** Accounting slots the driver has (slot 0 is the system). */
  slots: number;
  /** Flow report → driver entry, ns (OURS default 100 µs: an XPC hop and an IOConnect call). */
  pushDelayNs?: number;
}

const DEFAULT_PUSH_DELAY_NS = 100_000;

/** The identity an app keeps across launches: its signing, not its pid. */
function identityKey(id: AppIdentity): string {
  return `${id.bundleId}\n${id.executablePath}\n${id.teamId ?? ''}`;
}

export class PolicyAgent implements FlowObserver {
  private readonly slotByKey = new Map<string, number>();
  private readonly identityBySlot = new Map<number, AppIdentity>();
  private readonly flows = new Map<number, FlowEntryRecord>();
  private pendingFlows: FlowEntryRecord[] = [];
  private settingsDirty = false;
  private rules: RuleSet = EMPTY_RULE_SET;
  private rulesGeneration = 0;
  private settingsGeneration = 0;
  private flowGeneration = 0;
  private cancelPush: (() => void) | null = null;
  private cancelEdge: (() => void) | null = null;
  private readonly pushDelayNs: number;

  constructor(
    private readonly driver: DriverCommands,
    private readonly clock: AgentClock,
    private readonly options: PolicyAgentOptions,
  ) {
    this.pushDelayNs = options.pushDelayNs ?? DEFAULT_PUSH_DELAY_NS;
  }

  get currentRules(): RuleSet {
    return this.rules;
  }

  /** The local time of week the agent resolves schedules at. */
  minuteNow(): MinuteOfWeek {
    return this.clock.minuteOfWeek();
  }

  /** The slot an identity is charged to, or 0 when the agent has not seen it. */
  slotOf(identity: AppIdentity): number {
    return this.slotByKey.get(identityKey(identity)) ?? 0;
  }

  identityOf(slot: number): AppIdentity | null {
    return this.identityBySlot.get(slot) ?? null;
  }

  /** Every slot the agent gave, with its identity. */
  slots(): [number, AppIdentity][] {
    return [...this.identityBySlot];
  }

  // ---------------------------------------------------------------- FlowObserver

  flowOpened(report: FlowReport): void {
    const slot = this.slotFor(report.identity);
    if (slot === 0) return; // out of slots: the flow keeps its service class
    const entry: FlowEntryRecord = {
      op: FLOW_ADD,
      protocol: report.protocol,
      localIp: report.localIp,
      remoteIp: report.remoteIp,
      localPort: report.localPort,
      remotePort: report.remotePort,
      slot,
      flowId: report.flowId,
    };
    this.flows.set(report.flowId, entry);
    this.pendingFlows.push(entry);
    this.schedulePush();
  }

  flowClosed(flowId: number): void {
    const entry = this.flows.get(flowId);
    if (entry === undefined) return;
    this.flows.delete(flowId);
    this.pendingFlows.push({ ...entry, op: FLOW_REMOVE });
    this.schedulePush();
  }

  // ---------------------------------------------------------------- rules

  /**
   * Applies a (validated) rule set now: the driver gets the stored rule set and every slot's
   * settings. The promise settles with the driver's answers (its rule-set generation, or the
   * refusal) for callers that must know; the agent holds the new rules either way.
   */
  setRules(rules: RuleSet): Promise<number> {
    this.rules = rules;
    const generation = ++this.rulesGeneration;
    const stored = this.driver.setRuleSet(generation, JSON.stringify(rules));
    const settings = this.pushSettings();
    return Promise.all([stored, settings]).then(() => generation);
  }

  /**
   * Everything the driver should hold, sent again (after a driver restart): the rule set, every
   * slot's settings and every open flow.
   */
  resync(): void {
    this.driver.setRuleSet(this.rulesGeneration, JSON.stringify(this.rules));
    this.pushSettings();
    this.driver.setFlows(++this.flowGeneration, [...this.flows.values()]);
  }

  /**
   * The host the flows lived on is gone (the simulated machine rebooted, its stack with it):
   * its flows will not close, so they are forgotten; the new host reports its own. Apps keep
   * their slots — an app's identity outlives any one run of it.
   */
  forgetFlows(): void {
    this.flows.clear();
    this.pendingFlows = [];
  }

  private slotFor(identity: AppIdentity): number {
    const key = identityKey(identity);
    const known = this.slotByKey.get(key);
    if (known !== undefined) return known;
    const slot = this.slotByKey.size + 1;
    if (slot >= this.options.slots) return 0;
    this.slotByKey.set(key, slot);
    this.identityBySlot.set(slot, identity);
    this.settingsDirty = true;
    return slot;
  }

  private schedulePush(): void {
    // No delay: push before the report returns, so the flow's first packet finds its entry.
    if (this.pushDelayNs === 0) return this.push();
    if (this.cancelPush !== null) return;
    this.cancelPush = this.clock.after(this.pushDelayNs, () => {
      this.cancelPush = null;
      this.push();
    });
  }

  private push(): void {
    // Settings first: a flow's slot has its queue before the flow's entry arrives.
    if (this.settingsDirty) this.pushSettings();
    const batch = this.pendingFlows;
    this.pendingFlows = [];
    if (batch.length > 0) this.driver.setFlows(++this.flowGeneration, batch);
  }

  private pushSettings(): void | Promise<void> {
    this.settingsDirty = false;
    const compiled = compileRules(
      this.rules,
      this.identityBySlot,
      this.clock.minuteOfWeek(),
      ++this.settingsGeneration,
    );
    const sent = this.driver.setAppSettings(compiled.generation, compiled.settings);
    this.cancelEdge?.();
    this.cancelEdge = null;
    if (compiled.minutesValid !== Infinity) {
      // Re-resolve at the schedule edge: the start of the minute it changes in.
      const now = this.clock.now();
      const edgeNs = (Math.floor(now / 60e9) + compiled.minutesValid) * 60e9;
      this.cancelEdge = this.clock.after(edgeNs - now, () => {
        this.cancelEdge = null;
        void this.pushSettings();
      });
    }
    return sent;
  }

  /** Stops the agent's timers (machine shutdown). */
  stop(): void {
    this.cancelPush?.();
    this.cancelEdge?.();
    this.cancelPush = null;
    this.cancelEdge = null;
  }
}
