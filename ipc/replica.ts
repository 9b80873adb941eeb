/**
 * A mapping on the far side of a carrier: a page cannot share memory with the dext, so the
 * broker sends the region's bytes — all of it first, then the ranges that changed — at most
 * once a display frame while it changes, and nothing while it does not. Each update is
 * applied whole before anyone reads, and `generation` counts them: a reader never sees half
 * an update.
 */
import { Emitter, type Unsubscribe } from './carrier.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotAttached,
  kIOReturnNotPermitted,
} from '../driver-runtime/abi/io-return.ts';

export class MappedMemory {
  private readonly buffer: Uint8Array;
  private readonly changes = new Emitter<number>();
  generation = 0;
  references = 0;
  private attached = true;

  constructor(
    readonly connection: number,
    readonly memoryType: number,
    readonly length: number,
    readonly readOnly: boolean,
    private readonly writeThrough: (offset: number, bytes: Uint8Array) => Promise<number>,
  ) {
    this.buffer = new Uint8Array(length);
  }

  /** The region's bytes as of `generation`: read them, do not keep them across awaits. */
  get bytes(): Uint8Array {
    return this.buffer;
  }

  get isAttached(): boolean {
    return this.attached;
  }

  /** Heard after each update, with the new generation. */
  onChange(listener: (generation: number) => void): Unsubscribe {
    return this.changes.on(listener);
  }

  /** Writes through to the driver's memory (read-write mappings only); answers with an IOReturn. */
  async write(offset: number, bytes: Uint8Array): Promise<number> {
    if (!this.attached) return kIOReturnNotAttached;
    if (this.readOnly) return kIOReturnNotPermitted;
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > this.length)
      return kIOReturnBadArgument;
    const ret = await this.writeThrough(offset, bytes);
    if (ret === 0) this.buffer.set(bytes, offset);
    return ret;
  }

  /** Applies one update (the client library calls this). Stale or malformed updates are ignored. */
  apply(generation: number, ranges: [number, Uint8Array][]): void {
    if (!this.attached || generation <= this.generation) return;
    for (const [offset, bytes] of ranges)
      if (!(Number.isInteger(offset) && offset >= 0 && offset + bytes.length <= this.length)) return;
    for (const [offset, bytes] of ranges) this.buffer.set(bytes, offset);
    this.generation = generation;
    this.changes.fire(generation);
  }

  detach(): void {
    this.attached = false;
    this.changes.clear();
  }
}
