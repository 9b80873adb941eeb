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
import { compileRules } from '../rules/compiled-rules.ts';
import { EMPTY_RULE_SET, type AppIdentity, type RuleSet } from '../rules/rule-types.ts';
import { MINUTES_PER_WEEK, minuteOfWeek, type MinuteOfWeek } from '../rules/schedule.ts';
import type { EventHandler } from '../sim/scheduler.ts';

export interface MachineOptions {
  scenario: Scenario;
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
}

/**
 * OURS: a dext's interrupt thread wakes a couple of microseconds after the MSI-X message (a
 * kernel wake-up and a context switch); messages arriving meanwhile coalesce into one handler
 * call, as a real interrupt storm does.
 */
const DEFAULT_INTERRUPT_WAKE_NS = 2000;

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
  readonly driver: NetLanesDriver;
  readonly stack: HostStack;
  readonly partner: LinkPartner;
  readonly tap: WireTap | null;
  readonly scenario: Scenario;
  readonly link: LinkSpeed;
  readonly seed: number;
  /** The apps' identities, as the stack numbers them. */
  readonly apps: readonly AppIdentity[];
  private rules: RuleSet = EMPTY_RULE_SET;
  private rulesGeneration = 0;
  private readonly startMinute: MinuteOfWeek;
  private scheduleTimer = -1;
  private shutDown = false;

  private constructor(options: MachineOptions) {
    const scenario = options.scenario;
    this.scenario = scenario;
    this.link = options.link ?? scenario.link;
    this.seed = options.seed ?? scenario.seed ?? 1;
    this.startMinute = options.startMinuteOfWeek ?? minuteOfWeek(2, 10, 0);
    this.scheduler = new Scheduler(4096);
    this.memory = new HostMemory({
      size: options.memoryBytes ?? 64 * 1024 * 1024,
      shared: options.sharedMemory ?? false,
    });
    this.runtime = createRuntime(this.scheduler, this.memory);
    this.runtime.interruptWakeLatencyNs = options.interruptWakeLatencyNs ?? DEFAULT_INTERRUPT_WAKE_NS;
    this.runtime.tracer.clock = () => this.scheduler.now;
    const mac = macBytes(scenario.host.mac);
    // Assignments inside withRuntime: TypeScript needs them definite, so build in a local.
    const built = withRuntime(this.runtime, () => {
      const nic = new SimNic({ mac, linkSpeed: this.link });
      const pci = IOPCIDevice.createFor(this.runtime, nic);
      const driver = new NetLanesDriver(options.driver ?? {});
      const ret = driver.Start(pci);
      if (ret !== kIOReturnSuccess) throw new Error(`driver Start failed: ${ioReturnName(ret)}`);
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
      const stack = new HostStack({
        iface: driver,
        hostIp: scenario.host.ip,
        peerIp: scenario.peer.ip,
        apps: appConfigsFromScenario(scenario),
        seed: this.seed,
        flowSource: partner,
        verifyRxChecksums: options.verifyChecksums ?? true,
      });
      return { nic, pci, driver, tap, partner, stack };
    });
    this.nic = built.nic;
    this.pci = built.pci;
    this.driver = built.driver;
    this.tap = built.tap;
    this.partner = built.partner;
    this.stack = built.stack;
    this.apps = this.stack.identities;
    this.setRules(options.rules ?? EMPTY_RULE_SET);
    withRuntime(this.runtime, () => this.stack.start());
  }

  /** Builds and starts a machine; throws with the IOReturn name if the driver fails to start. */
  static boot(options: MachineOptions): Machine {
    return new Machine(options);
  }

  /** Local time now, for schedules. */
  get minuteOfWeek(): MinuteOfWeek {
    return (this.startMinute + Math.floor(this.scheduler.now / 60e9)) % MINUTES_PER_WEEK;
  }

  get currentRules(): RuleSet {
    return this.rules;
  }

  /** Applies a (validated) rule set now, while traffic flows; re-applies at schedule edges. */
  setRules(rules: RuleSet): void {
    this.rules = rules;
    this.recompileRules();
  }

  private recompileRules(): void {
    const compiled = compileRules(this.rules, this.apps, this.minuteOfWeek, ++this.rulesGeneration);
    withRuntime(this.runtime, () => this.driver.applyRules(compiled));
    if (this.scheduleTimer >= 0) this.scheduler.cancel(this.scheduleTimer);
    this.scheduleTimer = -1;
    if (compiled.minutesValid !== Infinity) {
      const nextMinuteNs = (Math.floor(this.scheduler.now / 60e9) + compiled.minutesValid) * 60e9;
      this.scheduleTimer = this.scheduler.schedule(nextMinuteNs, this.scheduleEdge, 0);
    }
  }

  private readonly scheduleEdge: EventHandler = {
    onEvent: () => {
      this.scheduleTimer = -1;
      this.recompileRules();
    },
  };

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
   * Stops everything in the order a real system would (apps, interface down, driver Stop,
   * device released) and reports whatever is left: a clean machine leaks nothing.
   */
  shutdown(): LeakReport {
    if (this.shutDown) throw new Error('machine already shut down');
    this.shutDown = true;
    if (!this.stack.isStopped) this.drain();
    if (this.scheduleTimer >= 0) this.scheduler.cancel(this.scheduleTimer);
    return withRuntime(this.runtime, () => {
      this.stack.detach();
      this.nic.connectWire(null);
      this.driver.SetInterfaceEnable(false);
      this.stack.reclaimQueues();
      const pool = this.driver.packetPool;
      const poolPacketsInUse = pool ? pool.inUse : 0;
      this.driver.Stop(this.pci);
      this.driver.release();
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
