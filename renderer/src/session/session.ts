/**
 * The page's session with NetLanes, outside React: connect, open the driver's and the lab's
 * user clients, map the statistics region, sample it a few times a second, follow the
 * driver's events, and refresh the apps the agent has seen. When the dext restarts it opens
 * everything again; when the connection is lost it says so and keeps the last figures.
 * Screens read `getSnapshot()` (useSyncExternalStore) and act through the methods.
 */
import { NetLanesClient } from '../../../ipc/netlanes-client.ts';
import { LabClient } from '../../../ipc/lab-client.ts';
import type { MappedMemory } from '../../../ipc/replica.ts';
import { EventKind, MemoryType, type DriverInfo } from '../../../driver-runtime/abi/netlanes-abi.ts';
import { StatsView } from '../../../driver-runtime/abi/stats-layout.ts';
import { connect } from '../connection.ts';
import { reason } from '../format.ts';
import type { Priority } from '../lanes.ts';
import {
  EMPTY_RULES,
  appRowSchema,
  appRuleId,
  ruleSetSchema,
  type AppRow,
  type RuleSet,
} from './app-data.ts';
import { CallLog, type LoggedIOKitClient } from './call-log.ts';
import { EVENTS_KEPT, driverEvent, localEvent, type EventItem, type Severity } from './events.ts';
import { LiveSampler, SAMPLE_MS, type LaneLive, type SlotLive } from './live-stats.ts';
import {
  budgetSchema,
  profilesSchema,
  storeStatusSchema,
  storedEventSchema,
  type Budget,
  type Profiles,
  type StoreStatus,
  type StoredEvent,
} from './store-data.ts';

export type Phase = 'connecting' | 'live' | 'restarting' | 'lost' | 'failed';

export interface AppView extends AppRow {
  live: SlotLive;
}

export interface Snapshot {
  phase: Phase;
  error?: string;
  /** Counts (re)openings: a new boot of the dext means new handles and mappings. */
  boot: number;
  info?: DriverInfo;
  scenario?: string;
  lanes: LaneLive[];
  apps: AppView[];
  rules: RuleSet;
  events: EventItem[];
  /** The database's side: whether it is there, its profiles, budgets, and budget notices. */
  store: StoreView;
}

export interface StoreView {
  status: StoreStatus | null;
  profiles: Profiles | null;
  budgets: Budget[];
  /** Budget warnings and actions not dismissed yet, newest first (the in-page notification). */
  notices: StoredEvent[];
}

const NO_STORE: StoreView = { status: null, profiles: null, budgets: [], notices: [] };

/** Apps, rules and info refresh every this many samples (2 s). */
const REFRESH_EVERY = 4;
/** After a dext restart: attempts to open it again, and the pause between them (OURS). */
const REOPEN_ATTEMPTS = 40;
const REOPEN_DELAY_MS = 250;

const IDLE_SLOT: SlotLive = {
  txBps: 0,
  rxBps: 0,
  txHistory: [],
  rxHistory: [],
  queue: -1,
  sending: false,
  drops: 0,
  p50: null,
  p99: null,
  meanNs: null,
  packetsInWindow: 0,
};

const idleLanes = (): LaneLive[] =>
  [0, 1, 2, 3].map((queue) => ({ queue, txBps: 0, queuedBytes: 0, drops: 0, history: [] }));

export class Session {
  readonly log = new CallLog();
  private snap: Snapshot = {
    phase: 'connecting',
    boot: 0,
    lanes: idleLanes(),
    apps: [],
    rules: EMPTY_RULES,
    events: [],
    store: NO_STORE,
  };
  /** The newest budget event already seen (notices are the ones after it). */
  private lastBudgetEvent = -1;
  private readonly listeners = new Set<() => void>();
  private iokitClient: LoggedIOKitClient | null = null;
  private nlClient: NetLanesClient | null = null;
  private labClient: LabClient | null = null;
  private stats: { memory: MappedMemory; view: StatsView } | null = null;
  private sampler = new LiveSampler();
  private rows: AppRow[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private refreshing = false;
  private lastSequence = 0;
  private opening = false;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snap;

  get iokit(): LoggedIOKitClient | null {
    return this.iokitClient;
  }
  get nl(): NetLanesClient | null {
    return this.nlClient;
  }
  get lab(): LabClient | null {
    return this.labClient;
  }

  private set(patch: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  /** Connects and starts sampling. */
  async start(): Promise<void> {
    this.set({ phase: 'connecting', error: undefined });
    try {
      const iokit = await connect(() => this.lost(), this.log);
      this.iokitClient = iokit;
      iokit.onTerminated(() => {
        if (this.snap.phase === 'live') {
          this.set({ phase: 'restarting' });
          this.note(
            'app',
            'driver stopped',
            'The driver stopped; NetLanes restarts it and re-applies the rules.',
            'warn',
          );
        }
      });
      iokit.onRestarted(() => void this.reopen());
      await this.open();
      clearInterval(this.timer);
      this.timer = setInterval(() => this.tick(), SAMPLE_MS);
    } catch (e) {
      this.set({ phase: 'failed', error: reason(e) });
    }
  }

  /** After a lost connection or a failure: start again. */
  retry(): void {
    clearInterval(this.timer);
    this.iokitClient?.close();
    void this.start();
  }

  private lost(): void {
    clearInterval(this.timer);
    if (this.snap.phase !== 'failed') this.set({ phase: 'lost' });
  }

  /** Opens the driver (and the lab, when there is one), maps the statistics, follows events. */
  private async open(): Promise<void> {
    const iokit = this.iokitClient!;
    const nl = await NetLanesClient.open(iokit);
    const info = await nl.info();
    const memory = await nl.map(MemoryType.Stats);
    let lab: LabClient | null = null;
    try {
      lab = await LabClient.open(iokit);
    } catch {
      lab = null; // a real card has no lab: the Lab screen says so
    }
    this.nlClient = nl;
    this.labClient = lab;
    this.stats = { memory, view: new StatsView(memory.bytes.buffer, memory.bytes.byteOffset, info.appSlots) };
    this.sampler = new LiveSampler();
    this.lastSequence = 0;
    await nl.subscribe((args) => this.heard(args));
    this.set({ boot: this.snap.boot + 1, info });
    await Promise.all([this.fetchEvents(), this.refresh()]);
    this.sample();
    this.set({ phase: 'live', error: undefined });
  }

  private async reopen(): Promise<void> {
    if (this.opening) return;
    this.opening = true;
    this.set({ phase: 'restarting' });
    try {
      for (let attempt = 0; attempt < REOPEN_ATTEMPTS; attempt++) {
        try {
          await this.open();
          this.note('app', 'driver restarted', 'Reconnected to the new driver instance.');
          return;
        } catch {
          await new Promise((r) => setTimeout(r, REOPEN_DELAY_MS));
        }
      }
      this.set({ phase: 'failed', error: 'the driver restarted but could not be opened again' });
    } finally {
      this.opening = false;
    }
  }

  private heard(args: readonly number[]): void {
    switch (args[0]) {
      case EventKind.Driver:
        void this.fetchEvents();
        return;
      case EventKind.Link:
        void this.refreshInfo();
        return;
      case EventKind.Generation:
        void this.refresh();
        return;
      case EventKind.FlowTablePressure:
        this.note('app', 'flow table', `${args[1]} of ${args[2]} entries in use, ${args[3]} evicted`, 'warn');
        return;
    }
  }

  private async fetchEvents(): Promise<void> {
    const nl = this.nlClient;
    if (nl === null) return;
    const boot = this.snap.boot;
    const records = await nl.events(this.lastSequence).catch(() => []);
    const fresh = records.filter((r) => r.sequence > this.lastSequence);
    if (fresh.length === 0 || boot !== this.snap.boot) return;
    this.lastSequence = Math.max(...fresh.map((r) => r.sequence));
    this.push(fresh.map((r) => driverEvent(r, boot)));
  }

  private push(items: EventItem[]): void {
    this.set({ events: [...this.snap.events, ...items].slice(-EVENTS_KEPT) });
  }

  /** Adds a line of our own to the event stream (an action, its outcome). */
  note(source: 'you' | 'app', name: string, detail: string, severity: Severity = 'info'): void {
    this.push([localEvent(source, name, detail, severity)]);
  }

  private async refreshInfo(): Promise<void> {
    const nl = this.nlClient;
    if (nl === null) return;
    try {
      this.set({ info: await nl.info() });
    } catch {
      /* the dext is going away: the restart path takes over */
    }
  }

  /** The apps, the rules, the driver's info and the lab's scenario, now. */
  async refresh(): Promise<void> {
    const iokit = this.iokitClient;
    if (iokit === null || this.refreshing) return;
    this.refreshing = true;
    try {
      const [apps, rules, status] = await Promise.all([
        iokit.appRequest('apps', {}),
        iokit.appRequest('rules', {}),
        this.labClient?.status().catch(() => null) ?? null,
      ]);
      this.rows = appRowSchema.array().parse(apps);
      this.set({ rules: ruleSetSchema.parse(rules), ...(status ? { scenario: status.scenario } : {}) });
      await this.refreshInfo();
      await this.refreshStore();
    } catch {
      /* kept: the last answer stands until the next one */
    } finally {
      this.refreshing = false;
    }
  }

  /** Profiles, budgets and new budget notices from the database (when there is one). */
  async refreshStore(): Promise<void> {
    const iokit = this.iokitClient;
    if (iokit === null) return;
    try {
      const status = storeStatusSchema.parse(await iokit.appRequest('storeStatus', {}));
      if (!status.available) {
        this.set({ store: { ...NO_STORE, status } });
        return;
      }
      const [profiles, budgets, events] = await Promise.all([
        iokit.appRequest('profiles', {}),
        iokit.appRequest('budgets', {}),
        iokit.appRequest('events', { limit: 50 }),
      ]);
      const budgetEvents = storedEventSchema
        .array()
        .parse(events)
        .filter((e) => e.kind === 'budget' && /used|reached|lifted/.test(e.message));
      const newest = budgetEvents[0]?.id ?? this.lastBudgetEvent;
      // The first answer only sets the mark: notices are what happens while the page is open.
      const fresh = this.lastBudgetEvent < 0 ? [] : budgetEvents.filter((e) => e.id > this.lastBudgetEvent);
      this.lastBudgetEvent = Math.max(this.lastBudgetEvent, newest, 0);
      this.set({
        store: {
          status,
          profiles: profilesSchema.parse(profiles),
          budgets: budgetSchema.array().parse(budgets),
          notices: [...fresh, ...this.snap.store.notices].slice(0, 5),
        },
      });
    } catch {
      /* kept: the last answer stands */
    }
  }

  dismissNotice(id: number): void {
    this.set({ store: { ...this.snap.store, notices: this.snap.store.notices.filter((n) => n.id !== id) } });
  }

  /** An app request of the store's (history, settings, budgets…), answered as it comes. */
  async request(op: string, args: unknown = {}): Promise<unknown> {
    return this.need().appRequest(op, args);
  }

  /** A change to the rules' side (profile switch, import, pause): everything is read again after it. */
  async change(op: string, args: unknown = {}): Promise<unknown> {
    const answer = await this.need().appRequest(op, args);
    await this.refresh();
    return answer;
  }

  private tick(): void {
    if (this.snap.phase !== 'live') return;
    this.sample();
    if (++this.ticks % REFRESH_EVERY === 0) void this.refresh();
  }

  private sample(): void {
    const s = this.stats;
    if (s === null || !s.memory.isAttached) return;
    const { lanes, apps } = this.sampler.sample(
      s.view,
      this.rows.map((r) => r.slot),
    );
    this.set({ lanes, apps: this.rows.map((r) => ({ ...r, live: apps.get(r.slot) ?? IDLE_SLOT })) });
  }

  /** Puts an app in a lane (and keeps or sets its cap); resolves once the agent took it. */
  async setApp(app: AppRow, priority: Priority, capBps?: number | null): Promise<RuleSet> {
    const iokit = this.need();
    const current = this.snap.rules.rules.find((r) => r.id === appRuleId(app.bundleId));
    const cap = capBps === undefined ? current?.capBps : (capBps ?? undefined);
    const next = ruleSetSchema.parse(
      await iokit.appRequest('setApp', { app: app.slot, priority, ...(cap ? { capBps: cap } : {}) }),
    );
    this.set({ rules: next });
    await this.refresh();
    return next;
  }

  /** Replaces the whole rule set (bulk changes, undo). */
  async setRules(rules: RuleSet): Promise<RuleSet> {
    const next = ruleSetSchema.parse(await this.need().appRequest('setRules', rules));
    this.set({ rules: next });
    await this.refresh();
    return next;
  }

  private need(): LoggedIOKitClient {
    if (this.iokitClient === null || this.snap.phase !== 'live')
      throw new Error('NetLanes is not connected right now');
    return this.iokitClient;
  }
}
