/**
 * CoDel (RFC 8289) run per application inside each class queue, as fq_codel (RFC 8290)
 * runs it per flow: every app slot has its own control-law state, so a sparse app whose
 * packets pass quickly cannot reset the law that holds a bulk app's backlog near target.
 *
 * A packet leaving the queue after waiting `sojourn` is dropped when its app's packets have
 * stayed above `target` for at least `interval`; then at intervals shrinking with the square
 * root of the drop count. The "too little queued to matter" test uses the whole class
 * queue's backlog, as Linux fq_codel passes the qdisc backlog to codel_dequeue.
 * State is structure-of-arrays over the slots: nothing is allocated per packet.
 */
export class CoDel {
  private readonly firstAboveTime: Float64Array;
  private readonly dropNext: Float64Array;
  private readonly count: Uint32Array;
  private readonly lastCount: Uint32Array;
  private readonly dropping: Uint8Array;
  /** Packets this CoDel told its queue to drop, per slot. */
  readonly drops: Float64Array;

  constructor(
    readonly slots: number,
    public targetNs: number,
    public intervalNs: number,
    /** Below this backlog the queue is "fine" whatever the sojourn (one MTU-sized frame). */
    public minBacklogBytes = 1514,
  ) {
    this.firstAboveTime = new Float64Array(slots);
    this.dropNext = new Float64Array(slots);
    this.count = new Uint32Array(slots);
    this.lastCount = new Uint32Array(slots);
    this.dropping = new Uint8Array(slots);
    this.drops = new Float64Array(slots);
  }

  /** True if the packet of `slot` now leaving the queue, which waited `sojournNs`, must be dropped. */
  shouldDrop(slot: number, sojournNs: number, nowNs: number, backlogBytes: number): boolean {
    const okToDrop = this.checkSojourn(slot, sojournNs, nowNs, backlogBytes);
    if (this.dropping[slot] !== 0) {
      if (!okToDrop) {
        this.dropping[slot] = 0;
        return false;
      }
      if (nowNs >= this.dropNext[slot]) {
        this.count[slot]++;
        this.dropNext[slot] = this.controlLaw(this.dropNext[slot], this.count[slot]);
        this.drops[slot]++;
        return true;
      }
      return false;
    }
    if (!okToDrop) return false;
    this.dropping[slot] = 1;
    // Resume near the previous drop rate if we were dropping recently (RFC 8289 §5.5).
    const delta = this.count[slot] - this.lastCount[slot];
    this.count[slot] = delta > 1 && nowNs - this.dropNext[slot] < 16 * this.intervalNs ? delta : 1;
    this.lastCount[slot] = this.count[slot];
    this.dropNext[slot] = this.controlLaw(nowNs, this.count[slot]);
    this.drops[slot]++;
    return true;
  }

  /** True while `slot` is in the dropping state (for tests and diagnostics). */
  /**
   * `shouldDrop` for every packet of a run of `slot`, answered at once when it is "keep all":
   * not in the dropping state and even the longest sojourn of the run below target. Each call
   * would then only clear `firstAboveTime` and return false, so this does that once. False
   * when the run needs the per-packet decisions.
   */
  keepsRun(slot: number, longestSojournNs: number): boolean {
    if (this.dropping[slot] !== 0 || longestSojournNs >= this.targetNs) return false;
    this.firstAboveTime[slot] = 0;
    return true;
  }

  isDropping(slot: number): boolean {
    return this.dropping[slot] !== 0;
  }

  /** Forgets every slot's state (interface enable, reset). */
  reset(): void {
    this.firstAboveTime.fill(0);
    this.dropNext.fill(0);
    this.count.fill(0);
    this.lastCount.fill(0);
    this.dropping.fill(0);
  }

  private checkSojourn(slot: number, sojournNs: number, nowNs: number, backlogBytes: number): boolean {
    if (sojournNs < this.targetNs || backlogBytes <= this.minBacklogBytes) {
      this.firstAboveTime[slot] = 0;
      return false;
    }
    if (this.firstAboveTime[slot] === 0) {
      this.firstAboveTime[slot] = nowNs + this.intervalNs;
      return false;
    }
    return nowNs >= this.firstAboveTime[slot];
  }

  /** RFC 8289 control law: the next drop `interval / sqrt(count)` after `t`. */
  private controlLaw(t: number, count: number): number {
    return t + this.intervalNs / Math.sqrt(count);
  }
}
