import {
  kIOReturnBadArgument,
  kIOReturnNoDevice,
  kIOReturnNotReady,
  kIOReturnSuccess,
  ioReturnName,
  type IOReturn,
} from '../kit/io-return.ts';
import { out, type Out } from '../kit/os-object.ts';
import type { IODispatchQueue } from '../kit/dispatch-queue.ts';
import { kIOTimerClockMachAbsoluteTime } from '../kit/timer-source.ts';
import type { IOService } from '../kit/io-service.ts';
import type { EventHandler } from '../sim/scheduler.ts';
import { IOUserNetworkEthernet } from '../networking/ethernet.ts';
import {
  kIOUserNetworkLinkStatusActive,
  kIOUserNetworkLinkStatusInactive,
  kIOUserNetworkMediaEthernet1000BaseT,
  kIOUserNetworkMediaEthernet10GBaseT,
  kIOUserNetworkMediaEthernet2500BaseT,
  kIOUserNetworkMediaEthernetAuto,
  kIOUserNetworkMediaEthernetNone,
  kIOUserNetworkMediaOptionFullDuplex,
} from '../networking/constants.ts';
import {
  kIOInterruptTypePCIMessagedX,
  kIOPCICommandBusMaster,
  kIOPCICommandMemorySpace,
  kIOPCIConfigurationOffsetCommand,
  kIOPCIConfigurationOffsetDeviceID,
  kIOPCIConfigurationOffsetVendorID,
} from '../pci/io-pci-device.ts';
import { kIOUserNetworkLinkStatusInvalid } from '../networking/constants.ts';
import {
  EventKind,
  NETLANES_DEXT_BUNDLE_ID,
  NETLANES_USER_CLIENT_TYPE,
  type FindingRecord,
} from '../abi/netlanes-abi.ts';
import {
  DEFAULT_DRIVER_OPTIONS,
  TX_HEADROOM,
  invalidDriverOptions,
  type DriverOptions,
} from './driver-options.ts';
import { DriverStats } from './driver-stats.ts';
import { DriverEventLog, type DriverEventKind } from './driver-events.ts';
import {
  createEventSources,
  createPoolAndQueues,
  createRings,
  createClientRegions,
  emptyIvars,
  releaseIvars,
  type DriverHandlers,
} from './driver-ivars.ts';
import * as R from './hw-regs.ts';
import { programHardware, programTxScheduler, quiesceHardware, readMac, resetHardware } from './hw-setup.ts';
import { linkBitsPerSecond, mediaFor, ringByteLimit } from './link-speed.ts';
import { Mmio } from './mmio.ts';
import type { PciProvider } from './pci-provider.ts';
import { RxFilters } from './rx-filters.ts';
import { RxPath } from './rx-path.ts';
import { TxPath } from './tx-path.ts';
import { invalidTxPolicy, withTxPolicy, type TxPolicy } from './tx-policy.ts';
import { Watchdog } from './watchdog.ts';
import { bringUpFindings } from './bring-up-check.ts';
import { CaptureWriter, RingStateWriter } from './client-regions.ts';
import { DriverControl } from './driver-control.ts';
import { NetLanesUserClient } from './user-client.ts';

/**
 * The NetLanes NIC driver: an IOUserNetworkEthernet dext for the SIM-I2xx (I210-like) NIC,
 * written as a real one would be — PCIDriverKit MMIO and MSI-X, descriptor rings in host
 * memory, NetworkingDriverKit queues to the stack.
 *
 * This class is the DriverKit face (Start, Stop, SetInterfaceEnable, the queue and interrupt
 * handlers, the Ethernet overrides); the work is in its parts, split by job as igb_main.c is
 * from igb_ethtool.c: `TxPath`, `RxPath`, `Watchdog`, `RxFilters`, with the resources Start
 * makes in `driver-ivars.ts` and the register programming in `hw-setup.ts`.
 */
export class NetLanesDriver extends IOUserNetworkEthernet {
  readonly options: Readonly<DriverOptions>;
  private iv = emptyIvars();
  private policy: TxPolicy;
  private enabled = false;
  private resetting = false;
  private linkUp = false;
  private removalDetected = false;
  private resetCount = 0;
  /** Counters that outlive rings, resets, removal and Stop. */
  readonly stats = new DriverStats();
  /** Hang reports, resets, link changes and faults, each with time and cause. */
  readonly events = new DriverEventLog();
  private readonly tx: TxPath;
  private readonly rx: RxPath;
  private readonly filters: RxFilters;
  private readonly watchdog: Watchdog;
  /** What user clients may read and change (user-client.ts decodes, this answers). */
  private readonly control: DriverControl;
  private ringState: RingStateWriter | null = null;
  private readonly heads = new Int32Array(8);
  /** Vendor and device id from config space, read at Start. */
  private readonly pciIds = new Uint16Array(2);

  constructor(options: Partial<DriverOptions> = {}) {
    super();
    this.options = Object.freeze({ ...DEFAULT_DRIVER_OPTIONS, ...options });
    this.policy = withTxPolicy(this.options, {});
    this.tx = new TxPath(this.options, this.stats, this.runtime);
    this.rx = new RxPath(this.options, this.stats, this.tx.classifier.flows, this.runtime);
    this.filters = new RxFilters(this.options.bufferSize);
    this.watchdog = new Watchdog(this.options, this.stats, this.runtime);
    this.control = new DriverControl(this.tx, this.stats, this.events, this.facts());
    this.events.onEvent = (e) => this.control.driverEvent(e);
    this.tx.setMarking(this.policy.pcp);
    if (this.options.singleQueue) this.tx.classifier.forcedQueue = 0;
    this.SetName('NetLanesDriver');
    this.properties.set('CFBundleIdentifier', NETLANES_DEXT_BUNDLE_ID);
  }

  /** Burst shortcuts of the data path on (default) or off: the per-frame reference of the golden tests. */
  setBurstMode(on: boolean): void {
    this.tx.burstMode = on;
    this.rx.burstMode = on;
  }

  // ---------------------------------------------------------------- read-only views

  /** True once a surprise removal was detected (stays true after Stop, for the record). */
  get deviceRemoved(): boolean {
    return this.removalDetected || (this.iv.mmio?.removed ?? false);
  }

  get txPolicy(): Readonly<TxPolicy> {
    return this.policy;
  }

  get resets(): number {
    return this.resetCount;
  }

  get hangsDetected(): number {
    return this.watchdog.state.hangsDetected;
  }

  // ---------------------------------------------------------------- lifecycle

  override Start(provider: IOService | null): IOReturn {
    const tracer = this.runtime.tracer;
    tracer.info('driver', '==> Start');
    const invalid = invalidDriverOptions(this.options);
    if (invalid !== null) {
      tracer.error('driver', `Start refused: ${invalid}`);
      return kIOReturnBadArgument;
    }
    let ret = super.Start(provider);
    if (ret !== kIOReturnSuccess) return ret;
    const iv = this.iv;
    const pci = provider as PciProvider | null;
    if (pci === null) return this.failStart(kIOReturnBadArgument, 'no PCI provider');
    iv.pci = pci.retain();

    ret = pci.Open(this, 0);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'IOPCIDevice::Open');
    const cmd = out<number>();
    pci.ConfigurationRead16(kIOPCIConfigurationOffsetVendorID, cmd);
    this.pciIds[0] = cmd.value ?? 0;
    pci.ConfigurationRead16(kIOPCIConfigurationOffsetDeviceID, cmd);
    this.pciIds[1] = cmd.value ?? 0;
    pci.ConfigurationRead16(kIOPCIConfigurationOffsetCommand, cmd);
    pci.ConfigurationWrite16(
      kIOPCIConfigurationOffsetCommand,
      (cmd.value ?? 0) | kIOPCICommandBusMaster | kIOPCICommandMemorySpace,
    );
    const memoryIndex = out<number>();
    const barSize = out<number>();
    const barType = out<number>();
    ret = pci.GetBARInfo(0, memoryIndex, barSize, barType);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'GetBARInfo(0)');
    iv.mmio = new Mmio(pci, memoryIndex.value ?? 0, tracer);
    iv.mmio.onRemoved = () => this.deviceGone();
    const status = iv.mmio.rd32(R.STATUS);
    if (iv.mmio.removed) return this.failStart(kIOReturnNoDevice, `STATUS read 0x${status.toString(16)}`);
    resetHardware(iv.mmio);
    const mac = readMac(iv.mmio);

    ret = pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, R.OTHER_VECTOR + 1, R.OTHER_VECTOR + 1, 0);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'ConfigureInterrupts');
    const queue = out<IODispatchQueue>();
    ret = this.CopyDispatchQueue('Default', queue);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'CopyDispatchQueue');
    iv.queue = queue.value!;

    ret = createPoolAndQueues(this, iv, this.options, this.handlers);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'pool and queues');
    ret = createRings(iv, this.options, this.ringByteLimit());
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'descriptor rings');
    ret = createEventSources(this, iv, this.handlers);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'event sources');
    ret = createClientRegions(iv, this.options.appCapacity);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'client memory');
    this.attachParts();

    this.ReportAvailableMediaTypes(
      [
        kIOUserNetworkMediaEthernetAuto,
        kIOUserNetworkMediaEthernet1000BaseT | kIOUserNetworkMediaOptionFullDuplex,
        kIOUserNetworkMediaEthernet2500BaseT | kIOUserNetworkMediaOptionFullDuplex,
        kIOUserNetworkMediaEthernet10GBaseT | kIOUserNetworkMediaOptionFullDuplex,
      ],
      4,
    );
    this.SetTxPacketHeadroom(TX_HEADROOM);
    ret = this.RegisterEthernetInterface(mac, iv.pool!, [iv.txs!, iv.txc!, iv.rxs!, iv.rxc!], 4);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'RegisterEthernetInterface');
    this.ReportLinkStatus(kIOUserNetworkLinkStatusInactive, kIOUserNetworkMediaEthernetNone);
    ret = this.RegisterService();
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'RegisterService');
    tracer.info('driver', '<== Start');
    return kIOReturnSuccess;
  }

  override Stop(provider: IOService | null): IOReturn {
    this.runtime.tracer.info('driver', '==> Stop');
    if (this.enabled) this.SetInterfaceEnable(false);
    this.releaseEverything();
    const ret = super.Stop(provider);
    this.runtime.tracer.info('driver', '<== Stop');
    return ret;
  }

  private failStart(ret: IOReturn, what: string): IOReturn {
    this.runtime.tracer.error('driver', `Start failed at ${what}: ${ioReturnName(ret)}`);
    this.releaseEverything();
    super.Stop(this.GetProvider());
    return ret;
  }

  private releaseEverything(): void {
    // Counters in the hardware are lost with it: fold them in while it can still be read.
    if (this.iv.mmio) this.stats.update(this.iv.mmio);
    this.tx.detach();
    this.rx.detach();
    this.watchdog.detach();
    this.control.attachRegions(null);
    this.ringState = null;
    releaseIvars(this, this.iv);
  }

  private attachParts(): void {
    const iv = this.iv;
    const view = iv.statsView!;
    const capture = new CaptureWriter(iv.captureMemory!.bytes());
    const ringState = new RingStateWriter(iv.ringStateMemory!.bytes(), R.NUM_QUEUES);
    this.ringState = ringState;
    this.control.attachRegions({
      stats: iv.statsMemory!,
      ringState: iv.ringStateMemory!,
      capture: iv.captureMemory!,
      command: iv.commandMemory!,
      captureWriter: capture,
    });
    this.tx.attach({
      mmio: iv.mmio!,
      pool: iv.pool!,
      txs: iv.txs!,
      txc: iv.txc!,
      rings: iv.txRings,
      view,
      shaperTimer: iv.shaperTimer!,
      capture,
      ringState,
    });
    this.rx.attach({
      mmio: iv.mmio!,
      pool: iv.pool!,
      rxs: iv.rxs!,
      rxc: iv.rxc!,
      rings: iv.rxRings,
      view,
      capture,
      ringState,
    });
    this.watchdog.attach({
      mmio: iv.mmio!,
      txRings: iv.txRings,
      rxRings: iv.rxRings,
      timer: iv.watchdog!,
      pollTimer: iv.pollTimer!,
      policy: () => this.policy,
      linkUp: () => this.linkUp,
      linkBitsPerSecond: () => linkBitsPerSecond(this.iv.mmio),
      updateLink: () => this.updateLink(),
      scheduleReset: (reason) => this.scheduleReset(reason),
      pollQueue: (vector) => this.queueInterrupt(vector),
      logEvent: (kind, detail, level) => this.logEvent(kind, detail, level),
    });
  }

  /** Every event source calls one of these on the default queue; each checks the state first. */
  private readonly handlers: DriverHandlers = {
    txPacketAvailable: () => {
      if (this.enabled) this.tx.packetsAvailable();
    },
    rxBuffersAvailable: () => {
      if (this.enabled) this.rx.refillAll();
    },
    queueInterrupt: (vector) => {
      this.stats.interrupts++;
      this.queueInterrupt(vector);
    },
    otherInterrupt: () => {
      this.stats.interrupts++;
      this.otherInterrupt();
    },
    watchdog: () => {
      if (!this.enabled || this.deviceRemoved) return;
      this.watchdog.pass();
      this.publishRingHeads();
    },
    shaper: () => {
      if (this.enabled) this.tx.releaseShaped();
    },
    poll: () => {
      if (this.enabled && !this.deviceRemoved) this.watchdog.pollTick();
    },
  };

  // ---------------------------------------------------------------- enable / disable

  override SetInterfaceEnable(enable: boolean): IOReturn {
    const iv = this.iv;
    if (iv.mmio === null || iv.pool === null) return kIOReturnNotReady;
    if (iv.mmio.removed) return kIOReturnNoDevice;
    if (enable === this.enabled) return kIOReturnSuccess;
    this.runtime.tracer.info('driver', `SetInterfaceEnable(${enable})`);
    if (enable) {
      for (const r of iv.txRings) r.byteLimit = this.ringByteLimit();
      this.tx.resetAqm();
      programHardware(
        iv.mmio,
        iv.txRings,
        iv.rxRings,
        this.options,
        this.filters.longPacketLimit(),
        this.filters.flags(),
      );
      programTxScheduler(iv.mmio, this.policy, linkBitsPerSecond(this.iv.mmio));
      this.filters.writeMulticastTable(iv.mmio);
      for (const q of [iv.txs!, iv.txc!, iv.rxs!, iv.rxc!]) q.SetEnable(true);
      for (const s of iv.interruptSources) s.SetEnable(true);
      this.enabled = true;
      this.rx.refillAll();
      this.updateLink();
      this.watchdog.arm();
      this.tx.packetsAvailable();
    } else {
      this.enabled = false;
      iv.watchdog!.WakeAtTime(kIOTimerClockMachAbsoluteTime, Infinity, 0);
      for (const s of iv.interruptSources) s.SetEnable(false);
      quiesceHardware(iv.mmio);
      this.tx.reclaimAll();
      this.rx.reclaimAll();
      for (const q of [iv.txs!, iv.rxs!]) q.SetEnable(false);
      this.reportLinkDown();
      // Completion queues stay enabled until the stack has the aborted packets back.
    }
    return kIOReturnSuccess;
  }

  // ---------------------------------------------------------------- interrupts and link

  /** Queue-pair vector: clean Tx then Rx; keep polling until done, then unmask the vector. */
  private queueInterrupt(vector: number): void {
    if (!this.enabled || this.deviceRemoved) return;
    const txDone = this.tx.clean(vector);
    const rxDone = this.rx.clean(vector);
    if (txDone && rxDone) this.iv.mmio!.wr32(R.EIMS, 1 << vector);
    else this.iv.queue!.post(this.pollHandlers[vector], vector);
  }

  /** Pool use and the device's ring heads for clients, once a watchdog pass (an MMIO read each). */
  private publishRingHeads(): void {
    const iv = this.iv;
    if (this.ringState === null || iv.pool === null || !iv.mmio || iv.mmio.removed) return;
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      this.heads[q] = iv.mmio.rd32(R.TDH(q));
      this.heads[R.NUM_QUEUES + q] = iv.mmio.rd32(R.RDH(q));
    }
    this.ringState.pool(iv.pool.packetCount, iv.pool.inUse, this.heads, this.runtime.scheduler.now);
  }

  private readonly pollHandlers: EventHandler[] = [0, 1, 2, 3].map((v) => ({
    onEvent: () => this.queueInterrupt(v),
  }));

  /** Other causes: link change, DMA errors, Rx overrun. */
  private otherInterrupt(): void {
    const mmio = this.iv.mmio!;
    if (mmio.removed) return;
    const icr = mmio.rd32(R.ICR);
    if (mmio.removed) return;
    if (icr & R.ICR_LSC) this.updateLink();
    if (icr & R.ICR_DOUTSYNC) {
      this.logEvent('dma-error', 'ICR.DOUTSYNC: a Tx queue stopped on a DMA error; resetting', 'error');
      this.scheduleReset('dma-error');
    }
    if (icr & R.ICR_RXO) this.watchdog.rxOverrun();
    if (this.enabled) mmio.wr32(R.EIMS, 1 << R.OTHER_VECTOR);
  }

  /** Reads STATUS.LU and tells the system (ReportLinkStatus) when it changed. */
  private updateLink(): void {
    const mmio = this.iv.mmio!;
    if (mmio.removed) return;
    const up = (mmio.rd32(R.STATUS) & R.STATUS_LU) !== 0 && this.enabled;
    if (up === this.linkUp) return;
    if (!up) {
      this.logEvent('link-down', 'Link is Down');
      this.reportLinkDown();
      return;
    }
    this.linkUp = true;
    const bps = linkBitsPerSecond(mmio);
    this.logEvent('link-up', `Link is Up ${bps / 1e6} Mbps Full Duplex`);
    for (const r of this.iv.txRings) {
      r.byteLimit = this.ringByteLimit();
      r.lastProgressNs = this.runtime.scheduler.now;
    }
    this.ReportDataBandwidths(bps, bps, 0, 0);
    // Rate factors are relative to the link: reprogram them for the new speed.
    programTxScheduler(mmio, this.policy, bps);
    this.ReportLinkStatus(
      kIOUserNetworkLinkStatusActive,
      mediaFor(bps) | kIOUserNetworkMediaOptionFullDuplex,
    );
    this.control.publish(EventKind.Link, [1, bps / 1e6]);
  }

  private ringByteLimit(): number {
    return ringByteLimit(linkBitsPerSecond(this.iv.mmio), this.options.itrUs);
  }

  private reportLinkDown(): void {
    const wasUp = this.linkUp;
    this.linkUp = false;
    this.ReportLinkStatus(kIOUserNetworkLinkStatusInactive, kIOUserNetworkMediaEthernetNone);
    if (wasUp) this.control.publish(EventKind.Link, [0, 0]);
  }

  /** igb_reset_task: disable and re-enable; early out if down or already resetting. */
  private scheduleReset(reason: string): void {
    if (!this.enabled || this.resetting) return;
    this.resetting = true;
    this.iv.queue!.DispatchAsync(() => {
      this.resetting = false;
      if (!this.enabled || this.deviceRemoved) return;
      this.resetCount++;
      this.logEvent('reset', `adapter reset (${reason})`, 'warn');
      this.SetInterfaceEnable(false);
      // CTRL.RST zeroes the statistics registers: fold them into the totals first (igb_down).
      this.stats.update(this.iv.mmio!);
      resetHardware(this.iv.mmio!);
      this.SetInterfaceEnable(true);
    });
  }

  /** Surprise removal: stop everything without touching the device again. */
  private deviceGone(): void {
    this.removalDetected = true;
    this.logEvent('device-removed', 'PCIe link lost: all-ones reads; device detached', 'error');
    if (!this.enabled) return;
    this.enabled = false;
    for (const s of this.iv.interruptSources) s.SetEnable(false);
    this.iv.watchdog?.SetEnable(false);
    this.tx.reclaimAll();
    this.rx.reclaimAll();
    // Refuse new work at the queues, as a disable does: nothing can reach the device now.
    this.iv.txs?.SetEnable(false);
    this.iv.rxs?.SetEnable(false);
    this.reportLinkDown();
  }

  private logEvent(kind: DriverEventKind, detail: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.events.add(this.runtime.scheduler.now, kind, detail);
    this.runtime.tracer.log(level, 'driver', `${kind}: ${detail}`);
  }

  /** The register window while the interface is enabled (filters write only then). */
  private get liveMmio(): Mmio | null {
    const mmio = this.iv.mmio;
    return this.enabled && mmio && !mmio.removed ? mmio : null;
  }

  // ---------------------------------------------------------------- Ethernet overrides (no reset)

  override GetMaxTransferUnit(mtu: Out<number>): IOReturn {
    mtu.value = this.filters.mtu;
    return kIOReturnSuccess;
  }

  /** Changes the MTU in place (RLPML/LPE) — no reset, traffic keeps flowing (the io-pkt lesson). */
  override SetMTU(mtu: number): IOReturn {
    return this.filters.setMtu(mtu, this.liveMmio) ? kIOReturnSuccess : kIOReturnBadArgument;
  }

  override SetPromiscuousModeEnable(enable: boolean): IOReturn {
    this.filters.setPromiscuous(enable, this.liveMmio);
    return kIOReturnSuccess;
  }

  override SetAllMulticastModeEnable(enable: boolean): IOReturn {
    this.filters.setAllMulticast(enable, this.liveMmio);
    return kIOReturnSuccess;
  }

  /** Programs the 4096-bit multicast hash (MTA) from the list; no reset. */
  override SetMulticastAddresses(addresses: readonly Uint8Array[], count: number): IOReturn {
    const mmio = this.iv.mmio && !this.iv.mmio.removed ? this.iv.mmio : null;
    return this.filters.setMulticast(addresses, count, mmio) ? kIOReturnSuccess : kIOReturnBadArgument;
  }

  // ---------------------------------------------------------------- policy and per-app settings

  /**
   * Changes the Tx policy at run time, without a reset: arbiter mode, DRR quanta, per-queue
   * floors and maximum rates, PCP marking. A bad policy is refused whole.
   */
  setTxPolicy(change: Partial<TxPolicy>): IOReturn {
    const next = withTxPolicy(this.policy, change);
    const invalid = invalidTxPolicy(next);
    if (invalid !== null) {
      this.runtime.tracer.warn('driver', `setTxPolicy refused: ${invalid}`);
      return kIOReturnBadArgument;
    }
    this.policy = next;
    this.tx.setMarking(next.pcp);
    const mmio = this.iv.mmio;
    if (mmio && !mmio.removed) programTxScheduler(mmio, next, linkBitsPerSecond(this.iv.mmio));
    return kIOReturnSuccess;
  }

  // ---------------------------------------------------------------- user clients

  /** IOServiceOpen lands here: a NetLanes user client bound to this driver's control surface. */
  override NewUserClient(type: number, userClient: Out<IOService>): IOReturn {
    if (type !== NETLANES_USER_CLIENT_TYPE) return kIOReturnBadArgument;
    const client = new NetLanesUserClient(this.runtime);
    client.SetName('NetLanesUserClient');
    client.bind(this.control);
    const ret = client.Start(this);
    if (ret !== kIOReturnSuccess) {
      client.release();
      return ret;
    }
    userClient.value = client;
    return kIOReturnSuccess;
  }

  /** What the control surface asks of the face: state only the DriverKit face holds. */
  private facts(): ConstructorParameters<typeof DriverControl>[3] {
    return {
      enabled: () => this.enabled,
      linkUp: () => this.linkUp,
      removed: () => this.deviceRemoved,
      resets: () => this.resetCount,
      hangs: () => this.watchdog.state.hangsDetected,
      policy: () => this.policy,
      setPolicy: (p) => this.setTxPolicy(p),
      now: () => this.runtime.scheduler.now,
      findings: () => this.findings(),
      identity: () => ({
        mac: this.macAddress.slice(),
        linkBps: this.linkUp ? linkBitsPerSecond(this.iv.mmio) : 0,
        linkStatus: this.currentLinkStatus.status,
        media: this.currentLinkStatus.media,
        mtu: this.filters.mtu,
        maxMtu: this.filters.maxMtu,
        pciVendorId: this.pciIds[0],
        pciDeviceId: this.pciIds[1],
        appSlots: this.options.appCapacity,
        flowCapacity: this.options.flowCapacity,
      }),
      setMtu: (mtu) => this.SetMTU(mtu),
      refreshCounters: () => {
        if (this.iv.mmio) this.stats.update(this.iv.mmio);
      },
      setInterfaceEnable: (enable) => this.SetInterfaceEnable(enable),
    };
  }

  private findings(): FindingRecord[] {
    const iv = this.iv;
    return bringUpFindings({
      started: iv.pool !== null,
      enabled: this.enabled,
      removed: this.deviceRemoved,
      reportedLink: iv.pool !== null ? this.currentLinkStatus.status : kIOUserNetworkLinkStatusInvalid,
      deviceLinkUp: iv.mmio !== null && !iv.mmio.removed && (iv.mmio.rd32(R.STATUS) & R.STATUS_LU) !== 0,
      txSubmission: iv.txs,
      rxSubmission: iv.rxs,
      pool: iv.pool,
      txRings: iv.txRings,
      nowNs: this.runtime.scheduler.now,
    });
  }
}
