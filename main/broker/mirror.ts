/**
 * Keeps one remote replica of a mapping fresh: on each display frame, copy the shared region
 * (under its seqlock, so never half an update), compare it with what the replica holds, and
 * send only the ranges that changed — nothing at all when nothing did.
 */
import { SEQLOCK_OFFSET } from '../../driver-runtime/abi/netlanes-abi.ts';

/** Ranges closer than this are sent as one (fewer, larger copies). */
const MERGE_GAP_BYTES = 64;
/**
 * Copies tried at once while the writer holds the seqlock. Few: a dext in the middle of a busy
 * tick rewrites its counters every few tens of µs, so the broker tries again a little later
 * instead (see Broker.pollMirrors) rather than spin on the main thread.
 */
const SEQLOCK_ATTEMPTS = 4;

export class Mirror {
  private readonly shared: Uint8Array;
  private readonly snapshot: Uint8Array;
  private readonly sent: Uint8Array;
  private readonly snapshot32: Uint32Array | null;
  private readonly sent32: Uint32Array | null;
  private readonly seqlock: number;
  generation = 0;
  /** The last poll found the region mid-write every time: try again soon. */
  torn = false;

  get snapshotLength(): number {
    return this.snapshot.length;
  }

  constructor(
    readonly connection: number,
    readonly memoryType: number,
    buffer: ArrayBufferLike,
    offset: number,
    length: number,
  ) {
    this.shared = new Uint8Array(buffer, offset, length);
    this.snapshot = new Uint8Array(length);
    this.sent = new Uint8Array(length);
    const aligned = length % 4 === 0;
    this.snapshot32 = aligned ? new Uint32Array(this.snapshot.buffer) : null;
    this.sent32 = aligned ? new Uint32Array(this.sent.buffer) : null;
    this.seqlock = SEQLOCK_OFFSET[memoryType] ?? -1;
  }

  /** The update to send now, or null when the region did not change (or stayed mid-write). */
  poll(): { generation: number; ranges: [number, Uint8Array][] } | null {
    this.torn = !this.copy();
    if (this.torn) return null;
    const ranges = this.generation === 0 ? [[0, this.snapshot.slice()] as [number, Uint8Array]] : this.diff();
    if (ranges.length === 0) return null;
    this.sent.set(this.snapshot);
    return { generation: ++this.generation, ranges };
  }

  /** Copies the region; with a seqlock, only a copy taken while it was even and unchanged counts. */
  private copy(): boolean {
    if (this.seqlock < 0) {
      this.snapshot.set(this.shared);
      return true;
    }
    const view = new DataView(this.shared.buffer, this.shared.byteOffset, this.shared.byteLength);
    for (let i = 0; i < SEQLOCK_ATTEMPTS; i++) {
      const before = view.getUint32(this.seqlock, true);
      if (before % 2 === 1) continue;
      this.snapshot.set(this.shared);
      if (view.getUint32(this.seqlock, true) === before) return true;
    }
    return false;
  }

  private diff(): [number, Uint8Array][] {
    const ranges: [number, number][] = [];
    if (this.snapshot32 !== null && this.sent32 !== null) {
      const a = this.snapshot32;
      const b = this.sent32;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        const start = i * 4;
        let j = i + 1;
        while (j < a.length && a[j] !== b[j]) j++;
        this.extend(ranges, start, j * 4);
        i = j;
      }
    } else {
      const a = this.snapshot;
      const b = this.sent;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        let j = i + 1;
        while (j < a.length && a[j] !== b[j]) j++;
        this.extend(ranges, i, j);
        i = j;
      }
    }
    return ranges.map(([start, end]) => [start, this.snapshot.slice(start, end)]);
  }

  private extend(ranges: [number, number][], start: number, end: number): void {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && start - last[1] <= MERGE_GAP_BYTES) last[1] = end;
    else ranges.push([start, end]);
  }
}
