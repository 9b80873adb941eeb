/**
 * A per-hardware-queue software queue (the driver's if_snd): a ring of packet handles with
 * a packet and byte bound. The Tx submission queue is drained into these at once, so no
 * shared FIFO in front of the classifier ever holds a backlog; they hold what the hardware
 * ring's byte limit does not yet admit.
 */
export class SoftwareQueue {
  private readonly ring: Int32Array;
  private readonly lengths: Uint32Array;
  /** When each packet entered this queue (CoDel's sojourn clock). */
  private readonly enqueuedAt: Float64Array;
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  bytes = 0;

  constructor(
    readonly packetLimit: number,
    public byteLimit: number,
  ) {
    let size = 1;
    while (size < packetLimit) size <<= 1;
    this.ring = new Int32Array(size);
    this.lengths = new Uint32Array(size);
    this.enqueuedAt = new Float64Array(size);
    this.mask = size - 1;
  }

  get count(): number {
    return this.tail - this.head;
  }

  /** False when full (the caller counts the drop). */
  push(handle: number, length: number, nowNs = 0): boolean {
    if (this.tail - this.head >= this.packetLimit || this.bytes + length > this.byteLimit) return false;
    const i = this.tail++ & this.mask;
    this.ring[i] = handle;
    this.lengths[i] = length;
    this.enqueuedAt[i] = nowNs;
    this.bytes += length;
    return true;
  }

  /** When the head packet entered the queue. */
  peekTime(): number {
    return this.enqueuedAt[this.head & this.mask];
  }

  peekLength(): number {
    return this.lengths[this.head & this.mask];
  }

  /** Caller checks `count > 0` first. */
  shift(): number {
    const i = this.head++ & this.mask;
    this.bytes -= this.lengths[i];
    return this.ring[i];
  }
}
