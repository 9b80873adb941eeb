/**
 * The stack's Tx half: builds app packets from their frame templates in bursts, submits them
 * (one EnqueuePackets per burst), and reaps Tx completions — counted per app, freed to the
 * pool in bursts. Packets ask the driver for their wire time (timestamp requested); the stack
 * keeps no latency record of its own: the driver measures each packet once, in its statistics
 * region.
 */
import {
  PACKET_FLAG_TIMESTAMP_REQUESTED,
  PACKET_FLAG_TIMESTAMP_VALID,
} from '../networking/packet-buffer-pool.ts';
import { kIOUserNetworkPacketDirectionTx } from '../networking/constants.ts';
import { patchPacket, stampPacket, type FlowTemplate } from '../net/flow-template.ts';
import type { App, AppCounters } from './apps/app.ts';
import type { StackCore } from './stack-core.ts';

const BURST = 64;

export class TxSubmit {
  /** Stack-side length of each packet (what the app sent; the driver may add a tag). */
  private readonly txLen: Uint32Array;
  /**
   * Which app built each packet (0 = the system): the stack's own bookkeeping, as a socket
   * knows its buffers — never packet metadata, so the driver cannot see it.
   */
  private readonly ownerOf: Uint16Array;
  private readonly burst = new Int32Array(BURST);
  private readonly reapBuf = new Int32Array(BURST);
  private readonly single = new Int32Array(1);
  /** Counters by app id (0 = system). */
  private readonly countersById: AppCounters[];
  private readonly holders: App[];
  /** Apps that saw an error completion in the current reap (indexed by app id). */
  private readonly lossApps: Uint8Array;
  private wakeRotor = 0;
  /**
   * Template reuse: a buffer that last held this app template's frame, untouched since, gets
   * only its IP ID, sequence and checksums patched (same bytes as a full stamp). False: every
   * packet is stamped in full (`MachineOptions.perFrame`).
   */
  templateReuse = true;
  /** Per packet: the template the stack last stamped into its buffer, and at which of its allocations. */
  private readonly stampedTemplate: (FlowTemplate | null)[];
  private readonly stampedAllocation: Float64Array;

  constructor(private readonly core: StackCore) {
    this.txLen = new Uint32Array(core.pool.packetCount);
    this.ownerOf = new Uint16Array(core.pool.packetCount);
    this.countersById = [core.systemCounters, ...core.apps.map((a) => a.counters)];
    this.holders = core.apps.filter((a) => a.holdsOnFull);
    this.lossApps = new Uint8Array(core.apps.length + 1);
    this.stampedTemplate = new Array<FlowTemplate | null>(core.pool.packetCount).fill(null);
    this.stampedAllocation = new Float64Array(core.pool.packetCount);
  }

  lengthOf(handle: number): number {
    return this.txLen[handle];
  }

  countersOf(appId: number): AppCounters {
    return this.countersById[appId];
  }

  transmit(app: App, n: number): number {
    const tpl = app.template;
    if (tpl === null || !app.active) return 0;
    if (!this.core.interfaceUp()) {
      if (app.holdsOnFull) return 0;
      const c = app.counters;
      c.txSent += n;
      c.txSentBytes += n * tpl.length;
      c.txDropInterfaceDown += n;
      return 0;
    }
    // Holders never ask for more than their hold ring can take back.
    let left = app.holdsOnFull && n > app.held.length ? app.held.length : n;
    let accepted = 0;
    do {
      const chunk = left < BURST ? left : BURST;
      accepted += this.transmitBurst(app, tpl, chunk);
      left -= chunk;
    } while (left > 0 && app.heldCount === 0);
    return accepted;
  }

  /** One burst of at most BURST packets: held packets first, then new ones from the template. */
  private transmitBurst(app: App, tpl: FlowTemplate, want: number): number {
    // The clock is read here, not passed in: a float64 argument would be boxed per call.
    const now = this.core.scheduler.now;
    const c = app.counters;
    const txs = this.core.queues.txSubmission;
    let accepted = 0;
    // 1. Held packets (bulk) go first, in order.
    if (app.heldCount > 0) {
      const held = app.held;
      const k = txs.EnqueuePackets(held, app.heldCount);
      for (let i = 0; i < k; i++) this.countEnqueued(c, this.txLen[held[i]], true);
      held.copyWithin(0, k, app.heldCount);
      app.heldCount -= k;
      accepted += k;
      if (app.heldCount > 0) return accepted;
    }
    // 2. Build up to `want` new packets from the template.
    const pool = this.core.pool;
    const mem = this.core.mem;
    const burst = this.burst;
    // One burst allocation (the same handles, in the same order, as one at a time).
    const built = pool.allocatePackets(burst, want);
    const appId = app.identity.appId;
    const serviceClass = app.serviceClass;
    // Untagged frames only: the driver rewrites the PCP of a tagged frame in its buffer.
    const reuse = this.templateReuse && tpl.l3Offset === 14;
    const allocations = pool.allocations;
    const stampedTemplate = this.stampedTemplate;
    const stampedAllocation = this.stampedAllocation;
    // `tag`'s columns, held in locals for the burst.
    const dataLength = pool.dataLength;
    const poolServiceClass = pool.serviceClass;
    const flags = pool.flags;
    const direction = pool.direction;
    const ownerOf = this.ownerOf;
    const txLen = this.txLen;
    let ipId = app.ipId;
    for (let i = 0; i < built; i++) {
      const h = burst[i];
      const at = pool.dataStart(h);
      const seq = app.nextSequence(now);
      const allocation = allocations[h];
      // This buffer's previous allocation was ours, with this template: no one has written it since.
      const len =
        reuse && stampedTemplate[h] === tpl && stampedAllocation[h] === allocation - 1
          ? patchPacket(tpl, mem, at, ipId, seq)
          : stampPacket(tpl, mem, at, ipId, seq);
      stampedTemplate[h] = tpl;
      stampedAllocation[h] = allocation;
      ipId = (ipId + 1) & 0xffff;
      dataLength[h] = len;
      ownerOf[h] = appId;
      poolServiceClass[h] = serviceClass;
      flags[h] = PACKET_FLAG_TIMESTAMP_REQUESTED;
      direction[h] = kIOUserNetworkPacketDirectionTx;
      txLen[h] = len;
    }
    app.ipId = ipId;
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
    // countEnqueued for the k packets at once (integer sums: the same values).
    c.txEnqueued += k;
    c.txEnqueuedBytes += k * tpl.length;
    this.core.counters.txInFlight += k;
    if (app.holdsOnFull) {
      c.txSent += k;
      c.txSentBytes += k * tpl.length;
    }
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

  /**
   * The metadata a stack gives every Tx packet (length, service class, timestamp request), and
   * its owner (`transmitBurst` writes the same columns inline).
   */
  private tag(h: number, len: number, appId: number, serviceClass: number): void {
    const pool = this.core.pool;
    pool.dataLength[h] = len;
    this.ownerOf[h] = appId;
    pool.serviceClass[h] = serviceClass;
    pool.flags[h] = PACKET_FLAG_TIMESTAMP_REQUESTED;
    pool.direction[h] = kIOUserNetworkPacketDirectionTx;
    this.txLen[h] = len;
  }

  /** Counts one accepted packet; `countSent` for apps that count txSent at acceptance (holders). */
  private countEnqueued(c: AppCounters, len: number, countSent: boolean): void {
    c.txEnqueued++;
    c.txEnqueuedBytes += len;
    this.core.counters.txInFlight++;
    if (countSent) {
      c.txSent++;
      c.txSentBytes += len;
    }
  }

  /** Tags and submits one system packet (app 0: ARP, echo replies). */
  submitSystem(h: number, len: number, serviceClass: number): void {
    const c = this.core.systemCounters;
    this.tag(h, len, 0, serviceClass);
    this.single[0] = h;
    if (this.core.queues.txSubmission.EnqueuePackets(this.single, 1) === 1) {
      c.outstandingPackets++;
      c.outstandingBytes += len;
      this.countEnqueued(c, len, false);
    } else {
      this.core.pool.DeallocatePacket(h);
      c.txDropQueueFull++;
    }
  }

  /** Reaps Tx completions: per-app counters, free to pool; tells apps that lost packets. Returns the count. */
  reap(now: number): number {
    const txc = this.core.queues.txCompletion;
    const pool = this.core.pool;
    const buf = this.reapBuf;
    const byId = this.countersById;
    const sc = this.core.counters;
    const ownerOf = this.ownerOf;
    const txLen = this.txLen;
    const completionStatus = pool.completionStatus;
    const flags = pool.flags;
    let reaped = 0;
    for (;;) {
      const n = txc.DequeuePackets(buf, BURST);
      if (n === 0) break;
      reaped += n;
      let i = 0;
      while (i < n) {
        let a = ownerOf[buf[i]];
        if (a >= byId.length) a = 0;
        const c = byId[a];
        // A run of one app's packets: its counters carried in locals (integer sums: the same values).
        let completed = 0;
        let completedBytes = 0;
        let errors = 0;
        let bytes = 0;
        const start = i;
        do {
          const h = buf[i];
          const len = txLen[h];
          if (completionStatus[h] === 0) {
            completed++;
            completedBytes += len;
            // The driver writes the wire time into every packet that asked for one.
            if ((flags[h] & PACKET_FLAG_TIMESTAMP_VALID) === 0) sc.txNoTimestamp++;
          } else {
            errors++;
          }
          bytes += len;
          i++;
        } while (i < n && (ownerOf[buf[i]] === a || (a === 0 && ownerOf[buf[i]] >= byId.length)));
        c.txCompleted += completed;
        c.txCompletedBytes += completedBytes;
        c.txErrors += errors;
        if (errors > 0 && a > 0) this.lossApps[a] = 1;
        c.outstandingPackets -= i - start;
        c.outstandingBytes -= bytes;
      }
      sc.txInFlight -= n;
      pool.DeallocatePackets(buf, n);
    }
    if (reaped > 0) {
      for (let a = 1; a < this.lossApps.length; a++) {
        if (this.lossApps[a] === 0) continue;
        this.lossApps[a] = 0;
        this.core.apps[a - 1].lossReported(now);
      }
    }
    return reaped;
  }

  /**
   * Wakes blocked bulk senders round-robin: the first to be offered freed space next time is
   * the one after the last that got some, so no sender starves the others.
   */
  wakeHolders(now: number): void {
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

  /** Frees the packets a stopping app still holds (never submitted). */
  freeHeld(app: App): void {
    const c = app.counters;
    for (let i = 0; i < app.heldCount; i++) {
      const h = app.held[i];
      c.outstandingPackets--;
      c.outstandingBytes -= this.txLen[h];
      this.core.pool.DeallocatePacket(h);
    }
    c.txUnsentAtStop += app.heldCount;
    app.heldCount = 0;
  }
}
