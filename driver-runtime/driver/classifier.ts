import { serviceClassToQueue } from '../networking/constants.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import { QUEUE_BY_SERVICE_CLASS as QUEUE_FROM_SERVICE_CLASS } from '../abi/netlanes-abi.ts';
import { FlowTable } from './flow-table.ts';

/** Service classes are 0..900 (SIG is 750): an exact table, so an off-grid class is not a neighbour's. */
const CLASS_TABLE_SIZE = 901;
/** The queue of a class the table does not know: best effort. */
const DEFAULT_QUEUE = 1;

/**
 * Picks each packet's accounting slot and hardware queue (0 lowest … 3 highest) from what a
 * dext can see: the packet's bytes (its 5-tuple, looked up in the flow table the app pushed)
 * and its service class. A known flow is charged to its slot and takes the slot's queue
 * setting; anything else — an unknown flow, ARP, a slot with no setting — takes the service
 * class folded 10 → 4 as xnu's fq_codel does for driver-managed queues. O(1), no allocation.
 *
 * Settings swap between two packets (the driver's dispatch queue is serial), so no packet is
 * classified by half a table; `generation` tells tables apart.
 */
export class PacketClassifier {
  readonly flows: FlowTable;
  private readonly queueBySlot: Uint8Array;
  private readonly classTable = new Uint8Array(CLASS_TABLE_SIZE);
  generation = 0;
  /** ≥ 0: every packet goes to this queue (the single-queue FIFO baseline of a plain driver). */
  forcedQueue = -1;

  constructor(
    readonly slots: number,
    flowCapacity: number,
  ) {
    this.flows = new FlowTable(flowCapacity);
    this.queueBySlot = new Uint8Array(slots).fill(QUEUE_FROM_SERVICE_CLASS);
    for (let i = 0; i < CLASS_TABLE_SIZE; i++) this.classTable[i] = serviceClassToQueue(i);
  }

  /** The slot a Tx packet is charged to: its flow's, or 0 (unknown flow, not a flow). */
  slotOf(u8: Uint8Array, pool: IOUserNetworkPacketBufferPool, handle: number, nowNs: number): number {
    return this.flows.slotForTx(u8, pool.dataStart(handle), pool.dataLength[handle], nowNs);
  }

  /** The hardware queue for a packet of `slot`: the slot's setting, else its service class. */
  queueOf(slot: number, pool: IOUserNetworkPacketBufferPool, handle: number): number {
    if (this.forcedQueue >= 0) return this.forcedQueue;
    const q = this.settingOf(slot);
    return q !== QUEUE_FROM_SERVICE_CLASS ? q : this.queueForClass(pool.serviceClass[handle]);
  }

  /** The service-class fold: BK_SYS,BK → 0; BE,RD,OAM → 1; AV,RV,SIG,VI → 2; VO,CTL → 3. */
  queueForClass(serviceClass: number): number {
    return serviceClass >= 0 && serviceClass < CLASS_TABLE_SIZE
      ? this.classTable[serviceClass]
      : DEFAULT_QUEUE;
  }

  /** The queue setting of a slot (QUEUE_FROM_SERVICE_CLASS when none; slot 0, the unknown flows, never has one). */
  settingOf(slot: number): number {
    return slot > 0 && slot < this.slots ? this.queueBySlot[slot] : QUEUE_FROM_SERVICE_CLASS;
  }

  /** Sets one slot's queue (a batch of these, then `commit`, is one settings change). */
  setQueue(slot: number, queue: number): void {
    this.queueBySlot[slot] = queue;
  }

  commit(generation: number): void {
    this.generation = generation;
  }
}
