/**
 * Test harness: a real pool, queues and IOUserNetworkEthernet, with a fake "loopback
 * driver" in place of the driver + NIC. Tx: it pulls packets from Tx submission into a
 * bounded ring (like descriptors), serializes them at line rate, stamps pool.timestamp with
 * the SFD time, hands the frame to the link partner at frame end and returns the packet on
 * Tx completion. Rx: `receiveFromWire` fills an RxSubmission buffer and completes it.
 */
import { Scheduler, type EventHandler } from '../../driver-runtime/sim/scheduler.ts';
import { LINK_BPS, type LinkSpeed } from '../../driver-runtime/sim/units.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { OSObject, out } from '../../driver-runtime/kit/os-object.ts';
import { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { IODispatchQueue } from '../../driver-runtime/kit/dispatch-queue.ts';
import type { IODataQueueDispatchSource } from '../../driver-runtime/kit/data-queue-source.ts';
import {
  IOUserNetworkEthernet,
  IOUserNetworkPacketBufferPool,
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
  serviceClassToQueue,
  kIOUserNetworkLinkStatusActive,
  kIOUserNetworkMediaEthernet1000BaseT,
  kIOUserNetworkMediaOptionFullDuplex,
} from '../../driver-runtime/networking/index.ts';
import { parseMac } from '../../driver-runtime/net/mac.ts';
import { HostStack, type AppConfig } from '../../driver-runtime/stack/index.ts';
import { LinkPartner, WireTap } from '../../driver-runtime/peer/index.ts';
import type { WirePeer, WireReceiver } from '../../driver-runtime/net/wire.ts';

export interface FakeDriverOptions {
  linkBps: number;
  /** Packets the fake NIC takes from Tx submission at most (its descriptor ring). */
  ringSize?: number;
  /** Complete every n-th Tx packet with an error status instead of sending it (0 = never). */
  errorEvery?: number;
}

/** The fake driver + NIC. */
export class LoopbackDriver implements WireReceiver, EventHandler {
  peer: WirePeer | null = null;
  readonly ring: number[] = [];
  private busy = false;
  private freeAt = 0;
  private current = -1;
  private currentSfd = 0;
  private readonly single = new Int32Array(1);
  private readonly pullBuf = new Int32Array(64);
  txFrames = 0;
  txErrors = 0;
  rxFrames = 0;
  rxNoBuffer = 0;
  maxRing = 0;
  private seen = 0;

  constructor(
    readonly scheduler: Scheduler,
    readonly pool: IOUserNetworkPacketBufferPool,
    readonly txs: IOUserNetworkTxSubmissionQueue,
    readonly txc: IOUserNetworkTxCompletionQueue,
    readonly rxs: IOUserNetworkRxSubmissionQueue,
    readonly rxc: IOUserNetworkRxCompletionQueue,
    readonly opts: FakeDriverOptions,
  ) {}

  /** Tx data-available: take what fits in the ring, start the serializer. */
  pull(): void {
    const room = (this.opts.ringSize ?? 256) - this.ring.length;
    if (room > 0) {
      const n = this.txs.DequeuePackets(this.pullBuf, Math.min(room, 64));
      for (let i = 0; i < n; i++) this.ring.push(this.pullBuf[i]);
      if (this.ring.length > this.maxRing) this.maxRing = this.ring.length;
      if (n === 64) this.pull();
    }
    this.startNext();
  }

  private startNext(): void {
    if (this.busy || this.ring.length === 0) return;
    const now = this.scheduler.now;
    const h = this.ring.shift()!;
    const pool = this.pool;
    this.seen++;
    const e = this.opts.errorEvery ?? 0;
    if (e > 0 && this.seen % e === 0) {
      pool.setCompletionStatus(h, 0xe00002bc); // kIOReturnError
      this.txErrors++;
      this.complete(h);
      this.startNext();
      return;
    }
    const len = pool.dataLength[h];
    const nsPerByte = 8e9 / this.opts.linkBps;
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + (len + 24) * nsPerByte;
    this.current = h;
    this.currentSfd = start + 8 * nsPerByte;
    this.busy = true;
    this.scheduler.schedule(start + (len + 12) * nsPerByte, this, 0);
  }

  /** End of the current frame on the wire. */
  onEvent(): void {
    const h = this.current;
    const pool = this.pool;
    pool.setTimestamp(h, this.currentSfd);
    this.txFrames++;
    this.peer?.frameFromNic(
      pool.runtime.memory.u8,
      pool.dataStart(h),
      pool.dataLength[h],
      Float64Array.of(this.currentSfd),
      serviceClassToQueue(pool.serviceClass[h]),
    );
    this.busy = false;
    this.complete(h);
    this.pull();
  }

  private complete(h: number): void {
    this.single[0] = h;
    if (this.txc.EnqueuePackets(this.single, 1) !== 1)
      throw new Error('fake driver: Tx completion queue full');
  }

  receiveFromWire(frame: Uint8Array, offset: number, length: number): void {
    if (this.rxs.DequeuePackets(this.single, 1) === 0) {
      this.rxNoBuffer++;
      return;
    }
    const h = this.single[0];
    const pool = this.pool;
    pool.runtime.memory.u8.set(frame.subarray(offset, offset + length), pool.dataStart(h));
    pool.dataLength[h] = length;
    pool.setTimestamp(h, this.scheduler.now);
    this.rxFrames++;
    if (this.rxc.EnqueuePackets(this.single, 1) !== 1)
      throw new Error('fake driver: Rx completion queue full');
  }
}

export interface Rig {
  scheduler: Scheduler;
  runtime: DextRuntime;
  pool: IOUserNetworkPacketBufferPool;
  iface: IOUserNetworkEthernet;
  driver: LoopbackDriver;
  partner: LinkPartner;
  stack: HostStack;
  tap: WireTap | null;
  txs: IOUserNetworkTxSubmissionQueue;
}

export interface RigOptions {
  apps: AppConfig[];
  link?: LinkSpeed;
  seed?: number;
  packetCount?: number;
  txQueueCapacity?: number;
  ringSize?: number;
  errorEvery?: number;
  tap?: boolean;
  hostMac?: string;
  hostIp?: string;
  peerMac?: string;
  peerIp?: string;
  rxBuffers?: number;
  /** Report the link active before the stack starts, as a real driver does (default true). */
  reportLink?: boolean;
}

export const HOST_MAC = '3c:22:fb:10:20:30';
export const PEER_MAC = 'a4:91:b1:00:00:01';
export const HOST_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.1';

export function makeRig(o: RigOptions): Rig {
  const scheduler = new Scheduler();
  const memory = new HostMemory({ size: 32 * 1024 * 1024 });
  const runtime = createRuntime(scheduler, memory);
  return withRuntime(runtime, () => {
    const owner = new OSObject(runtime);
    const dq = IODispatchQueue.createIn(runtime, 'fake-driver');
    const poolOut = out<IOUserNetworkPacketBufferPool>();
    const count = o.packetCount ?? 2048;
    if (IOUserNetworkPacketBufferPool.Create(owner, 'pool', count, count, 2048, poolOut) !== 0)
      throw new Error('pool');
    const pool = poolOut.value!;
    const cap = o.txQueueCapacity ?? 256;
    const txsO = out<IOUserNetworkTxSubmissionQueue>();
    const txcO = out<IOUserNetworkTxCompletionQueue>();
    const rxsO = out<IOUserNetworkRxSubmissionQueue>();
    const rxcO = out<IOUserNetworkRxCompletionQueue>();
    IOUserNetworkTxSubmissionQueue.Create(pool, owner, cap, 0, dq, txsO);
    IOUserNetworkTxCompletionQueue.Create(pool, owner, 1024, 0, dq, txcO);
    IOUserNetworkRxSubmissionQueue.Create(pool, owner, 256, 0, dq, rxsO);
    IOUserNetworkRxCompletionQueue.Create(pool, owner, 1024, 0, dq, rxcO);
    const txs = txsO.value!;
    const txc = txcO.value!;
    const rxs = rxsO.value!;
    const rxc = rxcO.value!;
    const iface = new IOUserNetworkEthernet(runtime);
    const macNum = parseMac(o.hostMac ?? HOST_MAC);
    const mac = new Uint8Array(6);
    for (let i = 0; i < 6; i++) mac[i] = Math.floor(macNum / 2 ** (8 * (5 - i))) & 0xff;
    if (iface.RegisterEthernetInterface(mac, pool, [txs, txc, rxs, rxc], 4) !== 0)
      throw new Error('register');
    for (const q of [txs, txc, rxs, rxc]) q.SetEnable(true);
    // A real driver reports the link once it is up; until then the stack sends nothing.
    if (o.reportLink ?? true)
      iface.ReportLinkStatus(
        kIOUserNetworkLinkStatusActive,
        kIOUserNetworkMediaEthernet1000BaseT | kIOUserNetworkMediaOptionFullDuplex,
      );
    const linkBps = LINK_BPS[o.link ?? '1g'];
    const driver = new LoopbackDriver(scheduler, pool, txs, txc, rxs, rxc, {
      linkBps,
      ringSize: o.ringSize ?? 256,
      errorEvery: o.errorEvery ?? 0,
    });
    const src = out<IODataQueueDispatchSource>();
    txs.CopyDataQueue(src);
    src.value!.SetDataAvailableHandler(new OSAction<[]>(owner, dq, () => driver.pull()));
    const tap = o.tap ? new WireTap() : null;
    const partner = new LinkPartner({
      scheduler,
      linkBps,
      mac: o.peerMac ?? PEER_MAC,
      ip: o.peerIp ?? PEER_IP,
      nic: driver,
      tap,
    });
    driver.peer = partner;
    const stack = new HostStack({
      iface,
      hostIp: o.hostIp ?? HOST_IP,
      peerIp: o.peerIp ?? PEER_IP,
      apps: o.apps,
      seed: o.seed ?? 1,
      flowSource: partner,
      ...(o.rxBuffers !== undefined ? { rxBuffers: o.rxBuffers } : {}),
    });
    return { scheduler, runtime, pool, iface, driver, partner, stack, tap, txs };
  });
}

/** Runs until `t` ns, then stops the stack and drains everything still in flight. */
export function runAndDrain(rig: Rig, untilNs: number): void {
  rig.scheduler.runUntil(untilNs);
  rig.stack.stop();
  rig.scheduler.runUntil(untilNs + 1e9);
}

const ID = { executablePath: '/Applications/Test.app/Contents/MacOS/Test' };

export function constantApp(
  name: string,
  pid: number,
  rateBps: number,
  packetBytes: number,
  extra: Partial<AppConfig> = {},
): AppConfig {
  return {
    name,
    bundleId: `com.example.${name}`,
    ...ID,
    pid,
    serviceClass: 700,
    traffic: {
      kind: 'constant',
      protocol: 'udp',
      rateBps,
      packetBytes,
      startNs: 0,
      stopNs: Infinity,
      srcPort: 40000 + pid,
      dstPort: 3478,
    },
    ...extra,
  };
}

export function bulkApp(
  name: string,
  pid: number,
  sndbufBytes: number,
  packetBytes = 1514,
  protocol: 'udp' | 'tcp' = 'tcp',
): AppConfig {
  return {
    name,
    bundleId: `com.example.${name}`,
    ...ID,
    pid,
    serviceClass: 200,
    traffic: {
      kind: 'bulk',
      protocol,
      sndbufBytes,
      packetBytes,
      startNs: 0,
      stopNs: Infinity,
      srcPort: 40000 + pid,
      dstPort: 443,
    },
  };
}

export function pingApp(name: string, pid: number, intervalNs: number): AppConfig {
  return {
    name,
    bundleId: 'com.apple.ping',
    executablePath: '/sbin/ping',
    pid,
    serviceClass: 900,
    traffic: {
      kind: 'ping',
      protocol: 'icmp',
      intervalNs,
      packetBytes: 98,
      startNs: 0,
      stopNs: Infinity,
      srcPort: 0,
      dstPort: 0,
    },
  };
}

export function burstyApp(name: string, pid: number, burstPackets: number, meanGapNs: number): AppConfig {
  return {
    name,
    bundleId: `com.example.${name}`,
    ...ID,
    pid,
    serviceClass: 0,
    traffic: {
      kind: 'bursty',
      protocol: 'tcp',
      burstPackets,
      meanGapNs,
      packetBytes: 900,
      startNs: 0,
      stopNs: Infinity,
      srcPort: 40000 + pid,
      dstPort: 443,
    },
  };
}

export function receiveApp(name: string, pid: number, rateBps: number, dstPort: number): AppConfig {
  return {
    name,
    bundleId: `com.example.${name}`,
    ...ID,
    pid,
    serviceClass: 500,
    traffic: {
      kind: 'receive',
      protocol: 'udp',
      rateBps,
      packetBytes: 1400,
      startNs: 0,
      stopNs: Infinity,
      srcPort: 443,
      dstPort,
    },
  };
}
