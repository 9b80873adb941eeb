/**
 * HostStack: the host side above the driver (the DLIL/ifnet half of a NetworkingDriverKit
 * interface) with its synthetic applications.
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
 *     packet is counted, its latency recorded and it is freed to the pool.
 *  5. Rx buffers: posted empty on the Rx submission queue (owned by the driver until filled),
 *     then on the Rx completion queue until the reap event parses them and re-posts them.
 *  Everything else is synchronous inside one event.
 *
 * Drops are counted by cause: Tx submission queue full, pool empty, interface down (queue
 * disabled or link reported inactive), and completions with an error status. So for every
 * app: txSent = txEnqueued + drops, and after a drain txEnqueued = txCompleted + txErrors.
 * (A bulk app never drops: it counts a packet as sent when the queue accepts it, and waits.)
 * `rxBuffersPosted` is the only pool usage left once every app has stopped and Tx drained.
 */
import type { EventHandler, EventId, Scheduler } from '../sim/scheduler.ts';
import { NO_EVENT } from '../sim/scheduler.ts';
import {
  kIOUserNetworkLinkStatusInactive,
  kIOUserNetworkPacketDirectionTx,
  kIOUserNetworkServiceClassCTL,
} from '../networking/constants.ts';
import type { IOUserNetworkEthernet, RegisteredQueues } from '../networking/ethernet.ts';
import {
  DEFAULT_DATA_OFFSET,
  PACKET_FLAG_TIMESTAMP_REQUESTED,
  PACKET_FLAG_TIMESTAMP_VALID,
  type IOUserNetworkPacketBufferPool,
} from '../networking/packet-buffer-pool.ts';
import {
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  MAC_BROADCAST,
} from '../net/constants.ts';
import { stampPacket, type FlowTemplate } from '../net/flow-template.ts';
import { buildArpFrame } from '../net/frame-builder.ts';
import { parseIpv4 } from '../net/ipv4-address.ts';
import { isMulticastMac, macFromBytes } from '../net/mac.ts';
import { ParsedFrame } from '../net/parsed-frame.ts';
import { frameChecksumsValid } from '../net/parser.ts';
import { writeEchoReply } from '../net/control-frames.ts';
import { Prng } from '../sim/prng.ts';
import { SYSTEM_IDENTITY, type AppIdentity } from './app-identity.ts';
import { App, AppCounters, type AppHost } from './apps/app.ts';
import { createApp } from './apps/create-app.ts';
import {
  FRAME_ARP,
  FRAME_INVALID,
  FRAME_IPV4_ICMP,
  FRAME_IPV4_TCP,
  FRAME_IPV4_UDP,
  parseFrameKind,
} from '../net/frame-kind.ts';
import { buildFlowTemplate } from '../net/flow-frames.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import type { RxFlowSource } from '../net/rx-flow.ts';
import { serviceClassDscp } from './service-class.ts';
import { StackCounters } from './stack-counters.ts';
import { RxBuffers, type FrameSink } from './rx-buffers.ts';
import { snapshotAppStats, type AppStats, type StackAccounting } from './app-stats.ts';
import type { AppConfig } from './traffic-profile.ts';

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
}

const BURST = 64;
/** Size of a receive app's request frame (an HTTP GET fits). */
const RECEIVE_REQUEST_BYTES = 200;
/**
 * Tx packets ask for a wire timestamp and carry the stack's enqueue time in
 * pool.timestamp (flagged valid), so the driver can compute per-app queueing latency
 * itself; on completion pool.timestamp holds the wire (SFD) time the driver copied back.
 */
const TX_FLAGS = PACKET_FLAG_TIMESTAMP_REQUESTED | PACKET_FLAG_TIMESTAMP_VALID;
const LINK_RECHECK_NS = 1_000_000;
const LIFECYCLE_STOP = 1;

/** Records `index` as the owner of `key`; throws naming both apps if it is taken. */
function claim(table: Int32Array, key: number, index: number, apps: readonly App[], what: string): void {
  const owner = table[key];
  if (owner >= 0)
    throw new Error(`HostStack: ${what} ${key} is already used by app "${apps[owner].identity.name}"`);
  table[key] = index;
}

export class HostStack implements AppHost, FrameSink {
  readonly scheduler: Scheduler;
  readonly iface: IOUserNetworkEthernet;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly queues: RegisteredQueues;
  readonly counters = new StackCounters();
  /** Apps by index; app i has appId i + 1. */
  readonly apps: readonly App[];
  readonly hostMac: number;
  readonly hostIp: number;
  readonly peerIp: number;
  peerMac = -1;
  readonly rxTarget: number;

  private readonly mem: Uint8Array;
  private readonly systemCounters = new AppCounters();
  private readonly systemLatency = new LatencyHistogram();
  private readonly countersById: AppCounters[];
  private readonly latencyById: LatencyHistogram[];
  /** Stack enqueue time and length per packet handle. */
  private readonly enqueueTime: Float64Array;
  private readonly txLen: Uint32Array;
  private readonly burst = new Int32Array(BURST);
  private readonly reapBuf = new Int32Array(BURST);
  private readonly rx: RxBuffers;
  private readonly single = new Int32Array(1);
  /** Host port → app index (UDP/TCP), ICMP echo id → app index; -1 = none. */
  private readonly portToApp = new Int32Array(65536).fill(-1);
  private readonly echoIdToApp = new Int32Array(65536).fill(-1);
  private readonly holders: App[];
  /** Pending app start/stop events (cancelled by stop). */
  private readonly lifecycleEvents: EventId[] = [];
  /** Apps that saw an error completion in the current reap (indexed by app id). */
  private lossApps = new Uint8Array(1);
  /** The one record every received frame is parsed into. */
  private readonly parsed = new ParsedFrame();
  private readonly flowSource: RxFlowSource | null;
  private readonly arpRetryNs: number;
  private readonly verifyRx: boolean;
  private started = false;
  private stopped = false;
  private startTime = 0;
  private arpTimer: EventId = NO_EVENT;
  private linkCheckAt = -Infinity;
  private wakeRotor = 0;
  private linkDown = false;

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
    this.arpRetryNs = options.arpRetryNs ?? 100_000_000;
    this.verifyRx = options.verifyRxChecksums ?? true;
    this.rxTarget = Math.max(
      1,
      options.rxBuffers ?? Math.min(q.rxSubmission.capacity, Math.floor(pool.packetCount / 4)),
    );
    this.rx = new RxBuffers(pool, q.rxSubmission, q.rxCompletion, this.rxTarget);
    this.enqueueTime = new Float64Array(pool.packetCount);
    this.txLen = new Uint32Array(pool.packetCount);

    if (options.apps.length > 0xffff)
      throw new RangeError('HostStack: at most 65535 apps (pool.appId is 16 bits)');
    const root = new Prng(options.seed ?? 1);
    const apps: App[] = [];
    options.apps.forEach((config, i) => {
      const identity: AppIdentity = {
        appId: i + 1,
        name: config.name,
        bundleId: config.bundleId,
        executablePath: config.executablePath,
        pid: config.pid,
        ...(config.teamId !== undefined ? { teamId: config.teamId } : {}),
      };
      const app = createApp(this, identity, config, root.fork(i + 1));
      const t = config.traffic;
      const room = pool.bufferSize - DEFAULT_DATA_OFFSET;
      if (t.kind !== 'receive' && Math.max(t.packetBytes, 60) > room) {
        throw new RangeError(
          `HostStack: app "${config.name}": ${t.packetBytes} B frames do not fit pool buffers (${room} B after headroom)`,
        );
      }
      if (t.kind === 'ping') {
        claim(
          this.echoIdToApp,
          config.pid & 0xffff,
          i,
          apps,
          `app "${config.name}": ICMP echo id (pid & 0xffff)`,
        );
      } else {
        claim(
          this.portToApp,
          t.kind === 'receive' ? t.dstPort : t.srcPort,
          i,
          apps,
          `app "${config.name}": host port`,
        );
      }
      if (t.kind === 'receive' && this.flowSource === null) {
        throw new Error(
          `HostStack: app "${config.name}" receives traffic but no flowSource (link partner) was given`,
        );
      }
      apps.push(app);
    });
    this.apps = apps;
    this.holders = apps.filter((a) => a.holdsOnFull);
    this.lossApps = new Uint8Array(apps.length + 1);
    this.countersById = [this.systemCounters, ...apps.map((a) => a.counters)];
    this.latencyById = [this.systemLatency, ...apps.map((a) => a.latency)];
  }

  // ---------------------------------------------------------------- lifecycle

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
    this.sendArp(ARP_OP_REQUEST, MAC_BROADCAST, 0, this.peerIp);
    this.arpTimer = this.scheduler.after(this.arpRetryNs, this.arpRetryHandler, 0);
  }

  /** Stops every app (held packets are freed); outstanding packets still come back and are reaped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const now = this.scheduler.now;
    if (this.arpTimer !== NO_EVENT) this.scheduler.cancel(this.arpTimer);
    this.arpTimer = NO_EVENT;
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

  /** Removes the stack's queue handlers (after stop and drain, before the interface goes away). */
  detach(): void {
    this.queues.txCompletion.setSystemHandlers(null, null);
    this.queues.rxCompletion.setSystemHandlers(null, null);
    this.queues.txSubmission.setSystemHandlers(null, null);
    this.queues.rxSubmission.setSystemHandlers(null, null);
  }

  /**
   * After the interface went down: takes back every packet still sitting in the four queues
   * (Rx buffers the driver never took, completions nobody reaped) and frees it, so the pool
   * is whole again. Returns how many it freed.
   */
  reclaimQueues(): number {
    let freed = 0;
    for (const q of [
      this.queues.rxSubmission,
      this.queues.rxCompletion,
      this.queues.txCompletion,
      this.queues.txSubmission,
    ]) {
      let n: number;
      while ((n = q.DequeuePackets(this.burst, this.burst.length)) > 0) {
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
    const c = app.counters;
    for (let i = 0; i < app.heldCount; i++) {
      const h = app.held[i];
      c.outstandingPackets--;
      c.outstandingBytes -= this.txLen[h];
      this.pool.DeallocatePacket(h);
    }
    c.txUnsentAtStop += app.heldCount;
    app.heldCount = 0;
  }

  private onPeerResolved(mac: number, now: number): void {
    this.peerMac = mac;
    this.counters.arpResolvedAtNs = now;
    if (this.arpTimer !== NO_EVENT) this.scheduler.cancel(this.arpTimer);
    this.arpTimer = NO_EVENT;
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
    onEvent: (arg, now) => {
      const app = this.apps[arg >> 1];
      if ((arg & LIFECYCLE_STOP) !== 0) this.stopApp(app, now);
      else if (!this.stopped && now < app.stopAt) app.activate(now);
    },
  };

  private readonly arpRetryHandler: EventHandler = {
    onEvent: () => {
      this.arpTimer = NO_EVENT;
      if (this.peerMac >= 0 || this.stopped) return;
      this.topUpRx();
      this.sendArp(ARP_OP_REQUEST, MAC_BROADCAST, 0, this.peerIp);
      this.arpTimer = this.scheduler.after(this.arpRetryNs, this.arpRetryHandler, 0);
    },
  };

  // ---------------------------------------------------------------- Tx

  /**
   * Tx submission queue enabled and link not reported inactive (never-reported counts as up).
   * `currentLinkStatus` builds an object, so the link status is re-read at most once per
   * LINK_RECHECK_NS of virtual time, not per packet; `linkStatusChanged()` forces a re-read.
   */
  interfaceUp(): boolean {
    const now = this.scheduler.now;
    if (now >= this.linkCheckAt) {
      this.linkCheckAt = now + LINK_RECHECK_NS;
      this.linkDown = this.iface.currentLinkStatus.status === kIOUserNetworkLinkStatusInactive;
    }
    return !this.linkDown && this.queues.txSubmission.isEnabled;
  }

  /**
   * Tells the stack the interface or link changed (call it from the interface listener's
   * linkStatusChanged): re-reads the link status, posts Rx buffers if the Rx submission
   * queue was enabled meanwhile, re-sends a pending ARP request and wakes bulk senders.
   * Optional: the stack also polls (link status every ms, Rx and ARP on the ARP retry).
   */
  linkStatusChanged(): void {
    this.linkCheckAt = -Infinity;
    if (!this.started || this.stopped) return;
    const now = this.scheduler.now;
    this.topUpRx();
    if (this.peerMac < 0 && this.interfaceUp()) this.sendArp(ARP_OP_REQUEST, MAC_BROADCAST, 0, this.peerIp);
    this.wakeHolders(now);
  }

  transmit(app: App, n: number): number {
    const tpl = app.template;
    if (tpl === null || !app.active) return 0;
    if (!this.interfaceUp()) {
      if (app.holdsOnFull) return 0;
      const c = app.counters;
      c.txSent += n;
      c.txSentBytes += n * tpl.length;
      c.txDropInterfaceDown += n;
      return 0;
    }
    const now = this.scheduler.now;
    // Holders never ask for more than their hold ring can take back.
    let left = app.holdsOnFull && n > app.held.length ? app.held.length : n;
    let accepted = 0;
    do {
      const chunk = left < BURST ? left : BURST;
      accepted += this.transmitBurst(app, tpl, chunk, now);
      left -= chunk;
    } while (left > 0 && app.heldCount === 0);
    return accepted;
  }

  /** One burst of at most BURST packets: held packets first, then new ones from the template. */
  private transmitBurst(app: App, tpl: FlowTemplate, want: number, now: number): number {
    const c = app.counters;
    const txs = this.queues.txSubmission;
    let accepted = 0;
    // 1. Held packets (bulk) go first, in order.
    if (app.heldCount > 0) {
      const held = app.held;
      for (let i = 0; i < app.heldCount; i++) {
        this.enqueueTime[held[i]] = now;
        this.pool.timestamp[held[i]] = now;
      }
      const k = txs.EnqueuePackets(held, app.heldCount);
      for (let i = 0; i < k; i++) this.countEnqueued(c, this.txLen[held[i]], true);
      held.copyWithin(0, k, app.heldCount);
      app.heldCount -= k;
      accepted += k;
      if (app.heldCount > 0) return accepted;
    }
    // 2. Build up to n new packets from the template.
    const pool = this.pool;
    const mem = this.mem;
    const burst = this.burst;
    let built = 0;
    while (built < want) {
      const h = pool.allocatePacket();
      if (h < 0) break;
      const len = stampPacket(tpl, mem, pool.dataStart(h), app.ipId, app.nextSequence(now));
      app.ipId = (app.ipId + 1) & 0xffff;
      pool.dataLength[h] = len;
      pool.appId[h] = app.identity.appId;
      pool.serviceClass[h] = app.serviceClass;
      pool.flags[h] = TX_FLAGS;
      pool.timestamp[h] = now;
      pool.direction[h] = kIOUserNetworkPacketDirectionTx;
      this.enqueueTime[h] = now;
      this.txLen[h] = len;
      burst[built++] = h;
    }
    c.outstandingPackets += built;
    c.outstandingBytes += built * tpl.length;
    if (built < want && !app.holdsOnFull) {
      const missing = want - built;
      c.txSent += missing;
      c.txSentBytes += missing * tpl.length;
      c.txDropPoolEmpty += missing;
    }
    if (built === 0) return accepted;
    // 3. One burst enqueue; refused packets are held (bulk) or dropped.
    const k = txs.EnqueuePackets(burst, built);
    for (let i = 0; i < k; i++) this.countEnqueued(c, tpl.length, app.holdsOnFull);
    if (!app.holdsOnFull) {
      c.txSent += built;
      c.txSentBytes += built * tpl.length;
    }
    accepted += k;
    if (k < built) {
      if (app.holdsOnFull) {
        const held = app.held;
        let j = app.heldCount;
        for (let i = k; i < built; i++) held[j++] = burst[i];
        app.heldCount = j;
      } else {
        const down = !txs.isEnabled;
        for (let i = k; i < built; i++) {
          c.outstandingPackets--;
          c.outstandingBytes -= tpl.length;
          pool.DeallocatePacket(burst[i]);
        }
        if (down) c.txDropInterfaceDown += built - k;
        else c.txDropQueueFull += built - k;
      }
    }
    if (c.outstandingBytes > c.maxOutstandingBytes) c.maxOutstandingBytes = c.outstandingBytes;
    return accepted;
  }

  /** Counts one accepted packet; `countSent` for apps that count txSent at acceptance (holders). */
  private countEnqueued(c: AppCounters, len: number, countSent: boolean): void {
    c.txEnqueued++;
    c.txEnqueuedBytes += len;
    this.counters.txInFlight++;
    if (countSent) {
      c.txSent++;
      c.txSentBytes += len;
    }
  }

  /** Builds and submits an ARP frame as a system (appId 0, CTL) packet. */
  private sendArp(op: number, dstMac: number, targetMac: number, targetIp: number): void {
    const c = this.systemCounters;
    c.txSent++;
    if (op === ARP_OP_REQUEST) this.counters.arpRequestsSent++;
    else this.counters.arpRepliesSent++;
    if (!this.interfaceUp()) {
      c.txDropInterfaceDown++;
      return;
    }
    const pool = this.pool;
    const h = pool.allocatePacket();
    if (h < 0) {
      c.txDropPoolEmpty++;
      return;
    }
    const len = buildArpFrame(this.mem, pool.dataStart(h), {
      dstMac,
      srcMac: this.hostMac,
      op,
      senderMac: this.hostMac,
      senderIp: this.hostIp,
      targetMac,
      targetIp,
    });
    c.txSentBytes += len;
    this.submitSystem(h, len, kIOUserNetworkServiceClassCTL);
  }

  /**
   * Answers an ICMP echo request just parsed (at `off` in host memory) as a system packet:
   * the request with MACs and IPs swapped, type 0, checksums recomputed (a rare path).
   */
  private sendEchoReply(off: number, len: number): void {
    const c = this.systemCounters;
    const pool = this.pool;
    c.txSent++;
    c.txSentBytes += len;
    this.counters.echoRepliesSent++;
    if (!this.interfaceUp()) {
      c.txDropInterfaceDown++;
      return;
    }
    const h = pool.allocatePacket();
    if (h < 0) {
      c.txDropPoolEmpty++;
      return;
    }
    writeEchoReply(this.mem, pool.dataStart(h), this.mem, off, len, this.parsed, this.hostMac, this.hostIp);
    this.submitSystem(h, len, kIOUserNetworkServiceClassCTL);
  }

  /** Tags and submits one system packet (appId 0). */
  private submitSystem(h: number, len: number, serviceClass: number): void {
    const pool = this.pool;
    const c = this.systemCounters;
    pool.dataLength[h] = len;
    pool.appId[h] = 0;
    pool.serviceClass[h] = serviceClass;
    pool.flags[h] = TX_FLAGS;
    pool.timestamp[h] = this.scheduler.now;
    pool.direction[h] = kIOUserNetworkPacketDirectionTx;
    this.enqueueTime[h] = this.scheduler.now;
    this.txLen[h] = len;
    this.single[0] = h;
    if (this.queues.txSubmission.EnqueuePackets(this.single, 1) === 1) {
      c.outstandingPackets++;
      c.outstandingBytes += len;
      this.countEnqueued(c, len, false);
    } else {
      pool.DeallocatePacket(h);
      c.txDropQueueFull++;
    }
  }

  private readonly txCompletionHandler: EventHandler = { onEvent: (_a, now) => this.reapTx(now) };
  private readonly rxCompletionHandler: EventHandler = { onEvent: (_a, now) => this.reapRx(now) };
  private readonly txServicedHandler: EventHandler = { onEvent: (_a, now) => this.wakeHolders(now) };
  private readonly rxServicedHandler: EventHandler = { onEvent: () => this.topUpRx() };

  /** Reaps Tx completions: counters, latency, free to pool; then wakes bulk senders. */
  reapTx(now: number): void {
    const txc = this.queues.txCompletion;
    const pool = this.pool;
    const buf = this.reapBuf;
    const byId = this.countersById;
    const latById = this.latencyById;
    const sc = this.counters;
    let reaped = 0;
    for (;;) {
      const n = txc.DequeuePackets(buf, BURST);
      if (n === 0) break;
      reaped += n;
      for (let i = 0; i < n; i++) {
        const h = buf[i];
        let a = pool.appId[h];
        if (a >= byId.length) a = 0;
        const c = byId[a];
        const len = this.txLen[h];
        if (pool.completionStatus[h] === 0) {
          c.txCompleted++;
          c.txCompletedBytes += len;
          // The driver overwrote our enqueue stamp with the wire (SFD) time, which is always
          // later (at least the preamble); an unchanged stamp means no wire time came back.
          const waited = pool.timestamp[h] - this.enqueueTime[h];
          if (waited > 0 && (pool.flags[h] & PACKET_FLAG_TIMESTAMP_VALID) !== 0) latById[a].record(waited);
          else sc.txNoTimestamp++;
        } else {
          c.txErrors++;
          if (a > 0) this.lossApps[a] = 1;
        }
        c.outstandingPackets--;
        c.outstandingBytes -= len;
      }
      sc.txInFlight -= n;
      pool.DeallocatePackets(buf, n);
    }
    if (reaped > 0) {
      for (let a = 1; a < this.lossApps.length; a++) {
        if (this.lossApps[a] === 0) continue;
        this.lossApps[a] = 0;
        this.apps[a - 1].lossReported(now);
      }
      this.wakeHolders(now);
      if (this.rx.posted < this.rx.target) this.topUpRx();
    }
  }

  /**
   * Wakes blocked bulk senders round-robin: the first to be offered freed space next time is
   * the one after the last that got some, so no sender starves the others.
   */
  private wakeHolders(now: number): void {
    const holders = this.holders;
    const n = holders.length;
    if (n === 0) return;
    const first = this.wakeRotor;
    for (let i = 0; i < n; i++) {
      const j = first + i < n ? first + i : first + i - n;
      const app = holders[j];
      const before = app.counters.txEnqueued;
      app.wake(now);
      if (app.counters.txEnqueued !== before) this.wakeRotor = j + 1 === n ? 0 : j + 1;
    }
  }

  // ---------------------------------------------------------------- Rx

  /** Reaps Rx completions (FrameSink below), re-posting each buffer. */
  reapRx(now: number): void {
    this.rx.reap(now, this);
    this.counters.rxBuffersPosted = this.rx.posted;
    this.counters.rxPostPoolEmpty = this.rx.poolEmpty;
  }

  /** Posts Rx buffers up to the target (the driver may have enabled its queue since). */
  topUpRx(): void {
    this.rx.topUp();
    this.counters.rxBuffersPosted = this.rx.posted;
    this.counters.rxPostPoolEmpty = this.rx.poolEmpty;
  }

  /** FrameSink: a buffer came back with an error status. */
  receiveError(): void {
    this.counters.rxInvalid++;
  }

  /** FrameSink: parse one received frame and deliver it. */
  receiveFrame(off: number, len: number, now: number, arrivalNs: number): void {
    const p = this.parsed;
    const sc = this.counters;
    const kind = parseFrameKind(this.mem, off, len, p);
    if (kind === FRAME_INVALID) {
      sc.rxInvalid++;
      return;
    }
    sc.rxPackets++;
    sc.rxBytes += len;
    if (p.dstMac !== this.hostMac && !isMulticastMac(p.dstMac)) {
      sc.rxUnmatched++;
      return;
    }
    if (kind === FRAME_ARP) {
      sc.rxArp++;
      if (p.arpSenderIp === this.peerIp && this.peerMac < 0) this.onPeerResolved(p.arpSenderMac, now);
      if (p.arpOp === ARP_OP_REQUEST && p.arpTargetIp === this.hostIp) {
        this.sendArp(ARP_OP_REPLY, p.arpSenderMac, p.arpSenderMac, p.arpSenderIp);
      }
      return;
    }
    if (kind !== FRAME_IPV4_UDP && kind !== FRAME_IPV4_TCP && kind !== FRAME_IPV4_ICMP) {
      sc.rxUnmatched++;
      return;
    }
    if (p.dstIp !== this.hostIp) {
      sc.rxUnmatched++;
      return;
    }
    if (this.verifyRx && !frameChecksumsValid(this.mem, p)) {
      sc.rxBadChecksum++;
      return;
    }
    if (kind === FRAME_IPV4_ICMP) {
      if (p.icmpType === ICMP_ECHO_REPLY) {
        const idx = this.echoIdToApp[p.icmpId];
        if (idx >= 0) {
          sc.rxEchoReplies++;
          const app = this.apps[idx];
          app.counters.rxPackets++;
          app.counters.rxBytes += len;
          app.echoReply(p.icmpSeq, now);
          return;
        }
      } else if (p.icmpType === ICMP_ECHO_REQUEST) {
        sc.rxEchoRequests++;
        this.sendEchoReply(off, len);
        return;
      }
      sc.rxUnmatched++;
      return;
    }
    const idx = this.portToApp[p.dstPort];
    if (idx < 0) {
      sc.rxUnmatched++;
      return;
    }
    const app = this.apps[idx];
    app.counters.rxPackets++;
    app.counters.rxBytes += len;
    if (!Number.isNaN(arrivalNs)) app.rxLatency.record(now - arrivalNs);
  }

  // ---------------------------------------------------------------- receive flows

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
    if (appId === 0) {
      return snapshotAppStats(
        SYSTEM_IDENTITY,
        kIOUserNetworkServiceClassCTL,
        'system',
        this.systemCounters,
        this.systemLatency,
        null,
        null,
        0,
      );
    }
    const app = this.app(appId);
    if (app === null) throw new RangeError(`HostStack: no app with id ${appId}`);
    return snapshotAppStats(
      app.identity,
      app.serviceClass,
      app.profile.kind,
      app.counters,
      app.latency,
      app.rtt,
      app.rxLatency,
      app.heldCount,
    );
  }

  /** Snapshots of apps 1..N (not the system). */
  allAppStats(): AppStats[] {
    return this.apps.map((a) => this.appStats(a.identity.appId));
  }

  /** Live latency histogram of an app (0 = system), for merging. */
  latencyHistogram(appId: number): LatencyHistogram {
    const h = this.latencyById[appId];
    if (h === undefined) throw new RangeError(`HostStack: no app with id ${appId}`);
    return h;
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
    for (const c of this.countersById) {
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
