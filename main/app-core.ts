/**
 * The main side of the app, without any window: the dext in its worker (or in this thread),
 * the broker every client reaches it through, and the app's own agent — which hears the OS's
 * flow reports, resolves the rules and tells the driver through a user client like any other
 * client. Electron's main process and `npm run start:web` both run exactly this.
 */
import { memoryPair } from '../ipc/memory-pair.ts';
import { IOKitClient } from '../ipc/iokit-client.ts';
import { NetLanesClient } from '../ipc/netlanes-client.ts';
import { APP_ENTITLEMENTS } from '../driver-runtime/host/driver-client.ts';
import { LocalKernel, type KernelPort, type LocalKernelOptions } from '../driver-runtime/host/kernel-port.ts';
import { PolicyAgent, type AgentClock, type DriverCommands } from '../driver-runtime/host/policy-agent.ts';
import { EMPTY_RULE_SET, type RuleSet } from '../driver-runtime/rules/rule-types.ts';
import { minuteOfWeek } from '../driver-runtime/rules/schedule.ts';
import type { AppIdentity } from '../driver-runtime/abi/app-identity.ts';
import { Broker, type ClientIdentity, type AppRequestHandler } from './broker/broker.ts';
import { WorkerKernel } from './broker/worker-kernel.ts';
import { handleAppRequest } from './app-requests.ts';
import { Store } from './store/store.ts';
import { Recorder } from './store/recorder.ts';
import { driverEventLogger } from './store/driver-event-log.ts';
import type { BudgetNotice } from './store/budgets.ts';

export interface AppCoreOptions extends Omit<LocalKernelOptions, 'realTime'> {
  /** Run the dext in a worker thread (the app) or in this thread (tests). */
  worker?: boolean;
  /** The database (rules, history…); without it the app runs on `rules` alone. */
  store?: {
    file: string;
    /** better-sqlite3's binding for this runtime; a function may throw (no Electron build yet). */
    nativeBinding?: string | (() => string | undefined);
    notify?: (n: BudgetNotice) => void;
  };
  /** Recorder and housekeeping timers (off in tests that sample by hand). */
  recordEveryMs?: number;
}

/** OURS: housekeeping (a prune step, budget periods) every 5 s. */
const MAINTAIN_EVERY_MS = 5000;

/** The wall clock's local time of week and timers: what rule schedules run on in the app. */
export const wallClock: AgentClock = {
  now: () => performance.now() * 1e6,
  minuteOfWeek: () => {
    const d = new Date();
    return minuteOfWeek(d.getDay(), d.getHours(), d.getMinutes());
  },
  after: (delayNs, fn) => {
    const t = setTimeout(fn, delayNs / 1e6);
    return () => clearTimeout(t);
  },
};

/** OURS: how often, and how far apart, the agent tries to reach a dext that just restarted. */
const RECONNECT_ATTEMPTS = 50;
const RECONNECT_DELAY_MS = 100;

export class AppCore {
  readonly kernel: KernelPort;
  readonly broker: Broker;
  readonly agent: PolicyAgent;
  private client: NetLanesClient | null = null;
  private readonly commands: DriverCommands;
  /** Errors the agent's pushes met (the driver refused, or the dext was down). */
  readonly pushFailures: string[] = [];
  private disposed = false;
  /** The database, or null when it could not be opened (`storeError` says why). */
  store: Store | null = null;
  storeError: string | null = null;
  recorder: Recorder | null = null;
  private maintainTimer: ReturnType<typeof setInterval> | null = null;
  private storeBinding: string | undefined;

  private constructor(options: AppCoreOptions, clock: AgentClock) {
    this.kernel = options.worker
      ? new WorkerKernel(options)
      : new LocalKernel({ ...options, realTime: true });
    this.broker = new Broker(this.kernel, {
      appRequests: (op, args, progress) => this.appRequest(op, args, progress),
    });
    // The agent pushes through its own user client. Failures are kept; the returned promise
    // lets a caller that must know (the store applying a change) hear the driver's answer.
    const push = (what: string, send: (c: NetLanesClient) => Promise<void>): Promise<void> => {
      const c = this.client;
      const sent = c === null ? Promise.reject(new Error(`${what}: the driver is not attached`)) : send(c);
      sent.catch((e: unknown) =>
        this.pushFailures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`),
      );
      return sent;
    };
    this.commands = {
      setAppSettings: (g, s) => push('SetAppSettings', (c) => c.setAppSettings(g, s)),
      setFlows: (g, f) => push('SetFlows', (c) => c.setFlows(g, f)),
      setRuleSet: (g, j) => push('SetRuleSet', (c) => c.setRuleSet(g, j)),
    };
    this.agent = new PolicyAgent(this.commands, clock, { slots: 256 });
    this.kernel.onNotification((n) => {
      if (n.kind === 'flow-opened') this.agent.flowOpened(n.report);
      else if (n.kind === 'flow-closed') this.agent.flowClosed(n.flowId);
      else if (n.kind === 'restarted') {
        try {
          this.store?.events.append('driver', 'the driver restarted');
        } catch {
          /* a full disk: the restart goes on */
        }
        // In the simulation the whole machine rebooted, its host stack too: a new set of flows.
        this.agent.forgetFlows();
        void this.reconnectUntilUp();
      }
    });
  }

  /** Starts the dext and connects the app's agent to it. */
  static async start(options: AppCoreOptions, clock: AgentClock = wallClock): Promise<AppCore> {
    const core = new AppCore(options, clock);
    await core.reconnect();
    if (options.store) core.openStore(options.store, clock);
    if (core.store) {
      // SQLite is the source of truth: the driver gets what it holds.
      await core.store.rules.reapply('start').catch((e: unknown) => {
        core.pushFailures.push(`start: ${e instanceof Error ? e.message : String(e)}`);
      });
      await core.client?.subscribe(driverEventLogger(core.store.events));
      core.recorder = new Recorder(core, core.store);
      await core.recorder.start(options.recordEveryMs);
      if (options.recordEveryMs !== undefined) {
        const store = core.store;
        store.checkpointInBackground(core.storeBinding);
        core.maintainTimer = setInterval(() => {
          try {
            store.maintain();
          } catch {
            /* a full disk: the recorder reports it */
          }
        }, MAINTAIN_EVERY_MS);
      }
    } else void core.setRules(options.rules ?? EMPTY_RULE_SET);
    return core;
  }

  /** Opens the database; when it cannot be, the app runs on without it and says why. */
  private openStore(options: NonNullable<AppCoreOptions['store']>, clock: AgentClock): void {
    try {
      const binding =
        typeof options.nativeBinding === 'function' ? options.nativeBinding() : options.nativeBinding;
      this.store = Store.open({
        file: options.file,
        ...(binding !== undefined ? { nativeBinding: binding } : {}),
        ...(options.notify ? { notify: options.notify } : {}),
        apply: (rules) => this.setRules(rules),
        minuteOfWeek: () => clock.minuteOfWeek(),
      });
    } catch (e) {
      this.storeError = e instanceof Error ? e.message : String(e);
    }
  }

  /** A client of the app's own (in this thread): the agent, the recorder. */
  async connect(name: string): Promise<NetLanesClient> {
    const [clientSide, brokerSide] = memoryPair();
    this.broker.attach(brokerSide, { name, entitlements: APP_ENTITLEMENTS });
    return NetLanesClient.open(new IOKitClient(clientSide));
  }

  /** Opens the agent's connection (again, after the dext restarted) and pushes everything it holds. */
  private async reconnect(): Promise<void> {
    const old = this.client;
    this.client = null;
    if (old) void old.close().catch(() => undefined);
    this.client = await this.connect('agent');
    this.agent.resync();
    if (this.store) await this.client.subscribe(driverEventLogger(this.store.events));
  }

  /**
   * After a restart the new dext may die or reboot again before the agent is back: keep trying
   * (a few times, 100 ms apart) and record each failure rather than leave a rejection unheard.
   */
  private async reconnectUntilUp(): Promise<void> {
    for (let attempt = 0; attempt < RECONNECT_ATTEMPTS && !this.disposed; attempt++) {
      try {
        await this.reconnect();
        return;
      } catch (e) {
        this.pushFailures.push(`reconnect: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, RECONNECT_DELAY_MS));
      }
    }
  }

  attach(carrier: Parameters<Broker['attach']>[0], identity: ClientIdentity) {
    return this.broker.attach(carrier, identity);
  }

  /** Gives the driver a rule set; settles with its generation or the driver's refusal. */
  setRules(rules: RuleSet): Promise<number> {
    const answer = this.agent.setRules(rules);
    answer.catch(() => undefined); // kept in pushFailures; callers that care await it
    return answer;
  }

  /** The apps the agent has seen, with their slots. */
  apps(): { slot: number; identity: AppIdentity }[] {
    return this.agent.slots().map(([slot, identity]) => ({ slot, identity }));
  }

  private appRequest: AppRequestHandler = (op, args, progress) => handleAppRequest(this, op, args, progress);

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.maintainTimer !== null) clearInterval(this.maintainTimer);
    await this.recorder?.stop();
    await this.store?.closeAsync();
    this.agent.stop();
    await this.client?.close().catch(() => undefined);
    await this.broker.dispose();
    await this.kernel.dispose();
  }
}
