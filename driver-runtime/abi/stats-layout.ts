import { LATENCY_BUCKETS } from './latency-buckets.ts';

/**
 * The driver's statistics region: one buffer the driver writes and clients map read-only
 * (memory type STATS of the user client). Little-endian, explicit offsets, structure of
 * arrays: each counter is a Float64Array over all app slots (exact to 2^53), so a client
 * reads one column without touching the others.
 *
 * Consistency: `sequence` is a seqlock — odd while the driver updates, even when stable;
 * a reader copies, then re-reads the sequence and retries if it moved.
 */
export const STATS_MAGIC = 0x54534c4e; // "NLST"
export const STATS_VERSION = 1;
export const STATS_HEADER_BYTES = 64;
export const STATS_QUEUES = 4;

/** Header fields (byte offsets). */
export const H_MAGIC = 0;
export const H_VERSION = 4;
export const H_SEQUENCE = 8;
export const H_APP_CAPACITY = 12;
export const H_QUEUES = 16;
export const H_BUCKETS = 20;
export const H_RULES_GENERATION = 24;
export const H_UPDATED_AT_NS = 32; // f64

/** Per-app counter columns, in region order. */
export const APP_COLUMNS = [
  'txPackets',
  'txBytes',
  'rxPackets',
  'rxBytes',
  'dropQueueFull',
  'dropAqm',
  'dropCap',
  'dropCompletionFull',
  'dropAborted',
  'shapedPackets',
  'currentQueue',
  'capBps',
  'latencySum',
  'latencyMax',
] as const;
export type AppColumn = (typeof APP_COLUMNS)[number];

/** Per-hardware-queue columns. */
export const QUEUE_COLUMNS = [
  'txPackets',
  'txBytes',
  'swQueueBytes',
  'ringInflightBytes',
  'drops',
  'restarts',
] as const;
export type QueueColumn = (typeof QUEUE_COLUMNS)[number];

export interface StatsLayout {
  appCapacity: number;
  bytes: number;
  appColumnOffset: Record<AppColumn, number>;
  queueColumnOffset: Record<QueueColumn, number>;
  /** Uint32 latency counts: app-major, LATENCY_BUCKETS per app. */
  latencyOffset: number;
}

export function statsLayout(appCapacity: number): StatsLayout {
  let offset = STATS_HEADER_BYTES;
  const appColumnOffset = {} as Record<AppColumn, number>;
  for (const c of APP_COLUMNS) {
    appColumnOffset[c] = offset;
    offset += 8 * appCapacity;
  }
  const queueColumnOffset = {} as Record<QueueColumn, number>;
  for (const c of QUEUE_COLUMNS) {
    queueColumnOffset[c] = offset;
    offset += 8 * STATS_QUEUES;
  }
  const latencyOffset = offset;
  offset += 4 * LATENCY_BUCKETS * appCapacity;
  return {
    appCapacity,
    bytes: Math.ceil(offset / 4096) * 4096,
    appColumnOffset,
    queueColumnOffset,
    latencyOffset,
  };
}

/** Typed views over a stats region (writer or reader side). */
export class StatsView {
  readonly layout: StatsLayout;
  readonly header: DataView;
  readonly app: Record<AppColumn, Float64Array>;
  readonly queue: Record<QueueColumn, Float64Array>;
  readonly latency: Uint32Array;

  constructor(buffer: ArrayBufferLike, byteOffset: number, appCapacity: number) {
    this.layout = statsLayout(appCapacity);
    this.header = new DataView(buffer, byteOffset, STATS_HEADER_BYTES);
    this.app = {} as Record<AppColumn, Float64Array>;
    for (const c of APP_COLUMNS)
      this.app[c] = new Float64Array(buffer, byteOffset + this.layout.appColumnOffset[c], appCapacity);
    this.queue = {} as Record<QueueColumn, Float64Array>;
    for (const c of QUEUE_COLUMNS)
      this.queue[c] = new Float64Array(buffer, byteOffset + this.layout.queueColumnOffset[c], STATS_QUEUES);
    this.latency = new Uint32Array(
      buffer,
      byteOffset + this.layout.latencyOffset,
      LATENCY_BUCKETS * appCapacity,
    );
  }

  /** Writes the header of a fresh region. */
  initHeader(): void {
    const h = this.header;
    h.setUint32(H_MAGIC, STATS_MAGIC, true);
    h.setUint32(H_VERSION, STATS_VERSION, true);
    h.setUint32(H_SEQUENCE, 0, true);
    h.setUint32(H_APP_CAPACITY, this.layout.appCapacity, true);
    h.setUint32(H_QUEUES, STATS_QUEUES, true);
    h.setUint32(H_BUCKETS, LATENCY_BUCKETS, true);
  }

  beginWrite(): void {
    this.header.setUint32(H_SEQUENCE, (this.header.getUint32(H_SEQUENCE, true) + 1) >>> 0, true);
  }

  endWrite(nowNs: number): void {
    this.header.setFloat64(H_UPDATED_AT_NS, nowNs, true);
    this.header.setUint32(H_SEQUENCE, (this.header.getUint32(H_SEQUENCE, true) + 1) >>> 0, true);
  }

  get sequence(): number {
    return this.header.getUint32(H_SEQUENCE, true);
  }
}
