/**
 * HostStack: the host side above the driver (the DLIL/ifnet half of a NetworkingDriverKit
 * interface) with its synthetic applications. It is the interface's system-side listener:
 * nothing is sent until the driver reports the link active, as on a Mac.
 *
 * Where a packet can wait, start to end (nothing else in the stack holds packets):
 *  1. Not yet built: apps generate packets only when they send (no qdisc, no socket buffer
 *     of bytes). Before the peer MAC is resolved by ARP, apps are not started at all.
 *  2. `App.held` (bulk apps only): packets built and refused by a full Tx submission queue,
 *     retried first on the next send (woken by data-serviced or a Tx completion). They count
 *     against the app's send buffer. Freed, counted as `txUnsentAtStop`, when the app stops.
 *  3. The Tx submission queue (stack → driver), then whatever the driver and NIC hold
 *     (descriptor rings, the NIC FIFO, the wire): outside this file.
 *  4. The Tx completion queue (driver → stack) until the stack's reap event runs; then the
 *     packet is counted and freed to the pool.
 *  5. Rx buffers: posted empty on the Rx submission queue (owned by the driver until filled),
 *     then on the Rx completion queue until the reap event parses them and re-posts them.
 *
 * Drops are counted by cause: Tx submission queue full, pool empty, interface down (queue
 * disabled or link not reported active), and completions with an error status. So for every
 * app: txSent = txEnqueued + drops, and after a drain txEnqueued = txCompleted + txErrors.
 * (A bulk app never drops: it counts a packet as sent when the queue accepts it, and waits.)
 * The parts: `TxSubmit` (build, submit, reap), `ControlProtocols` (ARP, echo), `RxDemux`.
 */
import type { EventHandler, EventId, Scheduler } from '../sim/scheduler.ts';
import { Prng } from '../sim/prng.ts';
import { kIOUserNetworkLinkStatusActive } from '../networking/constants.ts';
import type {
  EthernetInterfaceListener,
  IOUserNetworkEthernet,
  RegisteredQueues,
} from '../networking/ethernet.ts';
import { DEFAULT_DATA_OFFSET, type IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { parseIpv4 } from '../net/ipv4-address.ts';
import { macFromBytes } from '../net/mac.ts';
import { buildFlowTemplate } from '../net/flow-frames.ts';
import type { RxFlowSource } from '../net/rx-flow.ts';
import type { AppIdentity } from '../abi/app-identity.ts';
import { App, AppCounters, type AppHost } from './apps/app.ts';
import { identitiesFor } from './app-numbering.ts';
import { createApp } from './apps/create-app.ts';
import { snapshotAppStats, type AppStats, type StackAccounting } from './app-stats.ts';
import { ControlProtocols } from './control-protocols.ts';
import { RxBuffers } from './rx-buffers.ts';
import { RxDemux } from './rx-demux.ts';
import { serviceClassDscp } from './service-class.ts';
import { StackCounters } from './stack-counters.ts';
import type { StackCore } from './stack-core.ts';
import { SYSTEM_IDENTITY } from './system-identity.ts';
import type { AppConfig } from './traffic-profile.ts';
import type { FlowObserver } from './flow-observer.ts';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/constants.ts';
import { TxSubmit } from './tx-submit.ts';

export interface HostStackOptions {
  /** A registered interface: its four queues, pool and MAC are used. */
  iface: IOUserNetworkEthernet;
  /** Host IPv4 address (u32 in network order or dotted text). */
  hostIp: number | string;
  /** Link partner's IPv4 address; its MAC is resolved by ARP at start. */
  peerIp: number | string;
  apps: readonly AppConfig[];
  /** PRNG seed for bursty gaps (default 1). */
  seed?: number;
  /** Who sources `receive` flows (the LinkPartner). Required when a receive app exists. */
  flowSource?: RxFlowSource | null;
  /** Rx buffers to keep posted (default min(Rx submission capacity, packetCount / 4)). */
  rxBuffers?: number;
  /** ARP request retry interval until the peer answers (default 100 ms). */
  arpRetryNs?: number;
  /** Verify IPv4/UDP/TCP/ICMP checksums of received frames (default true). */
  verifyRxChecksums?: boolean;
  /** Defaults to the pool's runtime scheduler. */
  scheduler?: Scheduler;
  /** Told of every flow opening and closing, with its app's identity (the app's side). */
  observer?: FlowObserver | null;
}

/** Size of a receive app's request frame (an HTTP GET fits). */
const RECEIVE_REQUEST_BYTES = 200;
const LIFECYCLE_STOP = 1;

export class HostStack implements AppHost, StackCore, EthernetInterfaceListener {
  readonly scheduler: Scheduler;
  readonly iface: IOUserNetworkEthernet;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly queues: RegisteredQueues;
  readonly counters = new StackCounters();
  readonly systemCounters = new AppCounters();
  /** Apps by index; app i has appId i + 1. The stack numbers apps; everyone else asks it. */
  readonly apps: readonly App[];
  readonly hostMac: number;
  readonly hostIp: number;
  readonly peerIp: number;
  readonly mem: Uint8Array;
  readonly rxTarget: number;

  private readonly tx: TxSubmit;
  private readonly control: ControlProtocols;
  private readonly demux: RxDemux;
  private readonly rx: RxBuffers;
  private readonly flowSource: RxFlowSource | null;
  private readonly burst = new Int32Array(64);
  /** Pending app start/stop events (cancelled by stop). */
  private readonly lifecycleEvents: EventId[] = [];
  private started = false;
  private stopped = false;
  private startTime = 0;
  /** Only a link the driver reported active carries traffic; never reported counts as down. */
  private linkActive = false;
  private readonly observer: FlowObserver | null;
  /** The open flow of each app (by index), or 0. */
  private readonly openFlow: Uint32Array;
  private nextFlowId = 1;

  constructor(options: HostStackOptions) {
    const q = options.iface.registeredQueues;
    const pool = options.iface.packetPool;
    if (q === null || pool === null)
      throw new Error('HostStack: the interface is not registered (no queues or pool)');
    this.iface = options.iface;
    this.queues = q;
    this.pool = pool;
    this.scheduler = options.scheduler ?? pool.runtime.scheduler;
    this.mem = pool.runtime.memory.u8;
    this.hostMac = macFromBytes(options.iface.macAddress);
    this.hostIp = typeof options.hostIp === 'string' ? parseIpv4(options.hostIp) : options.hostIp >>> 0;
    this.peerIp = typeof options.peerIp === 'string' ? parseIpv4(options.peerIp) : options.peerIp >>> 0;
    this.flowSource = options.flowSource ?? null;
    this.rxTarget = Math.max(
      1,
      options.rxBuffers ?? Math.min(q.rxSubmission.capacity, Math.floor(pool.packetCount / 4)),
    );
    this.rx = new RxBuffers(pool, q.rxSubmission, q.rxCompletion, this.rxTarget);
    this.apps = this.createApps(options);
    this.observer = options.observer ?? null;
    this.openFlow = new Uint32Array(this.apps.length);
    this.tx = new TxSubmit(this);
    this.control = new ControlProtocols(this, this.tx, options.arpRetryNs ?? 100_000_000, (mac, now) =>
      this.peerResolved(mac, now),
    );
    this.demux = new RxDemux(this, this.control, options.verifyRxChecksums ?? true);
    this.apps.forEach((app, i) => this.demux.register(app, i, this.apps));
    this.linkActive = options.iface.currentLinkStatus.status === kIOUserNetworkLinkStatusActive;
    options.iface.listener = this;
  }

  private createApps(options: HostStackOptions): App[] {
    if (options.apps.length > 0xffff)
      throw new RangeError('HostStack: at most 65535 apps (pool.appId is 16 bits)');
    const root = new Prng(options.seed ?? 1);
    const room = this.pool.bufferSize - DEFAULT_DATA_OFFSET;
    const identities = identitiesFor(options.apps);
    return options.apps.map((config, i) => {
      const t = config.traffic;
      if (t.kind !== 'receive' && Math.max(t.packetBytes, 60) > room)
        throw new RangeError(
          `HostStack: app "${config.name}": ${t.packetBytes} B frames do not fit pool buffers (${room} B after headroom)`,
        );
      if (t.kind === 'receive' && this.flowSource === null)
        throw new Error(
          `HostStack: app "${config.name}" receives traffic but no flowSource (link partner) was given`,
        );
      return createApp(this, identities[i], config, root.fork(i + 1));
    });
  }

  /** Every app's identity, as the stack numbers them (the one numbering). */
  get identities(): AppIdentity[] {
    return this.apps.map((a) => a.identity);
  }

  get peerMac(): number {
    return this.control.peerMac;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Template reuse in Tx buffers on (default) or off (the per-frame reference of the golden tests). */
  setTemplateReuse(on: boolean): void {
    this.tx.templateReuse = on;
  }

  /** The Rx demux's fixed-offset path for plain datagrams on (default) or off (the per-frame reference). */
  setRxFastPath(on: boolean): void {
    this.demux.fastPath = on;
  }

  /** Installs the queue handlers, posts Rx buffers and resolves the peer by ARP; apps start after. */

  start(): void {
    if (this.started) throw new Error('HostStack: already started');
    this.started = true;
    this.startTime = this.scheduler.now;
    this.queues.txCompletion.setSystemHandlers(this.txCompletionHandler, null);
    this.queues.rxCompletion.setSystemHandlers(this.rxCompletionHandler, null);
    this.queues.txSubmission.setSystemHandlers(null, this.txServicedHandler);
    this.queues.rxSubmission.setSystemHandlers(null, this.rxServicedHandler);
    this.topUpRx();
    this.control.startResolving();
  }

  /** Stops every app (held packets are freed); outstanding packets still come back and are reaped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const now = this.scheduler.now;
    this.control.stop();
    // App start/stop times not reached yet: cancel them, or they would outlive the stack.
    for (const id of this.lifecycleEvents) this.scheduler.cancel(id);
    this.lifecycleEvents.length = 0;
    for (const app of this.apps) this.stopApp(app, now);
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Removes the stack's queue handlers and listener (after stop and drain, before the interface goes away). */
  detach(): void {
    this.queues.txCompletion.setSystemHandlers(null, null);
    this.queues.rxCompletion.setSystemHandlers(null, null);
    this.queues.txSubmission.setSystemHandlers(null, null);
    this.queues.rxSubmission.setSystemHandlers(null, null);
    if (this.iface.listener === this) this.iface.listener = null;
  }

  /**
   * After the interface went down: takes back every packet still sitting in the four queues
   * (Rx buffers the driver never took, completions nobody reaped) and frees it, so the pool
   * is whole again. Returns how many it freed.
   */
  reclaimQueues(): number {
    let freed = 0;
    const q = this.queues;
    for (const queue of [q.rxSubmission, q.rxCompletion, q.txCompletion, q.txSubmission]) {
      let n: number;
      while ((n = queue.DequeuePackets(this.burst, this.burst.length)) > 0) {
        this.pool.DeallocatePackets(this.burst, n);
        freed += n;
      }
    }
    this.rx.posted = 0;
    this.counters.rxBuffersPosted = 0;
    return freed;
  }

  private stopApp(app: App, now: number): void {
    app.deactivate(now);
    this.tx.freeHeld(app);
  }

  private peerResolved(mac: number, now: number): void {
    if (this.stopped) return;
    this.apps.forEach((app, i) => {
      const t = app.profile;
      // A receive app sends one small request (its GET) from its own port to the source's:
      // the flow's first packet, and how the driver learns which app the flow belongs to.
      const receive = t.kind === 'receive';
      app.template = buildFlowTemplate({
        srcMac: this.hostMac,
        dstMac: mac,
        vlanPcp: app.config.vlanPcp ?? -1,
        srcIp: this.hostIp,
        dstIp: this.peerIp,
        protocol: t.protocol,
        srcPort: receive ? t.dstPort : t.srcPort,
        dstPort: receive ? t.srcPort : t.dstPort,
        icmpId: app.identity.pid & 0xffff,
        frameLength: receive ? RECEIVE_REQUEST_BYTES : t.packetBytes,
        dscp: serviceClassDscp(app.serviceClass),
        tcpIsn: (app.identity.pid * 2654435761) >>> 0,
      });
      app.stopAt = this.startTime + t.stopNs;
      this.lifecycleEvents.push(
        this.scheduler.schedule(Math.max(now, this.startTime + t.startNs), this.lifecycleHandler, i * 2),
      );
      if (app.stopAt < Infinity)
        this.lifecycleEvents.push(
          this.scheduler.schedule(app.stopAt, this.lifecycleHandler, i * 2 + LIFECYCLE_STOP),
        );
    });
  }

  private readonly lifecycleHandler: EventHandler = {
    onEvent: (arg) => {
      const now = this.scheduler.now;
      const app = this.apps[arg >> 1];
      if ((arg & LIFECYCLE_STOP) !== 0) this.stopApp(app, now);
      else if (!this.stopped && now < app.stopAt) app.activate(now);
    },
  };

  // ---------------------------------------------------------------- the flow observer

  /** AppHost: an app starts sending — its flow opens (reported before its first packet). */
  appActivated(app: App, now: number): void {
    const i = app.identity.appId - 1;
    if (this.observer === null || this.openFlow[i] !== 0) return;
    const t = app.profile;
    const flowId = this.nextFlowId++;
    this.openFlow[i] = flowId;
    const icmp = t.kind === 'ping';
    const receive = t.kind === 'receive';
    this.observer.flowOpened(
      {
        flowId,
        protocol: icmp ? IPPROTO_ICMP : t.protocol === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
        localIp: this.hostIp,
        remoteIp: this.peerIp,
        localPort: icmp ? app.identity.pid & 0xffff : receive ? t.dstPort : t.srcPort,
        remotePort: icmp ? 0 : receive ? t.srcPort : t.dstPort,
        identity: app.identity,
      },
      now,
    );
  }

  /** AppHost: an app stopped — its flow closes. */
  appDeactivated(app: App, now: number): void {
    const i = app.identity.appId - 1;
    const flowId = this.openFlow[i];
    if (this.observer === null || flowId === 0) return;
    this.openFlow[i] = 0;
    this.observer.flowClosed(flowId, now);
  }

  // ---------------------------------------------------------------- the interface

  /** Tx submission queue enabled and the link reported active by the driver. */
  interfaceUp(): boolean {
    return this.linkActive && this.queues.txSubmission.isEnabled;
  }

  /** EthernetInterfaceListener: the driver registered (we are made after that). */
  interfaceRegistered(): void {}

  /** EthernetInterfaceListener: the interface is going away; apps see it as down. */
  interfaceUnregistered(): void {
    this.linkActive = false;
  }

  /**
   * EthernetInterfaceListener: the driver reported a link status. On the way up, post Rx
   * buffers the queue may now take, re-send a pending ARP request and wake bulk senders.
   */
  linkStatusChanged(_iface?: IOUserNetworkEthernet, status?: number): void {
    this.linkActive = (status ?? this.iface.currentLinkStatus.status) === kIOUserNetworkLinkStatusActive;
    if (!this.started || this.stopped) return;
    this.topUpRx();
    this.control.retryNow();
    this.tx.wakeHolders(this.scheduler.now);
  }

  // ---------------------------------------------------------------- Tx and Rx

  transmit(app: App, n: number): number {
    return this.tx.transmit(app, n);
  }

  private readonly txCompletionHandler: EventHandler = { onEvent: () => this.reapTx(this.scheduler.now) };
  private readonly rxCompletionHandler: EventHandler = { onEvent: () => this.reapRx(this.scheduler.now) };
  private readonly txServicedHandler: EventHandler = {
    onEvent: () => this.tx.wakeHolders(this.scheduler.now),
  };
  private readonly rxServicedHandler: EventHandler = { onEvent: () => this.topUpRx() };

  /** Reaps Tx completions, then wakes bulk senders and tops up Rx buffers. */
  reapTx(now: number): void {
    if (this.tx.reap(now) === 0) return;
    this.tx.wakeHolders(now);
    if (this.rx.posted < this.rx.target) this.topUpRx();
  }

  /** Reaps Rx completions through the demux, re-posting each buffer. */
  reapRx(now: number): void {
    this.rx.reap(now, this.demux);
    this.counters.rxBuffersPosted = this.rx.posted;
    this.counters.rxPostPoolEmpty = this.rx.poolEmpty;
  }

  /** Posts Rx buffers up to the target (the driver may have enabled its queue since). */
  topUpRx(): void {
    this.rx.topUp();
    this.counters.rxBuffersPosted = this.rx.posted;
    this.counters.rxPostPoolEmpty = this.rx.poolEmpty;
  }

  startRxFlow(app: App): number {
    const t = app.profile;
    if (t.kind !== 'receive' || this.flowSource === null) return -1;
    return this.flowSource.startFlow({
      appId: app.identity.appId,
      protocol: t.protocol,
      srcPort: t.srcPort,
      dstPort: t.dstPort,
      packetBytes: t.packetBytes,
      rateBps: t.rateBps,
      vlanPcp: app.config.vlanPcp ?? -1,
      dscp: serviceClassDscp(app.serviceClass),
    });
  }

  stopRxFlow(flowId: number): void {
    this.flowSource?.stopFlow(flowId);
  }

  // ---------------------------------------------------------------- stats

  /** App by id (1..N), or null. */
  app(appId: number): App | null {
    return this.apps[appId - 1] ?? null;
  }

  /** Snapshot of one app (appId 0 = the system: ARP). Throws for an unknown id. */
  appStats(appId: number): AppStats {
    if (appId === 0) return snapshotAppStats(SYSTEM_IDENTITY, 'system', this.systemCounters, null, null, 0);
    const app = this.app(appId);
    if (app === null) throw new RangeError(`HostStack: no app with id ${appId}`);
    return snapshotAppStats(
      app.identity,
      app.profile.kind,
      app.counters,
      app.rtt,
      app.rxLatency,
      app.heldCount,
    );
  }

  /** Snapshots of apps 1..N (not the system). */
  allAppStats(): AppStats[] {
    return this.apps.map((a) => this.appStats(a.identity.appId));
  }

  /** Conservation totals over apps and the system. */
  accounting(): StackAccounting {
    const r: StackAccounting = {
      sent: 0,
      enqueued: 0,
      onWire: 0,
      errors: 0,
      drops: 0,
      inFlight: this.counters.txInFlight,
      held: 0,
    };
    for (const c of [this.systemCounters, ...this.apps.map((a) => a.counters)]) {
      r.sent += c.txSent;
      r.enqueued += c.txEnqueued;
      r.onWire += c.txCompleted;
      r.errors += c.txErrors;
      r.drops += c.txDropQueueFull + c.txDropPoolEmpty + c.txDropInterfaceDown;
    }
    for (const a of this.apps) r.held += a.heldCount;
    return r;
  }
}
