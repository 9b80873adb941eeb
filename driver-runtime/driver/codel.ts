/**
 * CoDel (RFC 8289) for one software queue: drop at dequeue when packets have waited longer
 * than `target` for at least `interval`, then at intervals shrinking with the square root of
 * the drop count. Sojourn time is measured from the stack's enqueue stamp to the moment the
 * driver hands the packet to the hardware ring. State is a handful of numbers per queue.
 */
export class CoDel {
  private firstAboveTime = 0;
  private dropNext = 0;
  private count = 0;
  private lastCount = 0;
  private dropping = false;
  drops = 0;

  constructor(
    public targetNs: number,
    public intervalNs: number,
  ) {}

  /** True if the packet now leaving the queue, which waited `sojournNs`, must be dropped. */
  shouldDrop(sojournNs: number, nowNs: number, queueBytes: number): boolean {
    const okToDrop = this.checkSojourn(sojournNs, nowNs, queueBytes);
    if (this.dropping) {
      if (!okToDrop) {
        this.dropping = false;
        return false;
      }
      if (nowNs >= this.dropNext) {
        this.count++;
        this.dropNext = this.controlLaw(this.dropNext);
        this.drops++;
        return true;
      }
      return false;
    }
    if (okToDrop) {
      this.dropping = true;
      // Resume near the previous drop rate if we were dropping recently (RFC 8289 §5.5).
      const delta = this.count - this.lastCount;
      this.count = delta > 1 && nowNs - this.dropNext < 16 * this.intervalNs ? delta : 1;
      this.lastCount = this.count;
      this.dropNext = this.controlLaw(nowNs);
      this.drops++;
      return true;
    }
    return false;
  }

  reset(): void {
    this.firstAboveTime = 0;
    this.dropNext = 0;
    this.count = 0;
    this.lastCount = 0;
    this.dropping = false;
  }

  private checkSojourn(sojournNs: number, nowNs: number, queueBytes: number): boolean {
    // Below target, or too little queued to matter (one MTU): the queue is fine.
    if (sojournNs < this.targetNs || queueBytes <= 1514) {
      this.firstAboveTime = 0;
      return false;
    }
    if (this.firstAboveTime === 0) {
      this.firstAboveTime = nowNs + this.intervalNs;
      return false;
    }
    return nowNs >= this.firstAboveTime;
  }

  private controlLaw(t: number): number {
    return t + this.intervalNs / Math.sqrt(this.count);
  }
}
