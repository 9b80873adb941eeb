import type { EventHandler } from '../sim/scheduler.ts';
import {
  kIOReturnAborted,
  kIOReturnBadArgument,
  kIOReturnNoDevice,
  kIOReturnNotReady,
  kIOReturnSuccess,
  ioReturnName,
  type IOReturn,
} from '../kit/io-return.ts';
import { OSAction } from '../kit/os-action.ts';
import { out, safeRelease, type Out } from '../kit/os-object.ts';
import type { IODispatchQueue } from '../kit/dispatch-queue.ts';
import { IOInterruptDispatchSource } from '../kit/interrupt-source.ts';
import { IOTimerDispatchSource, kIOTimerClockMachAbsoluteTime } from '../kit/timer-source.ts';
import type { IODataQueueDispatchSource } from '../kit/data-queue-source.ts';
import type { IOService } from '../kit/io-service.ts';
import { IOBufferMemoryDescriptor } from '../memory/buffer-memory-descriptor.ts';
import { IOUserNetworkEthernet } from '../networking/ethernet.ts';
import { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import {
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from '../networking/packet-queue.ts';
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
import { RuleClassifier } from './classifier.ts';
import { AppShaper } from './app-shaper.ts';
import { H_RULES_GENERATION, StatsView, statsLayout } from '../abi/stats-layout.ts';
import type { AppSettingsTable } from '../abi/app-settings.ts';
import { DEFAULT_DRIVER_OPTIONS, TX_HEADROOM, type DriverOptions } from './driver-options.ts';
import { DriverStats, type NetstatRow } from './driver-stats.ts';
import { DriverEventLog, type DriverEventKind } from './driver-events.ts';
import * as R from './hw-regs.ts';
import { Mmio } from './mmio.ts';
import type { PciProvider } from './pci-provider.ts';
import {
  kIOInterruptTypePCIMessagedX,
  kIOPCICommandBusMaster,
  kIOPCICommandMemorySpace,
  kIOPCIConfigurationOffsetCommand,
} from '../pci/io-pci-device.ts';
import { RxRing } from './rx-ring.ts';
import { PacketLinks, SoftwareQueue } from './sw-queue.ts';
import { CoDel } from './codel.ts';
import { FlowTable } from './flow-table.ts';
import { TxRing } from './tx-ring.ts';
import { programHardware, programTxScheduler, resetHardware } from './hw-setup.ts';

const ETHERNET_OVERHEAD = 18; // header 14 + FCS 4
/** Poll-mode period once interrupts have been seen lost. */
const POLL_PERIOD_NS = 1_000_000;
const VLAN_BYTES = 4;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n >= 8 && (n & (n - 1)) === 0;

/** Checks the tunables before Start touches anything; returns what is wrong, or null. */
function invalidOption(o: DriverOptions): string | null {
  if (!isPowerOfTwo(o.txRingSize) || o.txRingSize > 32768)
    return `txRingSize ${o.txRingSize} must be a power of two, 8..32768`;
  if (!isPowerOfTwo(o.rxRingSize) || o.rxRingSize > 32768)
    return `rxRingSize ${o.rxRingSize} must be a power of two, 8..32768`;
  if (!Number.isInteger(o.poolPackets) || o.poolPackets < 64 || o.poolPackets > 65536)
    return `poolPackets ${o.poolPackets} must be 64..65536`;
  if (!Number.isInteger(o.bufferSize) || o.bufferSize < 2048 || o.bufferSize % 1024 !== 0)
    return `bufferSize ${o.bufferSize} must be a multiple of 1024, at least 2048`;
  if (!(o.itrUs >= 0 && o.itrUs <= 8191)) return `itrUs ${o.itrUs} must be 0..8191`;
  if (!(o.appCapacity >= 1 && o.appCapacity <= 65536)) return `appCapacity ${o.appCapacity} must be 1..65536`;
  if (o.txScheduler === 'drr' && o.drrQuanta.every((x) => x === 0))
    return 'DRR with every quantum 0 would never send';
  return null;
}

/** Everything the driver holds, made in Start and released in Stop (DriverKit ivars). */
interface Ivars {
  pci: PciProvider | null;
  mmio: Mmio | null;
  queue: IODispatchQueue | null;
  pool: IOUserNetworkPacketBufferPool | null;
  txs: IOUserNetworkTxSubmissionQueue | null;
  txc: IOUserNetworkTxCompletionQueue | null;
  rxs: IOUserNetworkRxSubmissionQueue | null;
  rxc: IOUserNetworkRxCompletionQueue | null;
  txsSource: IODataQueueDispatchSource | null;
  rxsSource: IODataQueueDispatchSource | null;
  txAvailableAction: OSAction<[]> | null;
  rxAvailableAction: OSAction<[]> | null;
  interruptSources: IOInterruptDispatchSource[];
  interruptActions: OSAction<[number, number]>[];
  watchdog: IOTimerDispatchSource | null;
  watchdogAction: OSAction<[number]> | null;
  txRings: TxRing[];
  rxRings: RxRing[];
  swQueues: SoftwareQueue[];
  mac: Uint8Array;
  statsMemory: IOBufferMemoryDescriptor | null;
  shaperTimer: IOTimerDispatchSource | null;
  shaperAction: OSAction<[number]> | null;
  pollTimer: IOTimerDispatchSource | null;
  pollAction: OSAction<[number]> | null;
}

function emptyIvars(): Ivars {
  return {
    pci: null,
    mmio: null,
    queue: null,
    pool: null,
    txs: null,
    txc: null,
    rxs: null,
    rxc: null,
    txsSource: null,
    rxsSource: null,
    txAvailableAction: null,
    rxAvailableAction: null,
    interruptSources: [],
    interruptActions: [],
    watchdog: null,
    watchdogAction: null,
    txRings: [],
    rxRings: [],
    swQueues: [],
    mac: new Uint8Array(6),
    statsMemory: null,
    shaperTimer: null,
    shaperAction: null,
    pollTimer: null,
    pollAction: null,
  };
}

/**
 * The NetLanes NIC driver: an IOUserNetworkEthernet dext for the SIM-I2xx (I210-like) NIC,
 * written as a real one would be — PCIDriverKit MMIO and MSI-X, descriptor rings in host
 * memory, NetworkingDriverKit queues to the stack.
 *
 * Where a Tx packet can wait, in order: the Tx submission queue (drained at once on every
 * data-available, so it holds no backlog), the software queue of its hardware class
 * (bounded; tail drop counted), the hardware ring (bounded by `TxRing.byteLimit`, BQL-like,
 * so a deep ring cannot defeat priority), the NIC's arbiter, the wire.
 */
export class NetLanesDriver extends IOUserNetworkEthernet {
  readonly options: DriverOptions;
  private iv: Ivars = emptyIvars();
  private enabled = false;
  private resetting = false;
  private linkUp = false;
  private mtu = 1500;
  private promiscuous = false;
  private allMulticast = false;
  private multicast: Uint8Array[] = [];
  readonly classifier = new RuleClassifier();
  /** Local port → app, learned on Tx, used to charge Rx frames to apps. */
  readonly flows = new FlowTable();
  /** Per-queue CoDel state (used when options.aqm is 'codel'). */
  readonly aqm: CoDel[] = [];
  readonly shaper = new AppShaper();
  /** The per-app/per-queue statistics region (mapped by clients); null before Start. */
  statsView: StatsView | null = null;
  readonly stats = new DriverStats();
  /** Hang reports, resets, link changes and faults, each with time and cause. */
  readonly events = new DriverEventLog();
  hangsDetected = 0;
  resets = 0;
  rxOverruns = 0;
  private rxOverrunsLogged = 0;

  // Burst scratch (never reallocated).
  private readonly burst: Int32Array;
  private readonly burst2: Int32Array;
  private readonly dropBurst: Int32Array;

  constructor(options: Partial<DriverOptions> = {}) {
    super();
    this.options = { ...DEFAULT_DRIVER_OPTIONS, ...options };
    const scratch = Math.max(
      this.options.txBudget,
      this.options.rxBudget,
      this.options.txBurst,
      this.options.txRingSize,
      this.options.rxRingSize,
      this.options.swQueuePackets,
    );
    this.burst = new Int32Array(scratch);
    this.burst2 = new Int32Array(scratch);
    this.dropBurst = new Int32Array(scratch);
    this.SetName('NetLanesDriver');
    if (this.options.singleQueue) this.classifier.forcedQueue = 0;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** True once a surprise removal was detected (stays true after Stop, for the record). */
  get deviceRemoved(): boolean {
    return this.removalDetected || (this.iv.mmio?.removed ?? false);
  }

  private removalDetected = false;

  get txRings(): readonly TxRing[] {
    return this.iv.txRings;
  }

  get rxRings(): readonly RxRing[] {
    return this.iv.rxRings;
  }

  get softwareQueues(): readonly SoftwareQueue[] {
    return this.iv.swQueues;
  }

  // ---------------------------------------------------------------- lifecycle

  override Start(provider: IOService | null): IOReturn {
    const tracer = this.runtime.tracer;
    tracer.info('driver', '==> Start');
    const invalid = invalidOption(this.options);
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
    this.readMac();

    ret = pci.ConfigureInterrupts(kIOInterruptTypePCIMessagedX, R.OTHER_VECTOR + 1, R.OTHER_VECTOR + 1, 0);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'ConfigureInterrupts');

    const queue = out<IODispatchQueue>();
    ret = this.CopyDispatchQueue('Default', queue);
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'CopyDispatchQueue');
    iv.queue = queue.value!;

    ret = this.createPoolAndQueues();
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'pool and queues');
    ret = this.createRings();
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'descriptor rings');
    ret = this.createEventSources();
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'event sources');
    ret = this.createStatsRegion();
    if (ret !== kIOReturnSuccess) return this.failStart(ret, 'statistics region');

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
    ret = this.RegisterEthernetInterface(iv.mac, iv.pool!, [iv.txs!, iv.txc!, iv.rxs!, iv.rxc!], 4);
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

  /** Undoes Start in reverse; safe on a partly built driver. */
  private releaseEverything(): void {
    const iv = this.iv;
    iv.watchdog?.Cancel();
    iv.watchdog = safeRelease(iv.watchdog);
    iv.watchdogAction = safeRelease(iv.watchdogAction);
    iv.pollTimer?.Cancel();
    iv.pollTimer = safeRelease(iv.pollTimer);
    iv.pollAction = safeRelease(iv.pollAction);
    iv.shaperTimer?.Cancel();
    iv.shaperTimer = safeRelease(iv.shaperTimer);
    iv.shaperAction = safeRelease(iv.shaperAction);
    iv.statsMemory = safeRelease(iv.statsMemory);
    this.statsView = null;
    for (const s of iv.interruptSources) {
      s.Cancel();
      s.release();
    }
    for (const a of iv.interruptActions) a.release();
    iv.interruptSources = [];
    iv.interruptActions = [];
    iv.txsSource?.Cancel();
    iv.rxsSource?.Cancel();
    iv.txsSource = safeRelease(iv.txsSource);
    iv.rxsSource = safeRelease(iv.rxsSource);
    iv.txAvailableAction = safeRelease(iv.txAvailableAction);
    iv.rxAvailableAction = safeRelease(iv.rxAvailableAction);
    for (const r of iv.txRings) r.descriptors.release();
    for (const r of iv.rxRings) r.descriptors.release();
    iv.txRings = [];
    iv.rxRings = [];
    iv.swQueues = [];
    iv.txs = safeRelease(iv.txs);
    iv.txc = safeRelease(iv.txc);
    iv.rxs = safeRelease(iv.rxs);
    iv.rxc = safeRelease(iv.rxc);
    iv.pool = safeRelease(iv.pool);
    iv.queue = safeRelease(iv.queue);
    if (iv.pci) {
      if (iv.mmio && !iv.mmio.removed) iv.mmio.wr32(R.CTRL_EXT, 0);
      iv.pci.Close(this, 0);
    }
    iv.mmio = null;
    iv.pci = safeRelease(iv.pci);
  }

  private readMac(): void {
    const mmio = this.iv.mmio!;
    const lo = mmio.rd32(R.RAL(0));
    const hi = mmio.rd32(R.RAH(0));
    const mac = this.iv.mac;
    mac[0] = lo & 0xff;
    mac[1] = (lo >>> 8) & 0xff;
    mac[2] = (lo >>> 16) & 0xff;
    mac[3] = (lo >>> 24) & 0xff;
    mac[4] = hi & 0xff;
    mac[5] = (hi >>> 8) & 0xff;
  }

  private createPoolAndQueues(): IOReturn {
    const iv = this.iv;
    const o = this.options;
    const pool = out<IOUserNetworkPacketBufferPool>();
    let ret = IOUserNetworkPacketBufferPool.Create(
      this,
      'netlanes-pool',
      o.poolPackets,
      o.poolPackets,
      o.bufferSize,
      pool,
    );
    if (ret !== kIOReturnSuccess) return ret;
    iv.pool = pool.value!;
    const txs = out<IOUserNetworkTxSubmissionQueue>();
    const txc = out<IOUserNetworkTxCompletionQueue>();
    const rxs = out<IOUserNetworkRxSubmissionQueue>();
    const rxc = out<IOUserNetworkRxCompletionQueue>();
    ret = IOUserNetworkTxSubmissionQueue.Create(iv.pool, this, o.txSubmissionCapacity, 0, iv.queue, txs);
    if (ret === kIOReturnSuccess)
      ret = IOUserNetworkTxCompletionQueue.Create(iv.pool, this, o.poolPackets, 0, iv.queue, txc);
    if (ret === kIOReturnSuccess)
      ret = IOUserNetworkRxSubmissionQueue.Create(iv.pool, this, o.rxSubmissionCapacity, 0, iv.queue, rxs);
    if (ret === kIOReturnSuccess)
      ret = IOUserNetworkRxCompletionQueue.Create(iv.pool, this, o.rxCompletionCapacity, 0, iv.queue, rxc);
    iv.txs = txs.value;
    iv.txc = txc.value;
    iv.rxs = rxs.value;
    iv.rxc = rxc.value;
    if (ret !== kIOReturnSuccess) return ret;

    // Tx: dequeue in bursts when the stack submits (the Apple sample's TxPacketAvailable).
    iv.txAvailableAction = new OSAction<[]>(this, iv.queue!, () => this.txPacketAvailable());
    iv.rxAvailableAction = new OSAction<[]>(this, iv.queue!, () => this.rxBuffersAvailable());
    const txsSource = out<IODataQueueDispatchSource>();
    const rxsSource = out<IODataQueueDispatchSource>();
    iv.txs!.CopyDataQueue(txsSource);
    iv.rxs!.CopyDataQueue(rxsSource);
    iv.txsSource = txsSource.value!;
    iv.rxsSource = rxsSource.value!;
    iv.txsSource.SetDataAvailableHandler(iv.txAvailableAction);
    iv.rxsSource.SetDataAvailableHandler(iv.rxAvailableAction);
    return kIOReturnSuccess;
  }

  private createRings(): IOReturn {
    const iv = this.iv;
    const o = this.options;
    const links = new PacketLinks(o.poolPackets);
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      const txMem = out<IOBufferMemoryDescriptor>();
      const rxMem = out<IOBufferMemoryDescriptor>();
      let ret = IOBufferMemoryDescriptor.Create(0, o.txRingSize * R.DESCRIPTOR_BYTES, 128, txMem);
      if (ret !== kIOReturnSuccess) return ret;
      ret = IOBufferMemoryDescriptor.Create(0, o.rxRingSize * R.DESCRIPTOR_BYTES, 128, rxMem);
      if (ret !== kIOReturnSuccess) {
        txMem.value!.release();
        return ret;
      }
      iv.txRings.push(new TxRing(q, o.txRingSize, txMem.value!, this.byteLimitFor()));
      iv.rxRings.push(new RxRing(q, o.rxRingSize, rxMem.value!));
      iv.swQueues.push(
        new SoftwareQueue(o.swQueuePackets, o.swQueueBytes, links, o.appCapacity, !o.singleQueue),
      );
      this.aqm.push(new CoDel(o.codelTargetNs, o.codelIntervalNs));
    }
    return kIOReturnSuccess;
  }

  private createEventSources(): IOReturn {
    const iv = this.iv;
    for (let v = 0; v <= R.OTHER_VECTOR; v++) {
      const source = out<IOInterruptDispatchSource>();
      const ret = IOInterruptDispatchSource.Create(iv.pci!, v, iv.queue!, source);
      if (ret !== kIOReturnSuccess) return ret;
      const vector = v;
      const action = new OSAction<[number, number]>(this, iv.queue!, () =>
        vector === R.OTHER_VECTOR ? this.otherInterrupt() : this.queueInterrupt(vector),
      );
      source.value!.SetHandler(action);
      iv.interruptSources.push(source.value!);
      iv.interruptActions.push(action);
    }
    const timer = out<IOTimerDispatchSource>();
    const ret = IOTimerDispatchSource.Create(iv.queue!, timer);
    if (ret !== kIOReturnSuccess) return ret;
    iv.watchdog = timer.value!;
    iv.watchdogAction = new OSAction<[number]>(this, iv.queue!, () => this.watchdogTask());
    iv.watchdog.SetHandler(iv.watchdogAction);
    const shaperTimer = out<IOTimerDispatchSource>();
    const sret = IOTimerDispatchSource.Create(iv.queue!, shaperTimer);
    if (sret !== kIOReturnSuccess) return sret;
    iv.shaperTimer = shaperTimer.value!;
    iv.shaperAction = new OSAction<[number]>(this, iv.queue!, () => this.releaseShaped());
    iv.shaperTimer.SetHandler(iv.shaperAction);
    const pollTimer = out<IOTimerDispatchSource>();
    const pret = IOTimerDispatchSource.Create(iv.queue!, pollTimer);
    if (pret !== kIOReturnSuccess) return pret;
    iv.pollTimer = pollTimer.value!;
    iv.pollAction = new OSAction<[number]>(this, iv.queue!, () => this.pollTick());
    iv.pollTimer.SetHandler(iv.pollAction);
    return kIOReturnSuccess;
  }

  /** The statistics region lives in host memory so a client mapping sees the same bytes. */
  private createStatsRegion(): IOReturn {
    const layout = statsLayout(this.options.appCapacity);
    const memory = out<IOBufferMemoryDescriptor>();
    const ret = IOBufferMemoryDescriptor.Create(0, layout.bytes, 4096, memory);
    if (ret !== kIOReturnSuccess) return ret;
    this.iv.statsMemory = memory.value!;
    this.statsView = new StatsView(
      memory.value!.memory.buffer,
      memory.value!.offset,
      this.options.appCapacity,
    );
    this.statsView.initHeader();
    return kIOReturnSuccess;
  }

  /** Memory descriptor of the statistics region, for the user client to map read-only (a later issue). */
  get statsMemory(): IOBufferMemoryDescriptor | null {
    return this.iv.statsMemory;
  }

  /**
   * BQL-style byte limit per hardware ring: enough for two interrupt intervals at line
   * rate (so completions reaped once per interrupt never starve the wire) plus one max
   * frame, and never less than two max frames.
   */
  private byteLimitFor(): number {
    const bitsPerSecond = this.linkBitsPerSecond();
    const perInterval = (bitsPerSecond / 8) * this.options.itrUs * 1e-6;
    return Math.max(2 * 1522, Math.ceil(2 * perInterval) + 1522);
  }

  private linkBitsPerSecond(): number {
    const mmio = this.iv.mmio;
    if (!mmio || mmio.removed) return 1e9;
    const status = mmio.rd32(R.STATUS);
    if (status & R.STATUS_10G) return 10e9;
    if (status & R.STATUS_2G5) return 2.5e9;
    const speed = (status & R.STATUS_SPEED_MASK) >>> R.STATUS_SPEED_SHIFT;
    // SPEED field: 00 = 10, 01 = 100, 10/11 = 1000 Mb/s.
    return speed >= 2 ? 1e9 : speed === 1 ? 1e8 : 1e7;
  }

  // ---------------------------------------------------------------- enable / disable

  override SetInterfaceEnable(enable: boolean): IOReturn {
    const iv = this.iv;
    if (iv.mmio === null || iv.pool === null) return kIOReturnNotReady;
    if (iv.mmio.removed) return kIOReturnNoDevice;
    if (enable === this.enabled) return kIOReturnSuccess;
    this.runtime.tracer.info('driver', `SetInterfaceEnable(${enable})`);
    if (enable) {
      for (const r of iv.txRings) r.byteLimit = this.byteLimitFor();
      for (const a of this.aqm) a.reset();
      programHardware(iv.mmio, iv.txRings, iv.rxRings, this.options, this.mtu, this.rxFilterFlags());
      programTxScheduler(iv.mmio, this.options, this.linkBitsPerSecond());
      this.writeMulticastTable();
      for (const q of [iv.txs!, iv.txc!, iv.rxs!, iv.rxc!]) q.SetEnable(true);
      for (const s of iv.interruptSources) s.SetEnable(true);
      this.enabled = true;
      this.refillAllRx();
      this.updateLink();
      iv.watchdog!.WakeAtTime(
        kIOTimerClockMachAbsoluteTime,
        this.runtime.scheduler.now + this.options.watchdogPeriodNs,
        0,
      );
      this.txPacketAvailable();
    } else {
      this.enabled = false;
      iv.watchdog!.SetEnable(true);
      iv.watchdog!.WakeAtTime(kIOTimerClockMachAbsoluteTime, Infinity, 0);
      for (const s of iv.interruptSources) s.SetEnable(false);
      this.quiesceHardware();
      this.reclaimInFlight();
      for (const q of [iv.txs!, iv.rxs!]) q.SetEnable(false);
      this.linkUp = false;
      this.ReportLinkStatus(kIOUserNetworkLinkStatusInactive, kIOUserNetworkMediaEthernetNone);
      // Completion queues stay enabled until the stack has the aborted packets back.
    }
    return kIOReturnSuccess;
  }

  /** Stops DMA and interrupts: queue enables off, masks set. */
  private quiesceHardware(): void {
    const mmio = this.iv.mmio!;
    if (mmio.removed) return;
    mmio.wr32(R.EIMC, 0xffffffff);
    mmio.wr32(R.IMC, 0xffffffff);
    mmio.wr32(R.TCTL, 0);
    mmio.wr32(R.RCTL, 0);
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      mmio.wr32(R.TXDCTL(q), 0);
      mmio.wr32(R.RXDCTL(q), 0);
    }
    mmio.rd32(R.ICR);
  }

  /**
   * Takes back everything in flight so stale traffic can never reappear after a later
   * enable: Tx packets in rings and software queues go back to the stack as aborted;
   * Rx buffers go back to the pool.
   */
  private reclaimInFlight(): void {
    const iv = this.iv;
    const pool = iv.pool!;
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      let n = iv.txRings[q].reclaimAll(this.burst);
      this.completeAborted(this.burst, n);
      const sw = iv.swQueues[q];
      while (sw.count > 0) {
        n = 0;
        while (sw.count > 0 && n < this.burst.length) this.burst[n++] = sw.shift();
        this.completeAborted(this.burst, n);
      }
      // Rx buffers belong to the stack: hand them back as aborted so it can post them again.
      n = iv.rxRings[q].reclaimAll(this.burst);
      for (let i = 0; i < n; i++) {
        pool.dataLength[this.burst[i]] = 0;
        pool.setCompletionStatus(this.burst[i], kIOReturnAborted);
      }
      const taken = n > 0 ? iv.rxc!.EnqueuePackets(this.burst, n) : 0;
      for (let i = taken; i < n; i++) pool.DeallocatePacket(this.burst[i]);
    }
    // Held by a cap, or still in the submission queue: never sent, abort them too.
    let held = 0;
    this.shaper.drain((h) => {
      this.dropBurst[held++] = h;
      if (held === this.dropBurst.length) {
        this.completeAborted(this.dropBurst, held);
        held = 0;
      }
    });
    this.completeAborted(this.dropBurst, held);
    let n: number;
    while ((n = iv.txs!.DequeuePackets(this.burst, this.burst.length)) > 0)
      this.completeAborted(this.burst, n);
  }

  private completeAborted(handles: Int32Array, n: number): void {
    const pool = this.iv.pool!;
    const aborted = this.statsView?.app.dropAborted;
    for (let i = 0; i < n; i++) {
      pool.setCompletionStatus(handles[i], kIOReturnAborted);
      const app = pool.appId[handles[i]];
      if (aborted && app < aborted.length) aborted[app]++;
    }
    this.stats.drops.aborted += n;
    this.completeTx(handles, n);
  }

  /** Hands reaped packets back to the stack; what the completion queue refuses goes to the pool. */
  private completeTx(handles: Int32Array, n: number): void {
    if (n === 0) return;
    const taken = this.iv.txc!.EnqueuePackets(handles, n);
    if (taken < n) {
      this.stats.drops.completionFull += n - taken;
      const column = this.statsView?.app.dropCompletionFull;
      for (let i = taken; i < n; i++) {
        const app = this.iv.pool!.appId[handles[i]];
        if (column && app < column.length) column[app]++;
        this.iv.pool!.DeallocatePacket(handles[i]);
      }
    }
  }

  // ---------------------------------------------------------------- Tx path

  /** Data-available on the Tx submission queue: drain it at once into the class queues. */
  private txPacketAvailable(): void {
    if (!this.enabled) return;
    // Per-app columns change below: hold the region's seqlock for the whole drain.
    this.statsView?.beginWrite();
    this.drainSubmission();
    this.statsView?.endWrite(this.runtime.scheduler.now);
    this.transmitPending();
  }

  private drainSubmission(): void {
    const iv = this.iv;
    const pool = iv.pool!;
    const txs = iv.txs!;
    const sw = iv.swQueues;
    const burst = this.burst;
    const drops = this.dropBurst;
    const classifier = this.classifier;
    let dropped = 0;
    let n: number;
    const now = this.runtime.scheduler.now;
    const shaper = this.shaper;
    const currentQueue = this.statsView?.app.currentQueue;
    const capacity = this.options.appCapacity;
    const u8 = this.runtime.memory.u8;
    let held = false;
    while ((n = txs.DequeuePackets(burst, this.options.txBurst)) > 0) {
      for (let i = 0; i < n; i++) {
        const h = burst[i];
        const app = pool.appId[h];
        const q = classifier.classify(pool, h);
        if (app < capacity) currentQueue![app] = q;
        if (app !== 0) this.flows.learnTx(u8, pool.dataStart(h), pool.dataLength[h], app);
        if (shaper.isCapped(app)) {
          const verdict = shaper.offer(app, h, pool.dataLength[h], now);
          if (verdict === 'held') {
            if (app < capacity) this.statsView!.app.shapedPackets[app]++;
            held = true;
            continue;
          }
          if (verdict === 'dropped') {
            drops[dropped++] = h;
            pool.setCompletionStatus(h, kIOReturnAborted);
            this.stats.drops.capExceeded++;
            if (app < capacity) this.statsView!.app.dropCap[app]++;
            if (dropped === drops.length) {
              this.completeTx(drops, dropped);
              dropped = 0;
            }
            continue;
          }
        }
        if (!sw[q].push(h, pool.dataLength[h], now, app)) {
          pool.setCompletionStatus(h, kIOReturnAborted);
          this.stats.txQueueDrops[q]++;
          this.stats.drops.swQueueFull++;
          if (app < capacity) this.statsView!.app.dropQueueFull[app]++;
          drops[dropped++] = h;
          if (dropped === drops.length) {
            this.completeTx(drops, dropped);
            dropped = 0;
          }
        }
      }
    }
    if (held) this.armShaperTimer(now);
    if (dropped > 0) this.completeTx(drops, dropped);
  }

  private armShaperTimer(now: number): void {
    const at = this.shaper.nextReleaseNs(now);
    if (at !== Infinity) this.iv.shaperTimer!.WakeAtTime(kIOTimerClockMachAbsoluteTime, Math.max(at, now), 0);
  }

  /** Shaper timer: move conforming held packets into their class queues, then transmit. */
  private releaseShaped(): void {
    if (!this.enabled) return;
    const now = this.runtime.scheduler.now;
    this.shaper.release(now, this.sendShaped);
    this.transmitPending();
    this.armShaperTimer(now);
  }

  private readonly sendShaped = (h: number): void => {
    const pool = this.iv.pool!;
    const q = this.classifier.classify(pool, h);
    if (!this.iv.swQueues[q].push(h, pool.dataLength[h], this.runtime.scheduler.now, pool.appId[h])) {
      this.stats.drops.swQueueFull++;
      const app = pool.appId[h];
      if (this.statsView && app < this.options.appCapacity) this.statsView.app.dropQueueFull[app]++;
      this.stats.txQueueDrops[q]++;
      pool.setCompletionStatus(h, kIOReturnAborted);
      this.completeTx(this.singleHandle(h), 1);
    }
  };

  private readonly single = new Int32Array(1);
  private singleHandle(h: number): Int32Array {
    this.single[0] = h;
    return this.single;
  }

  /**
   * explain(packet): why this packet goes to its queue, and whether a cap will hold it —
   * from the packet's metadata and the tables in force now (control path).
   */
  explainPacket(handle: number, names?: (app: number) => string): string[] {
    const pool = this.iv.pool;
    if (pool === null || !pool.isValidHandle(handle))
      return [`packet ${handle}: not a packet of this driver's pool`];
    const steps = this.classifier.explain(pool, handle, names);
    const app = pool.appId[handle];
    if (this.shaper.isCapped(app)) {
      steps.push(
        `app id ${app} is capped: the packet waits in its hold ring until the app's tokens cover it`,
      );
    }
    return steps;
  }

  /**
   * Applies a compiled rule set while traffic flows: the classifier table and the caps swap
   * between two bursts on the driver's serial queue, so no packet sees half a rule set.
   */
  applyRules(compiled: AppSettingsTable): void {
    const now = this.runtime.scheduler.now;
    this.classifier.apply(compiled.queueByApp, compiled.generation);
    this.shaper.configure(compiled.capBpsByApp, compiled.burstBytesByApp, now);
    const view = this.statsView;
    if (view) {
      view.beginWrite();
      const caps = view.app.capBps;
      for (let app = 0; app < caps.length; app++)
        caps[app] = app < compiled.capBpsByApp.length ? compiled.capBpsByApp[app] : 0;
      view.header.setUint32(H_RULES_GENERATION, compiled.generation >>> 0, true);
      view.endWrite(now);
    }
    if (this.enabled) this.releaseShaped();
  }

  /**
   * Moves packets from class queues to hardware rings as far as each ring admits, highest
   * queue first; one TDT write per ring. With CoDel, a packet that waited too long is
   * dropped here, at dequeue, where its sojourn time is known.
   */
  private transmitPending(): void {
    this.statsView?.beginWrite();
    this.postToRings();
    this.statsView?.endWrite(this.runtime.scheduler.now);
  }

  private postToRings(): void {
    const iv = this.iv;
    const mmio = iv.mmio!;
    const pool = iv.pool!;
    const codel = this.options.aqm === 'codel';
    const now = this.runtime.scheduler.now;
    let dropped = 0;
    for (let q = R.NUM_QUEUES - 1; q >= 0; q--) {
      const sw = iv.swQueues[q];
      if (sw.count === 0) continue;
      const ring = iv.txRings[q];
      const aqm = this.aqm[q];
      let posted = 0;
      while (sw.count > 0 && ring.admits(sw.peekLength())) {
        const sojourn = now - sw.peekTime();
        const h = sw.shift();
        if (codel && aqm.shouldDrop(sojourn, now, sw.bytes)) {
          pool.setCompletionStatus(h, kIOReturnAborted);
          this.stats.drops.aqm++;
          const app = pool.appId[h];
          if (app < this.options.appCapacity) this.statsView!.app.dropAqm[app]++;
          this.stats.txQueueDrops[q]++;
          this.dropBurst[dropped++] = h;
          if (dropped === this.dropBurst.length) {
            this.completeTx(this.dropBurst, dropped);
            dropped = 0;
          }
          continue;
        }
        ring.post(pool, h, pool.dataLength[h]);
        posted++;
      }
      if (posted > 0) mmio.wr32(R.TDT(q), ring.tail());
      ring.stopped = sw.count > 0;
    }
    if (dropped > 0) this.completeTx(this.dropBurst, dropped);
  }

  /** igb_clean_tx_irq for one ring; returns true when everything done was reaped. */
  private cleanTx(q: number): boolean {
    const iv = this.iv;
    const ring = iv.txRings[q];
    const view = this.statsView;
    view?.beginWrite();
    const n = ring.clean(iv.pool!, this.burst2, this.options.txBudget, this.runtime.scheduler.now, view);
    if (view) this.publishQueueStats(view, q);
    view?.endWrite(this.runtime.scheduler.now);
    this.completeTx(this.burst2, n);
    if (ring.stopped && iv.swQueues[q].count > 0 && ring.admits(iv.swQueues[q].peekLength())) {
      ring.restarts++;
      this.transmitPending();
    }
    return n < this.options.txBudget;
  }

  private publishQueueStats(view: StatsView, q: number): void {
    const ring = this.iv.txRings[q];
    view.queue.txPackets[q] = ring.packets;
    view.queue.txBytes[q] = ring.bytes;
    view.queue.swQueueBytes[q] = this.iv.swQueues[q].bytes;
    view.queue.ringInflightBytes[q] = ring.inflightBytes;
    view.queue.drops[q] = this.stats.txQueueDrops[q];
    view.queue.restarts[q] = ring.restarts;
  }

  // ---------------------------------------------------------------- Rx path

  private rxBuffersAvailable(): void {
    if (this.enabled) this.refillAllRx();
  }

  private refillAllRx(): void {
    for (let q = 0; q < R.NUM_QUEUES; q++) this.refillRx(q, true);
  }

  /** Gives hardware fresh buffers from the Rx submission queue; RDT moves past a threshold. */
  private refillRx(q: number, force: boolean): void {
    const iv = this.iv;
    const ring = iv.rxRings[q];
    const pool = iv.pool!;
    let want = ring.unfilled();
    while (want > 0) {
      const n = iv.rxs!.DequeuePackets(this.burst2, want);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const h = this.burst2[i];
        pool.dataOffset[h] = 0;
        pool.dataLength[h] = 0;
        ring.fill(pool, h);
      }
      want -= n;
    }
    // Batch the doorbell, but never let the hardware run short of buffers while we batch.
    const pendingTail = ring.unpublished();
    if (
      pendingTail > 0 &&
      (force ||
        pendingTail >= this.options.rxRefillThreshold ||
        ring.hardwareOwned() < this.options.rxRefillThreshold)
    ) {
      iv.mmio!.wr32(R.RDT(q), ring.publishTail());
    }
  }

  /** NAPI-style Rx poll within the budget; true when the ring had no more work. */
  private cleanRx(q: number): boolean {
    const iv = this.iv;
    const ring = iv.rxRings[q];
    const pool = iv.pool!;
    const result = ring.clean(
      pool,
      this.burst,
      this.dropBurst,
      this.options.rxBudget,
      this.runtime.scheduler.now,
    );
    const good = result.good;
    const bad = result.bad;
    const view = this.statsView;
    if (good > 0 && view) {
      const u8 = this.runtime.memory.u8;
      const rxPackets = view.app.rxPackets;
      const rxBytes = view.app.rxBytes;
      view.beginWrite();
      for (let i = 0; i < good; i++) {
        const h = this.burst[i];
        const app = this.flows.appForRx(u8, pool.dataStart(h), pool.dataLength[h]);
        if (app < rxPackets.length) {
          rxPackets[app]++;
          rxBytes[app] += pool.dataLength[h];
        }
      }
      view.endWrite(this.runtime.scheduler.now);
    }
    if (good > 0) {
      const taken = iv.rxc!.EnqueuePackets(this.burst, good);
      if (taken < good) {
        this.stats.drops.rxCompletionFull += good - taken;
        for (let i = taken; i < good; i++) pool.DeallocatePacket(this.burst[i]);
      }
    }
    if (bad > 0) {
      // Errored frames: reuse their buffers straight away (igb reuses the page).
      this.stats.drops.rxErrors += bad;
      for (let i = 0; i < bad; i++) {
        pool.dataOffset[this.dropBurst[i]] = 0;
        ring.fill(pool, this.dropBurst[i]);
      }
    }
    this.refillRx(q, bad > 0);
    return good + bad < this.options.rxBudget;
  }

  // ---------------------------------------------------------------- interrupts

  /** Queue-pair vector: clean Tx then Rx; keep polling until done, then unmask the vector. */
  private queueInterrupt(vector: number): void {
    if (!this.enabled || this.deviceRemoved) return;
    const txDone = this.cleanTx(vector);
    const rxDone = this.cleanRx(vector);
    if (txDone && rxDone) {
      this.iv.mmio!.wr32(R.EIMS, 1 << vector);
    } else {
      this.iv.queue!.post(this.pollHandlers[vector], vector);
    }
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
    if (icr & R.ICR_RXO) {
      // Overruns come in storms: log the first of each watchdog period, count them all.
      if (this.rxOverruns++ === this.rxOverrunsLogged)
        this.logEvent('rx-overrun', 'ICR.RXO: frames dropped, no Rx buffer space', 'warn');
    }
    if (this.enabled) mmio.wr32(R.EIMS, 1 << R.OTHER_VECTOR);
  }

  private updateLink(): void {
    const mmio = this.iv.mmio!;
    if (mmio.removed) return;
    const status = mmio.rd32(R.STATUS);
    const up = (status & R.STATUS_LU) !== 0 && this.enabled;
    if (up === this.linkUp) return;
    this.linkUp = up;
    const bps = this.linkBitsPerSecond();
    const media =
      bps >= 10e9
        ? kIOUserNetworkMediaEthernet10GBaseT
        : bps >= 2.5e9
          ? kIOUserNetworkMediaEthernet2500BaseT
          : kIOUserNetworkMediaEthernet1000BaseT;
    this.logEvent(
      up ? 'link-up' : 'link-down',
      up ? `Link is Up ${bps / 1e6} Mbps Full Duplex` : 'Link is Down',
    );
    if (up) {
      for (const r of this.iv.txRings) {
        r.byteLimit = this.byteLimitFor();
        r.lastProgressNs = this.runtime.scheduler.now;
      }
      this.ReportDataBandwidths(bps, bps, 0, 0);
      // Rate factors are relative to the link: reprogram them for the new speed.
      programTxScheduler(this.iv.mmio!, this.options, bps);
    }
    this.ReportLinkStatus(
      up ? kIOUserNetworkLinkStatusActive : kIOUserNetworkLinkStatusInactive,
      up ? media | kIOUserNetworkMediaOptionFullDuplex : kIOUserNetworkMediaEthernetNone,
    );
  }

  // ---------------------------------------------------------------- watchdog and reset

  /** igb_watchdog_task: link, stats, hang check; re-arms itself (WakeAtTime replaces, so no double timers). */
  private watchdogTask(): void {
    if (!this.enabled || this.deviceRemoved) return;
    const iv = this.iv;
    const now = this.runtime.scheduler.now;
    const mmio = iv.mmio!;
    // A reset nobody asked for (function reset, firmware) leaves Tx disabled: re-initialise.
    if ((mmio.rd32(R.TCTL) & R.TCTL_EN) === 0) {
      if (mmio.removed) return;
      this.logEvent(
        'unexpected-reset',
        'TCTL.EN found clear while up: device was reset underneath us',
        'error',
      );
      this.scheduleReset('unexpected-reset');
      iv.watchdog!.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + this.options.watchdogPeriodNs, 0);
      return;
    }
    this.updateLink();
    this.stats.update(mmio);
    this.rxOverrunsLogged = this.rxOverruns;
    this.recoverInterrupts();
    const paused = (mmio.rd32(R.STATUS) & R.STATUS_TXOFF) !== 0;
    this.sampleWireBytes(now);
    if (this.linkUp && !paused) {
      for (const ring of iv.txRings) {
        // Work pending, no progress for the timeout, and the oldest descriptor still not done
        // (done-but-unreaped is a lost interrupt, handled above, not a hang).
        if (
          ring.pending > 0 &&
          now - ring.lastProgressNs > this.options.hangTimeoutNs &&
          !ring.readyToClean() &&
          !this.starvedByPolicy(ring.queueIndex)
        ) {
          this.reportHang(ring, now);
          this.scheduleReset('tx-hang');
          break;
        }
      }
    } else {
      // No hang while paused or down: restart the clocks.
      for (const ring of iv.txRings) ring.lastProgressNs = now;
    }
    iv.watchdog!.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + this.options.watchdogPeriodNs, 0);
  }

  /**
   * Interrupt loss insurance (igb's watchdog forces a poll the same way): a ring holding
   * completed descriptors that nobody reaped since the last watchdog lost its interrupt —
   * its vector may even be left auto-masked. Unmask it and poll now.
   */
  private recoverInterrupts(): void {
    const iv = this.iv;
    let lost = 0;
    const now = this.runtime.scheduler.now;
    // Far longer than any moderation delay: done descriptors this old were never announced.
    const stale = Math.max(1e6, 50 * this.options.itrUs * 1000);
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      const tx = iv.txRings[q];
      const rx = iv.rxRings[q];
      if (
        (tx.readyToClean() && now - tx.lastProgressNs > stale) ||
        (rx.readyToClean() && now - rx.lastProgressNs > stale)
      )
        lost |= 1 << q;
    }
    if (lost === 0) return;
    this.logEvent(
      'interrupt-recovery',
      `queues 0x${lost.toString(16)} had completed descriptors unreaped for over a millisecond (interrupt lost): polling`,
      'warn',
    );
    iv.mmio!.wr32(R.EIMS, lost);
    for (let q = 0; q < R.NUM_QUEUES; q++) if (lost & (1 << q)) this.queueInterrupt(q);
    // Interrupts are not to be trusted for a while: poll every millisecond as well.
    const first = this.pollUntilNs <= now;
    this.pollUntilNs = now + this.options.watchdogPeriodNs * 2;
    if (first) iv.pollTimer!.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + POLL_PERIOD_NS, 0);
  }

  /** Poll mode after interrupt loss: reap every queue each millisecond until it expires. */
  private pollTick(): void {
    if (!this.enabled || this.deviceRemoved) return;
    const now = this.runtime.scheduler.now;
    for (let q = 0; q < R.NUM_QUEUES; q++) this.queueInterrupt(q);
    if (now < this.pollUntilNs)
      this.iv.pollTimer!.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + POLL_PERIOD_NS, 0);
  }

  private pollUntilNs = 0;

  /**
   * A queue the configured policy is allowed to starve is not hung: under strict priority a
   * queue waits while queues that outrank it fill the link; a DRR queue with quantum 0 is
   * never served. Queues with a floor, FIFO and DRR members cannot be starved. "Fill" is
   * judged on the wire time the outranking queues used since the last watchdog pass.
   */
  private starvedByPolicy(q: number): boolean {
    const o = this.options;
    if (o.floors[q] > 0 || o.txScheduler === 'fifo') return false;
    if (o.txScheduler === 'drr') return o.drrQuanta[q] === 0;
    const strict = (x: number) => o.txScheduler === 'sp' || o.drrQuanta[x] === 0;
    let outrankingWireBytes = 0;
    for (let x = 0; x < R.NUM_QUEUES; x++) {
      // TXARB gives higher queue numbers the higher slots; strict queues outrank the DRR group.
      if (x !== q && strict(x) && (!strict(q) || x > q))
        outrankingWireBytes += this.wireBytesSinceWatchdog[x];
    }
    const capacity = (this.linkBitsPerSecond() / 8) * (this.watchdogWindowNs / 1e9);
    return outrankingWireBytes >= 0.9 * capacity;
  }

  /** Per-queue wire bytes (frame + FCS + preamble + IFG) sent between the last two watchdog passes. */
  private readonly wireBytesSinceWatchdog = new Float64Array(R.NUM_QUEUES);
  private readonly wireBytesAtWatchdog = new Float64Array(R.NUM_QUEUES);
  private watchdogWindowNs = 0;
  private lastWatchdogNs = 0;

  private sampleWireBytes(now: number): void {
    for (const r of this.iv.txRings) {
      const total = r.bytes + 24 * r.packets;
      this.wireBytesSinceWatchdog[r.queueIndex] = total - this.wireBytesAtWatchdog[r.queueIndex];
      this.wireBytesAtWatchdog[r.queueIndex] = total;
    }
    this.watchdogWindowNs = now - this.lastWatchdogNs;
    this.lastWatchdogNs = now;
  }

  private reportHang(ring: TxRing, now: number): void {
    const mmio = this.iv.mmio!;
    this.hangsDetected++;
    this.logEvent(
      'tx-hang',
      `Detected Tx Unit Hang: queue ${ring.queueIndex} TDH ${mmio.rd32(R.TDH(ring.queueIndex))} TDT ${mmio.rd32(R.TDT(ring.queueIndex))} ` +
        `next_to_use ${ring.nextToUse & ring.mask} next_to_clean ${ring.nextToClean & ring.mask} at ${now} ns`,
      'error',
    );
  }

  /** igb_reset_task: disable and re-enable; early out if down or already resetting. */
  private scheduleReset(reason: string): void {
    if (!this.enabled || this.resetting) return;
    this.resetting = true;
    this.iv.queue!.DispatchAsync(() => {
      this.resetting = false;
      if (!this.enabled || this.deviceRemoved) return;
      this.resets++;
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
    this.reclaimInFlight();
    // Refuse new work at the queues, as a disable does: nothing can reach the device now.
    this.iv.txs?.SetEnable(false);
    this.iv.rxs?.SetEnable(false);
    this.linkUp = false;
    this.ReportLinkStatus(kIOUserNetworkLinkStatusInactive, kIOUserNetworkMediaEthernetNone);
  }

  private logEvent(kind: DriverEventKind, detail: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.events.add(this.runtime.scheduler.now, kind, detail);
    this.runtime.tracer.log(level, 'driver', `${kind}: ${detail}`);
  }

  // ---------------------------------------------------------------- configuration without reset

  override GetMaxTransferUnit(mtu: Out<number>): IOReturn {
    mtu.value = this.mtu;
    return kIOReturnSuccess;
  }

  /** Changes the MTU in place (RLPML/LPE) — no reset, traffic keeps flowing (the io-pkt lesson). */
  override SetMTU(mtu: number): IOReturn {
    const max = this.options.bufferSize - ETHERNET_OVERHEAD - VLAN_BYTES;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > max) return kIOReturnBadArgument;
    this.mtu = mtu;
    if (this.enabled && this.iv.mmio) {
      this.iv.mmio.wr32(R.RLPML, mtu + ETHERNET_OVERHEAD + VLAN_BYTES);
      this.writeRctl();
    }
    return kIOReturnSuccess;
  }

  override SetPromiscuousModeEnable(enable: boolean): IOReturn {
    this.promiscuous = enable;
    this.writeRctl();
    return kIOReturnSuccess;
  }

  override SetAllMulticastModeEnable(enable: boolean): IOReturn {
    this.allMulticast = enable;
    this.writeRctl();
    return kIOReturnSuccess;
  }

  /** Programs the 4096-bit multicast hash (MTA) from the list; no reset. */
  override SetMulticastAddresses(addresses: readonly Uint8Array[], count: number): IOReturn {
    if (count < 0 || count > addresses.length || addresses.slice(0, count).some((a) => a.length !== 6))
      return kIOReturnBadArgument;
    this.multicast = addresses.slice(0, count).map((a) => a.slice());
    this.writeMulticastTable();
    return kIOReturnSuccess;
  }

  /** The 4096-bit multicast hash (MTA) from the list; also rewritten after every reset. */
  private writeMulticastTable(): void {
    const mmio = this.iv.mmio;
    if (!mmio || mmio.removed) return;
    const table = new Uint32Array(128);
    for (const a of this.multicast) {
      // RCTL.MO = 00: hash = DA[47:36], i.e. bits 4..15 of the last two bytes.
      const hash = ((a[4] >>> 4) | (a[5] << 4)) & 0xfff;
      table[(hash >>> 5) & 0x7f] |= 1 << (hash & 0x1f);
    }
    for (let i = 0; i < 128; i++) mmio.wr32(R.MTA(i), table[i]);
  }

  private rxFilterFlags(): number {
    return (
      (this.promiscuous ? R.RCTL_UPE | R.RCTL_MPE : 0) |
      (this.allMulticast ? R.RCTL_MPE : 0) |
      (this.mtu > 1500 ? R.RCTL_LPE : 0)
    );
  }

  private writeRctl(): void {
    const mmio = this.iv.mmio;
    if (!mmio || mmio.removed || !this.enabled) return;
    mmio.wr32(R.RCTL, R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC | this.rxFilterFlags());
  }

  /**
   * Changes the hardware Tx policy at run time, without a reset: arbiter mode, DRR quanta,
   * per-queue floors (starvation guard) and maximum rates. Refuses bad values whole.
   */
  setTxPolicy(
    policy: Partial<Pick<DriverOptions, 'txScheduler' | 'drrQuanta' | 'floors' | 'maxBps'>>,
  ): IOReturn {
    const q4 = (a: unknown) =>
      Array.isArray(a) &&
      a.length === 4 &&
      a.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    if (
      policy.drrQuanta &&
      (!q4(policy.drrQuanta) || policy.drrQuanta.some((x) => !Number.isInteger(x) || x > 1 << 20))
    )
      return kIOReturnBadArgument;
    if (
      policy.floors &&
      (!q4(policy.floors) || policy.floors.some((x) => x > 1) || policy.floors.reduce((a, b) => a + b, 0) > 1)
    )
      return kIOReturnBadArgument;
    if (policy.maxBps && !q4(policy.maxBps)) return kIOReturnBadArgument;
    if (policy.txScheduler && !['fifo', 'sp', 'drr', 'sp-drr'].includes(policy.txScheduler))
      return kIOReturnBadArgument;
    // Pure DRR with every quantum 0 would never send anything.
    const mode = policy.txScheduler ?? this.options.txScheduler;
    if (mode === 'drr' && (policy.drrQuanta ?? this.options.drrQuanta).every((x) => x === 0)) {
      return kIOReturnBadArgument;
    }
    Object.assign(this.options, policy);
    if (this.iv.mmio && !this.iv.mmio.removed)
      programTxScheduler(this.iv.mmio, this.options, this.linkBitsPerSecond());
    return kIOReturnSuccess;
  }

  // ---------------------------------------------------------------- statistics

  /** Refreshes hardware totals now (as `netstat` would trigger get_stats64). */
  updateStats(): void {
    if (this.iv.mmio) this.stats.update(this.iv.mmio);
  }

  netstat(): NetstatRow {
    this.updateStats();
    const s = this.stats;
    const mac = Array.from(this.iv.mac, (b) => b.toString(16).padStart(2, '0')).join(':');
    return {
      name: 'en0',
      mtu: this.mtu,
      address: mac,
      Ipkts: s.rxGoodPackets,
      Ierrs: s.crcErrors + s.rxErrors + s.rxMissed,
      Opkts: s.txGoodPackets,
      Oerrs:
        s.drops.swQueueFull + s.drops.aqm + s.drops.capExceeded + s.drops.completionFull + s.drops.aborted,
      Coll: 0,
      Drop: s.rxNoBuffer,
    };
  }
}
