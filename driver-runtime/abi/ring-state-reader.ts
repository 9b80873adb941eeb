import {
  RING_FIELDS,
  RING_RECORD_BYTES,
  RING_STATE_HEADER_BYTES,
  RS_POOL_IN_USE,
  RS_POOL_PACKETS,
  RS_QUEUES,
  RS_SEQUENCE,
  RS_UPDATED_AT,
} from './netlanes-abi.ts';

export type RingRecord = Record<(typeof RING_FIELDS)[number], number>;

export interface RingState {
  sequence: number;
  poolPackets: number;
  poolInUse: number;
  updatedAtNs: number;
  tx: RingRecord[];
  rx: RingRecord[];
}

/**
 * Reads the RingState memory type: copies under the seqlock (odd while the driver writes;
 * retried when it moved), so a reader never sees a ring half updated. Null if it never settled.
 */
export function readRingState(bytes: Uint8Array, attempts = 8): RingState | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = view.getUint32(RS_SEQUENCE, true);
    if (before % 2 === 1) continue;
    const queues = view.getUint32(RS_QUEUES, true);
    const record = (index: number): RingRecord => {
      const base = RING_STATE_HEADER_BYTES + index * RING_RECORD_BYTES;
      return Object.fromEntries(
        RING_FIELDS.map((f, i) => [f, view.getUint32(base + 4 * i, true)]),
      ) as RingRecord;
    };
    const state: RingState = {
      sequence: before,
      poolPackets: view.getUint32(RS_POOL_PACKETS, true),
      poolInUse: view.getUint32(RS_POOL_IN_USE, true),
      updatedAtNs: view.getFloat64(RS_UPDATED_AT, true),
      tx: Array.from({ length: queues }, (_, q) => record(q)),
      rx: Array.from({ length: queues }, (_, q) => record(queues + q)),
    };
    if (view.getUint32(RS_SEQUENCE, true) === before) return state;
  }
  return null;
}
