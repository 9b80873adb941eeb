/**
 * A per-hardware-queue software queue (the driver's if_snd), fair between applications:
 * each app has its own FIFO inside the class and the apps take turns by deficit round robin
 * (quantum one full frame), as fq_codel's flow queues do — so two bulk uploads at the same
 * priority share it evenly, and a sparse app is not stuck behind a greedy one.
 *
 * The Tx submission queue is drained into these at once, so no shared FIFO in front of the
 * classifier ever holds a backlog; they hold what the hardware ring's byte limit does not yet
 * admit. Per-app FIFOs are linked lists threaded through the packet handles (`next`, shared
 * by the four class queues: a packet sits in one queue at a time), so nothing is allocated
 * per packet and the memory is per app, not per app × depth.
 */
export class SoftwareQueue {
  /** Bytes of credit an app gets per round: one maximum frame. */
  static readonly QUANTUM = 1514;

  bytes = 0;
  count = 0;

  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly deficit: Int32Array;
  private readonly isActive: Uint8Array;
  /** Ring of active app slots, served in turn. */
  private readonly active: Int32Array;
  private activeHead = 0;
  private activeCount = 0;
  /** The packet `peek*`/`shift` refer to (chosen by `select`), or -1. */
  private chosenApp = -1;

  constructor(
    readonly packetLimit: number,
    public byteLimit: number,
    /** Per-packet side arrays, shared by all class queues of one driver. */
    private readonly links: PacketLinks,
    private readonly appSlots: number,
    /** False: one plain FIFO for every app (the baseline of a driver without NetLanes). */
    private readonly fair = true,
  ) {
    this.head = new Int32Array(appSlots).fill(-1);
    this.tail = new Int32Array(appSlots).fill(-1);
    this.deficit = new Int32Array(appSlots);
    this.isActive = new Uint8Array(appSlots);
    this.active = new Int32Array(appSlots);
  }

  /** False when full (the caller counts the drop). Apps beyond the slots share slot 0. */
  /** `nowNs` is when the packet entered the queue (CoDel measures its sojourn from there). */
  push(handle: number, length: number, nowNs: number, app: number): boolean {
    if (this.count >= this.packetLimit || this.bytes + length > this.byteLimit) return false;
    const slot = this.fair && app < this.appSlots ? app : 0;
    const links = this.links;
    links.next[handle] = -1;
    links.length[handle] = length;
    links.enqueuedAt[handle] = nowNs;
    if (this.tail[slot] < 0) this.head[slot] = handle;
    else links.next[this.tail[slot]] = handle;
    this.tail[slot] = handle;
    if (this.isActive[slot] === 0) {
      // A newly active app starts with one quantum, as Linux's sch_drr and fq_codel give it.
      this.isActive[slot] = 1;
      this.deficit[slot] = SoftwareQueue.QUANTUM;
      this.active[(this.activeHead + this.activeCount++) % this.appSlots] = slot;
    }
    this.count++;
    this.bytes += length;
    return true;
  }

  /**
   * `push` for `handles[from..to)`, all of one app, entering at `nowNs` with lengths from
   * `lengths` (by handle): the same links, counts and DRR round. Those the limits refuse go to
   * `refused`, in order (the caller counts the drops); returns how many.
   */
  pushRun(
    handles: Int32Array,
    from: number,
    to: number,
    lengths: Uint32Array,
    nowNs: number,
    app: number,
    refused: Int32Array,
  ): number {
    const slot = this.fair && app < this.appSlots ? app : 0;
    const next = this.links.next;
    const linkLength = this.links.length;
    const enqueuedAt = this.links.enqueuedAt;
    const packetLimit = this.packetLimit;
    const byteLimit = this.byteLimit;
    let count = this.count;
    let bytes = this.bytes;
    let tail = this.tail[slot];
    let refusedCount = 0;
    for (let i = from; i < to; i++) {
      const h = handles[i];
      const length = lengths[h];
      if (count >= packetLimit || bytes + length > byteLimit) {
        refused[refusedCount++] = h;
        continue;
      }
      next[h] = -1;
      linkLength[h] = length;
      enqueuedAt[h] = nowNs;
      if (tail < 0) this.head[slot] = h;
      else next[tail] = h;
      tail = h;
      count++;
      bytes += length;
    }
    if (count !== this.count && this.isActive[slot] === 0) {
      // A newly active app starts with one quantum, as Linux's sch_drr and fq_codel give it.
      this.isActive[slot] = 1;
      this.deficit[slot] = SoftwareQueue.QUANTUM;
      this.active[(this.activeHead + this.activeCount++) % this.appSlots] = slot;
    }
    this.tail[slot] = tail;
    this.count = count;
    this.bytes = bytes;
    return refusedCount;
  }

  /** When the next packet (by DRR) entered the queue. Caller checks `count > 0` first. */
  peekTime(): number {
    return this.links.enqueuedAt[this.head[this.select()]];
  }

  peekLength(): number {
    return this.links.length[this.head[this.select()]];
  }

  /** The app slot whose packet is next by DRR (its CoDel decides on it). */
  peekSlot(): number {
    return this.select();
  }

  /** Removes and returns the next packet by DRR. Caller checks `count > 0` first. */
  shift(): number {
    const slot = this.select();
    const h = this.head[slot];
    const length = this.links.length[h];
    this.chosenApp = -1;
    this.head[slot] = this.links.next[h];
    if (this.head[slot] < 0) this.tail[slot] = -1;
    this.deficit[slot] -= length;
    this.count--;
    this.bytes -= length;
    if (this.head[slot] < 0) {
      // Empty: leave the round; a returning app starts with no saved credit.
      this.isActive[slot] = 0;
      this.activeHead = (this.activeHead + 1) % this.appSlots;
      this.activeCount--;
    }
    return h;
  }

  /**
   * A run of packets by DRR at once: the app next by DRR (left in `runApp`) hands out its
   * packets in order while its credit covers each — exactly those `shift` would return one by
   * one before the round moves on — up to `maxPkts`, and while their bytes total at most
   * `maxBytes` (the first is always taken: the caller has checked it fits). Puts the handles in
   * `out` and returns how many. Caller checks `count > 0` first.
   */
  dequeueRun(out: Int32Array, maxPkts: number, maxBytes: number): number {
    const slot = this.select();
    const links = this.links;
    const next = links.next;
    const lengths = links.length;
    let h = this.head[slot];
    let deficit = this.deficit[slot];
    let bytes = 0;
    let n = 0;
    do {
      const length = lengths[h];
      out[n++] = h;
      bytes += length;
      deficit -= length;
      h = next[h];
    } while (h >= 0 && n < maxPkts && deficit >= lengths[h] && bytes + lengths[h] <= maxBytes);
    this.runApp = slot;
    this.chosenApp = -1;
    this.head[slot] = h;
    this.deficit[slot] = deficit;
    this.count -= n;
    this.bytes -= bytes;
    if (h < 0) {
      this.tail[slot] = -1;
      // Empty: leave the round; a returning app starts with no saved credit.
      this.isActive[slot] = 0;
      this.activeHead = (this.activeHead + 1) % this.appSlots;
      this.activeCount--;
    }
    return n;
  }

  /** The app slot of the last `dequeueRun`. */
  runApp = -1;

  /** When a queued packet entered the queue. */
  enqueuedAt(handle: number): number {
    return this.links.enqueuedAt[handle];
  }

  /** A queued packet's length. */
  lengthOf(handle: number): number {
    return this.links.length[handle];
  }

  /**
   * Unlinks the packets of `slot`'s FIFO that `match` picks, in order, and hands each to `into`
   * with its length and the time it entered this queue (control path: a flow whose entry has
   * just arrived takes its early packets out of the unattributed FIFO). An emptied slot leaves
   * the DRR round at its next turn.
   */
  moveMatching(
    slot: number,
    match: (handle: number) => boolean,
    into: (handle: number, length: number, enqueuedAt: number) => void,
  ): number {
    if (slot >= this.appSlots || this.head[slot] < 0) return 0;
    const links = this.links;
    let moved = 0;
    let prev = -1;
    let h = this.head[slot];
    this.chosenApp = -1;
    while (h >= 0) {
      const next = links.next[h];
      if (!match(h)) {
        prev = h;
        h = next;
        continue;
      }
      if (prev < 0) this.head[slot] = next;
      else links.next[prev] = next;
      if (this.tail[slot] === h) this.tail[slot] = prev;
      const length = links.length[h];
      this.count--;
      this.bytes -= length;
      moved++;
      into(h, length, links.enqueuedAt[h]);
      h = next;
    }
    return moved;
  }

  /** DRR: the app at the front of the round sends while its credit covers its next packet. */
  private select(): number {
    if (this.chosenApp >= 0) return this.chosenApp;
    while (true) {
      const slot = this.active[this.activeHead];
      if (this.head[slot] < 0) {
        // Emptied by `moveMatching` while in the round: it leaves the round here.
        this.isActive[slot] = 0;
        this.activeHead = (this.activeHead + 1) % this.appSlots;
        this.activeCount--;
        continue;
      }
      if (this.deficit[slot] >= this.links.length[this.head[slot]]) {
        this.chosenApp = slot;
        return slot;
      }
      // Not enough credit: top it up and move the app to the back of the round.
      this.deficit[slot] += SoftwareQueue.QUANTUM;
      this.activeHead = (this.activeHead + 1) % this.appSlots;
      this.active[(this.activeHead + this.activeCount - 1) % this.appSlots] = slot;
    }
  }
}

/** Per-packet-handle fields the software queues thread their FIFOs through. */
export class PacketLinks {
  readonly next: Int32Array;
  readonly length: Uint32Array;
  readonly enqueuedAt: Float64Array;

  constructor(packetCount: number) {
    this.next = new Int32Array(packetCount).fill(-1);
    this.length = new Uint32Array(packetCount);
    this.enqueuedAt = new Float64Array(packetCount);
  }
}
