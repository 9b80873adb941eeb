import { serviceClassToQueue } from '../networking/constants.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { QUEUE_FROM_SERVICE_CLASS } from '../abi/app-settings.ts';

/**
 * Picks the hardware Tx queue (0 lowest … 3 highest) for a packet. This is the seam the
 * per-application rules plug into; it runs once per packet, so implementations must be
 * O(1) table lookups with no allocation.
 */
export interface TxClassifier {
  classify(pool: IOUserNetworkPacketBufferPool, handle: number): number;
}

/** Default: the OS service class folded 10 → 4 as xnu's fq_codel does for driver-managed queues. */
export class ServiceClassClassifier implements TxClassifier {
  // Service classes are 0..900 in steps of 100: a dense table indexed by class/100.
  private readonly table = new Uint8Array(10);

  constructor() {
    for (let i = 0; i < 10; i++) this.table[i] = serviceClassToQueue(i * 100);
  }

  classify(pool: IOUserNetworkPacketBufferPool, handle: number): number {
    const index = (pool.serviceClass[handle] / 100) | 0;
    return index < 10 ? this.table[index] : 1;
  }
}

/**
 * Per-application rules in the Tx path: app id → queue through the active compiled table,
 * falling back to the service-class fold for apps no rule names. `apply` swaps tables
 * between two packets — the driver's dispatch queue is serial, so no packet is ever
 * classified by a half-applied set — and bumps the generation.
 */
export class RuleClassifier implements TxClassifier {
  private queueByApp: Uint8Array = new Uint8Array(0);
  private readonly fallback = new ServiceClassClassifier();
  generation = 0;
  /** ≥ 0: every packet goes to this queue (the single-queue FIFO baseline of a plain driver). */
  forcedQueue = -1;

  apply(queueByApp: Uint8Array, generation: number): void {
    this.queueByApp = queueByApp;
    this.generation = generation;
  }

  classify(pool: IOUserNetworkPacketBufferPool, handle: number): number {
    return this.queueOf(this.slotOf(pool, handle), pool, handle);
  }

  /** The accounting slot a packet is charged to (the stack's app id today). */
  slotOf(pool: IOUserNetworkPacketBufferPool, handle: number): number {
    return pool.appId[handle];
  }

  /** The hardware queue for a packet of `slot`: its setting, else its service class. */
  queueOf(slot: number, pool: IOUserNetworkPacketBufferPool, handle: number): number {
    if (this.forcedQueue >= 0) return this.forcedQueue;
    const q = slot < this.queueByApp.length ? this.queueByApp[slot] : QUEUE_FROM_SERVICE_CLASS;
    return q !== QUEUE_FROM_SERVICE_CLASS ? q : this.fallback.classify(pool, handle);
  }

  /**
   * explain(packet): the same decision as `classify`, step by step, from the packet's own
   * metadata (control path; allocates). `names` labels app ids when the caller knows them.
   */
  explain(
    pool: IOUserNetworkPacketBufferPool,
    handle: number,
    names: (app: number) => string = (a) => `app ${a}`,
  ): string[] {
    const app = pool.appId[handle];
    const serviceClass = pool.serviceClass[handle];
    const steps = [`packet ${handle}: ${names(app)} (app id ${app}), service class ${serviceClass}`];
    if (this.forcedQueue >= 0) {
      steps.push(`single-queue baseline: every packet → Queue ${this.forcedQueue}`);
      return steps;
    }
    const q = app < this.queueByApp.length ? this.queueByApp[app] : QUEUE_FROM_SERVICE_CLASS;
    if (q !== QUEUE_FROM_SERVICE_CLASS) {
      steps.push(`rule table generation ${this.generation}: app id ${app} → Queue ${q}`);
      return steps;
    }
    steps.push(`rule table generation ${this.generation}: no rule for app id ${app}`);
    steps.push(
      `default: service class ${serviceClass} folds to Queue ${this.fallback.classify(pool, handle)} (xnu 10 → 4)`,
    );
    return steps;
  }
}
