/**
 * The two small regions the driver writes for clients besides the statistics: ring state (a
 * driver developer's live view of head, tail and in-flight bytes) and the capture ring (the
 * frames the driver handles, while a client has capture on). Layouts are the ABI's.
 */
import {
  CAPTURE_HEADER_BYTES,
  CAPTURE_RECORD_BYTES,
  CAP_ENABLED,
  CAP_RECORDS,
  CAP_SNAP,
  CAP_WRITE_INDEX,
  RING_FIELDS,
  RING_RECORD_BYTES,
  RING_STATE_HEADER_BYTES,
  RS_POOL_IN_USE,
  RS_POOL_PACKETS,
  RS_QUEUES,
  RS_SEQUENCE,
  RS_UPDATED_AT,
} from '../abi/netlanes-abi.ts';
import type { RxRing } from './rx-ring.ts';
import type { TxRing } from './tx-ring.ts';

const FIELD = Object.fromEntries(RING_FIELDS.map((f, i) => [f, i])) as Record<
  (typeof RING_FIELDS)[number],
  number
>;
export const RING_FLAG_STOPPED = 1;

/**
 * Writes ring indices under a sequence counter (odd while writing), as the stats region does.
 * Tx ring q is record q, Rx ring q is record `queues + q`; each path writes its ring's record
 * when it moves the tail or reaps, so a reader always sees what the doorbell last said.
 */
export class RingStateWriter {
  private readonly u32: Uint32Array;
  private readonly view: DataView;

  constructor(
    bytes: Uint8Array,
    private readonly queues: number,
  ) {
    this.u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view.setUint32(RS_QUEUES, queues, true);
  }

  private begin(): void {
    this.u32[RS_SEQUENCE >>> 2]++;
  }

  private end(nowNs: number): void {
    this.view.setFloat64(RS_UPDATED_AT, nowNs, true);
    this.u32[RS_SEQUENCE >>> 2]++;
  }

  tx(ring: TxRing, nowNs: number): void {
    this.begin();
    this.record(
      ring.queueIndex,
      ring.count,
      ring.nextToUse,
      ring.nextToClean,
      ring.tail(),
      ring.inflightBytes,
      ring.byteLimit,
      ring.stopped ? RING_FLAG_STOPPED : 0,
    );
    this.end(nowNs);
  }

  rx(ring: RxRing, nowNs: number): void {
    this.begin();
    this.record(
      this.queues + ring.queueIndex,
      ring.count,
      ring.nextToAlloc,
      ring.nextToClean,
      ring.tailWritten & ring.mask,
      0,
      0,
      0,
    );
    this.end(nowNs);
  }

  /** Pool use, and the heads the device reports (read on watchdog passes: an MMIO read each). */
  pool(packets: number, inUse: number, heads: Int32Array | null, nowNs: number): void {
    this.begin();
    this.u32[RS_POOL_PACKETS >>> 2] = packets;
    this.u32[RS_POOL_IN_USE >>> 2] = inUse;
    if (heads !== null)
      for (let i = 0; i < 2 * this.queues; i++)
        this.u32[((RING_STATE_HEADER_BYTES + i * RING_RECORD_BYTES) >>> 2) + FIELD.head] = heads[i];
    this.end(nowNs);
  }

  private record(
    index: number,
    size: number,
    nextToUse: number,
    nextToClean: number,
    tail: number,
    inflight: number,
    limit: number,
    flags: number,
  ): void {
    const base = (RING_STATE_HEADER_BYTES + index * RING_RECORD_BYTES) >>> 2;
    const u = this.u32;
    u[base + FIELD.size] = size;
    u[base + FIELD.nextToUse] = nextToUse >>> 0;
    u[base + FIELD.nextToClean] = nextToClean >>> 0;
    u[base + FIELD.tail] = tail;
    u[base + FIELD.inflightBytes] = inflight;
    u[base + FIELD.byteLimit] = limit;
    u[base + FIELD.flags] = flags;
  }
}

export const CAPTURE_TX = 1;
export const CAPTURE_RX = 2;

/** The capture ring: fixed records, the write index bumped after each record is complete. */
export class CaptureWriter {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly records: number;
  enabled = false;
  private snap = 128;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.records = Math.floor((bytes.byteLength - CAPTURE_HEADER_BYTES) / CAPTURE_RECORD_BYTES);
    this.view.setUint32(CAP_RECORDS, this.records, true);
  }

  configure(enable: boolean, snap: number): void {
    this.enabled = enable;
    this.snap = snap;
    this.view.setUint32(CAP_SNAP, snap, true);
    this.view.setUint32(CAP_ENABLED, enable ? 1 : 0, true);
  }

  write(
    direction: number,
    queue: number,
    timeNs: number,
    frame: Uint8Array,
    offset: number,
    length: number,
  ): void {
    const v = this.view;
    const index = v.getUint32(CAP_WRITE_INDEX, true);
    const at = CAPTURE_HEADER_BYTES + (index % this.records) * CAPTURE_RECORD_BYTES;
    const captured = length < this.snap ? length : this.snap;
    v.setFloat64(at, timeNs, true);
    v.setUint16(at + 8, length, true);
    v.setUint16(at + 10, captured, true);
    v.setUint8(at + 12, direction);
    v.setUint8(at + 13, queue);
    this.bytes.set(frame.subarray(offset, offset + captured), at + 16);
    v.setUint32(CAP_WRITE_INDEX, (index + 1) >>> 0, true);
  }
}
