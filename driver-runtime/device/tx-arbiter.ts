/**
 * Tx arbiter over the 4 queues (nic-model §6.4). Called each time the serializer goes idle
 * (non-preemptive); picks the queue whose head packet goes next, or -1.
 *
 * - FIFO: the eligible queue whose head packet was fetched (doorbelled) first (I210 legacy).
 * - SP: the lowest TXARB slot whose queue is eligible; slot k is bits 2k+1:2k (I225 TXARB).
 * - DRR: deficit round robin (Shreedhar & Varghese) with TXQWRR quanta in frame bytes (frame +
 *   FCS); queues with quantum 0 are never served in pure DRR mode. Round order = TXARB order.
 * - SP over DRR: queues with quantum 0 are strict in TXARB order, above one DRR group made of
 *   the queues with quantum > 0.
 * - Floors (TXQMIN, OURS): in every mode but FIFO, an eligible queue under its floor (credit
 *   kept by FloorGuard covers its head frame) is served before the mode decides, lowest TXARB
 *   slot first. Such a pick does not touch the DRR round or deficits.
 */
import { TXSCHED_DRR, TXSCHED_FIFO, TXSCHED_SP, TXSCHED_SP_DRR } from './registers.ts';

/** What the arbiter needs to know about the queues at one decision. */
export interface ArbiterInput {
  /** Bit q set: queue q may send its head packet now. */
  eligible: number;
  /** Bit q set: queue q has a complete packet (eligible or not, e.g. rate limited). */
  backlogged: number;
  /** TXARB register value. */
  txarb: number;
  /** DRR quanta (TXQWRR). */
  quantum: Uint32Array;
  /** Head packet size in frame bytes (incl. FCS) per queue. */
  headBytes: Int32Array;
  /** Fetch sequence of each queue's head packet (FIFO order). */
  headSeq: Float64Array;
}

export class TxArbiter {
  /** DRR deficit counters, bytes. */
  readonly deficit = new Float64Array(4);
  /** DRR: position (slot 0..3 in TXARB order) of the queue currently being served. */
  private current = 0;
  /** DRR: whether the current queue already got its quantum for this visit. */
  private granted = false;

  reset(): void {
    this.deficit.fill(0);
    this.current = 0;
    this.granted = false;
  }

  pick(mode: number, input: ArbiterInput): number {
    if (input.eligible === 0) {
      this.forgetIdle(input);
      return -1;
    }
    const single = (input.eligible & (input.eligible - 1)) === 0;
    switch (mode) {
      case TXSCHED_SP:
        // One eligible queue: strict priority has nothing to decide.
        if (single) return 31 - Math.clz32(input.eligible);
        return this.strict(input, 0xf);
      case TXSCHED_DRR:
        return this.drr(input, this.drrGroup(input));
      case TXSCHED_SP_DRR: {
        const group = this.drrGroup(input);
        const q = this.strict(input, ~group & 0xf);
        return q >= 0 ? q : this.drr(input, group);
      }
      case TXSCHED_FIFO:
      default:
        return single ? 31 - Math.clz32(input.eligible) : this.fifo(input);
    }
  }

  /**
   * TXQMIN floors (not in FIFO): the lowest-slot eligible queue in `under` (credit covers its
   * head frame), or -1 to let `pick` decide. DRR round and deficits are left as they are.
   */
  floorPick(mode: number, input: ArbiterInput, under: number): number {
    if ((under & input.eligible) === 0 || mode === TXSCHED_FIFO) return -1;
    this.forgetIdle(input);
    return this.strict(input, under);
  }

  private fifo(input: ArbiterInput): number {
    let best = -1;
    for (let q = 0; q < 4; q++) {
      if ((input.eligible >> q) & 1 && (best < 0 || input.headSeq[q] < input.headSeq[best])) best = q;
    }
    return best;
  }

  /** Lowest TXARB slot whose queue is eligible and in `allowed`. */
  private strict(input: ArbiterInput, allowed: number): number {
    for (let slot = 0; slot < 4; slot++) {
      const q = (input.txarb >> (2 * slot)) & 3;
      if ((allowed >> q) & 1 && (input.eligible >> q) & 1) return q;
    }
    return -1;
  }

  private drrGroup(input: ArbiterInput): number {
    let group = 0;
    for (let q = 0; q < 4; q++) if (input.quantum[q] > 0) group |= 1 << q;
    return group;
  }

  /** A queue that is no longer backlogged loses its deficit (classic DRR). */
  private forgetIdle(input: ArbiterInput): void {
    for (let q = 0; q < 4; q++) if (((input.backlogged >> q) & 1) === 0) this.deficit[q] = 0;
  }

  private drr(input: ArbiterInput, group: number): number {
    this.forgetIdle(input);
    if ((input.eligible & group) === 0) return -1;
    // Bounded: each full round adds at least 1 byte of quantum to every eligible queue.
    for (let guard = 0; guard < 4 * 65536; guard++) {
      const q = (input.txarb >> (2 * this.current)) & 3;
      if ((group >> q) & 1 && (input.eligible >> q) & 1) {
        if (!this.granted) {
          this.deficit[q] += input.quantum[q];
          this.granted = true;
        }
        if (input.headBytes[q] <= this.deficit[q]) {
          this.deficit[q] -= input.headBytes[q];
          return q;
        }
      }
      this.current = (this.current + 1) & 3;
      this.granted = false;
    }
    return -1;
  }
}
