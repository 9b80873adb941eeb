import { Scheduler } from '../sim/scheduler.ts';
import { LINK_BPS, type LinkSpeed } from '../sim/units.ts';
import { HostMemory } from '../sim/host-memory.ts';
import { createRuntime, liveObjectCount, withRuntime, type DextRuntime } from '../kit/runtime.ts';
import { ioReturnName, kIOReturnSuccess } from '../kit/io-return.ts';
import { SimNic } from '../device/sim-nic.ts';
import { IOPCIDevice } from '../pci/io-pci-device.ts';
import { NetLanesDriver } from '../driver/netlanes-driver.ts';
import type { DriverOptions } from '../driver/driver-options.ts';
import { HostStack } from '../stack/host-stack.ts';
import { LinkPartner } from '../peer/link-partner.ts';
import { WireTap } from '../peer/wire-tap.ts';
import { appConfigsFromScenario, type Scenario } from '../stack/scenario.ts';
import { parseMac } from '../net/mac.ts';
import { EMPTY_RULE_SET, type AppIdentity, type RuleSet } from '../rules/rule-types.ts';
import { MINUTES_PER_WEEK, minuteOfWeek, type MinuteOfWeek } from '../rules/schedule.ts';
import type { StatsView } from '../abi/stats-layout.ts';
import { IORegistry } from './io-registry.ts';
import { DextKernel, type KernelNotification } from './dext-kernel.ts';
import { APP_ENTITLEMENTS, DriverClient } from './driver-client.ts';
import { PolicyAgent, type AgentClock } from './policy-agent.ts';
import type { FlowObserver } from '../stack/flow-observer.ts';

export interface MachineOptions {
  scenario: Scenario;
  /**
   * The first connection handle this machine's kernel gives out. A machine that replaces
   * another (a restart, a new workload) starts past the old one's, so a stale handle never
   * names a new connection — as Mach port names are not reused at once.
   */
  firstConnection?: number;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Overrides the scenario's link speed. */
  link?: LinkSpeed;
  driver?: Partial<DriverOptions>;
  /** Capture both wire directions as pcap. */
  capture?: boolean;
  rules?: RuleSet;
  /** Local time at virtual time 0, for rule schedules (default Tuesday 10:00). */
  startMinuteOfWeek?: MinuteOfWeek;
  memoryBytes?: number;
  /**
   * The link partner and stack verify every frame's checksums (default true): test
   * machinery, not data path, so benchmarks turn it off.
   */
  verifyChecksums?: boolean;
  /** Back host memory with a SharedArrayBuffer (the app's worker shares it with main). */
  sharedMemory?: boolean;
  /** Interrupt to handler wake-up, ns (default 2 µs; see DextRuntime.interruptWakeLatencyNs). */
  interruptWakeLatencyNs?: number;
  /** Flow report → the driver's flow entry, ns (the agent's IPC round trip; default 100 µs). */
  flowPushDelayNs?: number;
  /**
   * Where flow reports go when the app's agent lives elsewhere (the app's main thread, for a
   * machine in a worker); the machine then has no agent of its own and rules come through a
   * user client.
   */
  observer?: FlowObserver;
  /**
   * Run the data path frame by frame: every burst-wise shortcut off (the NIC's run-ahead and
   * the others listed in `setPerFrame`). Same observable results, slower; the golden tests
   * (tests/perf-golden/) hold the two modes to byte-identical output.
   */
  perFrame?: boolean;
}

/**
 * OURS: a dext's interrupt thread wakes a couple of microseconds after the MSI-X message (a
 * kernel wake-up and a context switch); messages arriving meanwhile coalesce into one handler
 * call, as a real interrupt storm does.
 */
export const DEFAULT_INTERRUPT_WAKE_NS = 2000;

/** What `shutdown` found: a clean machine has zeros everywhere. */
export interface LeakReport {
  liveObjects: number;
  liveObjectsByClass: Record<string, number>;
  poolPacketsInUse: number;
  hostAllocations: number;
  pendingEvents: number;
}

/**
 * One simulated computer: the NIC on a PCI bus, our driver on the DriverKit model, the
 * host stack with the scenario's apps, and the link partner at the far end of the wire.
 * Everything runs on one scheduler in virtual time; `run` advances it.
 */
export class Machine {
  readonly scheduler: Scheduler;
  readonly memory: HostMemory;
  readonly runtime: DextRuntime;
  readonly nic: SimNic;
  readonly pci: IOPCIDevice;
  /** The dext: the host starts and stops it as the system would; everything else goes through `client`. */
  readonly driver: NetLanesDriver;
  readonly stack: HostStack;
  readonly partner: LinkPartner;
  readonly tap: WireTap | null;
  readonly scenario: Scenario;
  readonly link: LinkSpeed;
  readonly seed: number;
  /** The apps' identities, as the stack numbers them. */
  readonly apps: readonly AppIdentity[];
  /** The I/O Registry and the kernel's user-client machinery of this machine. */
  readonly registry = new IORegistry();
  readonly kernel: DextKernel;
  /** The app's connection to the dext (a NetLanes user client). */
  readonly client: DriverClient;
  /** The app's side of per-app priority: flow reports in, settings and flow entries out (null when it lives elsewhere). */
  private readonly localAgent: PolicyAgent | null;
  /** The driver's statistics region, mapped read-only (IOConnectMapMemory64). */
  readonly stats: StatsView;
  /** The run's driver sends everything on one queue (the FIFO baseline). */
  readonly singleQueue: boolean;
  private readonly startMinute: MinuteOfWeek;
  private readonly clients = new Map<number, DriverClient>();
  private shutDown = false;
  /** Notifications for connections opened by others (the broker's clients). */
  onKernelNotification: ((n: KernelNotification) => void) | null = null;

  private constructor(options: MachineOptions) {
    const scenario = options.scenario;
    this.scenario = scenario;
    this.link = options.link ?? scenario.link;
    this.seed = options.seed ?? scenario.seed ?? 1;
    this.startMinute = options.startMinuteOfWeek ?? minuteOfWeek(2, 10, 0);
    this.singleQueue = options.driver?.singleQueue ?? false;
    this.scheduler = new Scheduler(4096);
    this.memory = new HostMemory({
      size: options.memoryBytes ?? 64 * 1024 * 1024,
      shared: options.sharedMemory ?? false,
    });
    this.runtime = createRuntime(this.scheduler, this.memory);
    this.runtime.interruptWakeLatencyNs = options.interruptWakeLatencyNs ?? DEFAULT_INTERRUPT_WAKE_NS;
    this.runtime.tracer.clock = () => this.scheduler.now;
    this.kernel = new DextKernel(this.runtime, this.registry, options.firstConnection ?? 1, (n) => {
      const client = this.clients.get(n.connection);
      if (client) client.notified(n);
      else this.onKernelNotification?.(n);
    });
    const mac = macBytes(scenario.host.mac);
    // Assignments inside withRuntime: TypeScript needs them definite, so build in a local.
    const built = withRuntime(this.runtime, () => {
      const nic = new SimNic({ mac, linkSpeed: this.link });
      const pci = IOPCIDevice.createFor(this.runtime, nic);
      this.registry.add(pci);
      const driver = new NetLanesDriver(options.driver ?? {});
      driver.registry = this.registry;
      const ret = driver.Start(pci);
      if (ret !== kIOReturnSuccess) throw new Error(`driver Start failed: ${ioReturnName(ret)}`);
      // ifconfig en0 up: the system enables the interface, not the app.
      const enable = driver.SetInterfaceEnable(true);
      if (enable !== kIOReturnSuccess) throw new Error(`SetInterfaceEnable failed: ${ioReturnName(enable)}`);
      nic.setLink(true, this.link);
      const tap = options.capture ? new WireTap() : null;
      const partner = new LinkPartner({
        scheduler: this.scheduler,
        linkBps: LINK_BPS[this.link],
        mac: scenario.peer.mac,
        ip: scenario.peer.ip,
        nic,
        tap,
        verifyChecksums: options.verifyChecksums ?? true,
      });
      nic.connectWire(partner);
      return { nic, pci, driver, tap, partner };
    });
    this.nic = built.nic;
    this.pci = built.pci;
    this.driver = built.driver;
    this.tap = built.tap;
    this.partner = built.partner;
    this.client = this.openClient();
    const slots = this.client.info().appSlots;
    this.stats = this.client.mapStats(slots);
    this.localAgent = options.observer
      ? null
      : new PolicyAgent(this.client, this.agentClock(), {
          slots,
          ...(options.flowPushDelayNs !== undefined ? { pushDelayNs: options.flowPushDelayNs } : {}),
        });
    this.stack = withRuntime(
      this.runtime,
      () =>
        new HostStack({
          iface: this.driver,
          hostIp: scenario.host.ip,
          peerIp: scenario.peer.ip,
          apps: appConfigsFromScenario(scenario),
          seed: this.seed,
          flowSource: this.partner,
          verifyRxChecksums: options.verifyChecksums ?? true,
          observer: options.observer ?? this.localAgent,
        }),
    );
    this.apps = this.stack.identities;
    if (options.perFrame) this.setPerFrame();
    if (this.localAgent) this.setRules(options.rules ?? EMPTY_RULE_SET);
    withRuntime(this.runtime, () => this.stack.start());
  }

  /** Every burst-wise shortcut of the data path off: the reference the golden tests compare with. */
  private setPerFrame(): void {
    this.nic.core.tx.runAhead = false;
    this.nic.core.tx.burst = false;
    this.nic.core.tx.fetch.wholePacketPath = false;
    this.partner.fastSink = false;
    this.partner.runAhead = false;
    this.driver.setBurstMode(false);
    this.stack.setTemplateReuse(false);
    this.stack.setRxFastPath(false);
  }

  /** Builds and starts a machine; throws with the IOReturn name if the driver fails to start. */
  static boot(options: MachineOptions): Machine {
    return new Machine(options);
  }

  /** IOServiceOpen on the NetLanes dext with the app's entitlements; closed at shutdown. */
  openClient(entitlements = APP_ENTITLEMENTS): DriverClient {
    const client = DriverClient.open(this.kernel, entitlements);
    this.clients.set(client.connection, client);
    return client;
  }

  /** The in-process agent (deterministic runs); throws for a machine whose agent lives elsewhere. */
  get agent(): PolicyAgent {
    if (this.localAgent === null) throw new Error('this machine reports flows to an agent elsewhere');
    return this.localAgent;
  }

  private agentClock(): AgentClock {
    return {
      now: () => this.scheduler.now,
      minuteOfWeek: () => this.minuteOfWeek,
      after: (delayNs, fn) => {
        const id = this.scheduler.after(delayNs, { onEvent: () => this.within(fn) }, 0);
        return () => this.scheduler.cancel(id);
      },
    };
  }

  /** Local time now, for schedules. */
  get minuteOfWeek(): MinuteOfWeek {
    return (this.startMinute + Math.floor(this.scheduler.now / 60e9)) % MINUTES_PER_WEEK;
  }

  get currentRules(): RuleSet {
    return this.localAgent?.currentRules ?? EMPTY_RULE_SET;
  }

  /**
   * Applies a (validated) rule set now, while traffic flows, as the app does: the agent sends
   * the settings through the user client, and the driver applies them on its queue before the
   * next packet — so the change is in force when this returns. Re-applied at schedule edges.
   */
  setRules(rules: RuleSet): void {
    this.within(() => this.agent.setRules(rules));
    this.settle();
  }

  /** Runs what is due now (async completions, work a call queued on the driver). */
  settle(): void {
    withRuntime(this.runtime, () => this.scheduler.runUntil(this.scheduler.now));
  }

  /** Runs every event due up to virtual time `timeNs` (the real-time pacer's step). */
  runTo(timeNs: number): void {
    withRuntime(this.runtime, () => this.scheduler.runUntil(timeNs));
  }

  /** Advances virtual time by `durationNs`, running every event due. */
  run(durationNs: number): void {
    withRuntime(this.runtime, () => this.scheduler.runUntil(this.scheduler.now + durationNs));
  }

  /** Runs `fn` inside this machine's runtime (DriverKit calls from outside a run). */
  within<T>(fn: () => T): T {
    return withRuntime(this.runtime, fn);
  }

  /** Stops the apps and runs until every outstanding Tx packet is back (or `limitNs` passes). */
  drain(limitNs = 1e9): void {
    this.within(() => this.stack.stop());
    const deadline = this.scheduler.now + limitNs;
    const step = 1e6;
    while (this.scheduler.now < deadline && this.stack.accounting().inFlight > 0) this.run(step);
    this.run(step);
  }

  /**
   * Stops everything in the order a real system would (apps, clients, interface down, driver
   * Stop, device released) and reports whatever is left: a clean machine leaks nothing.
   */
  shutdown(): LeakReport {
    if (this.shutDown) throw new Error('machine already shut down');
    this.shutDown = true;
    if (!this.stack.isStopped) this.drain();
    this.localAgent?.stop();
    return withRuntime(this.runtime, () => {
      this.stack.detach();
      this.nic.connectWire(null);
      for (const c of this.clients.values()) if (!c.terminated) c.close();
      this.clients.clear();
      this.driver.SetInterfaceEnable(false);
      this.stack.reclaimQueues();
      const pool = this.driver.packetPool;
      const poolPacketsInUse = pool ? pool.inUse : 0;
      this.kernel.dispose();
      this.driver.Stop(this.pci);
      this.driver.release();
      this.registry.remove(this.pci);
      this.pci.release();
      this.scheduler.runUntil(this.scheduler.now + 1e6);
      return {
        liveObjects: liveObjectCount(this.runtime),
        liveObjectsByClass: Object.fromEntries(this.runtime.liveObjects),
        poolPacketsInUse,
        hostAllocations: this.memory.allocationCount,
        pendingEvents: this.scheduler.pending,
      };
    });
  }
}

function macBytes(text: string): Uint8Array {
  const mac = parseMac(text);
  const bytes = new Uint8Array(6);
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff;
  return bytes;
}
