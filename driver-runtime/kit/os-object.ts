import { currentRuntime, type DextRuntime } from './runtime.ts';

/** A C++-style out-parameter: `Create(..., out)` fills `out.value` on success. */
export interface Out<T> {
  value: T | null;
}

export function out<T>(): Out<T> {
  return { value: null };
}

/**
 * OSObject: reference counted. `release()` to zero calls `free()`, which subclasses
 * override to release what they hold (DriverKit's `free` / ivars teardown). Every live
 * object is counted per class in its runtime, so lifecycle tests can prove nothing leaks.
 */
export class OSObject {
  readonly runtime: DextRuntime;
  private retainCount = 1;
  private freed = false;

  constructor(runtime: DextRuntime = currentRuntime()) {
    this.runtime = runtime;
    const name = this.constructor.name;
    runtime.liveObjects.set(name, (runtime.liveObjects.get(name) ?? 0) + 1);
  }

  get isFreed(): boolean {
    return this.freed;
  }

  getRetainCount(): number {
    return this.retainCount;
  }

  retain(): this {
    if (this.freed) throw new Error(`${this.constructor.name}: retain after free`);
    this.retainCount++;
    return this;
  }

  /** OURS: an over-release throws here; a real dext would corrupt memory and fail later. */
  release(): void {
    if (this.freed) throw new Error(`${this.constructor.name}: release after free (over-release)`);
    if (--this.retainCount === 0) {
      this.freed = true;
      this.free();
      const name = this.constructor.name;
      const n = (this.runtime.liveObjects.get(name) ?? 1) - 1;
      if (n === 0) this.runtime.liveObjects.delete(name);
      else this.runtime.liveObjects.set(name, n);
    }
  }

  /** Called once when the last reference goes. */
  protected free(): void {}
}

/** OSSafeReleaseNULL: releases and returns null so `x = safeRelease(x)` clears the field. */
export function safeRelease<T extends OSObject>(object: T | null | undefined): null {
  object?.release();
  return null;
}

/** OSData: an immutable-length byte container. */
export class OSData extends OSObject {
  readonly bytes: Uint8Array;

  private constructor(bytes: Uint8Array, runtime?: DextRuntime) {
    super(runtime);
    this.bytes = bytes;
  }

  static withBytes(bytes: Uint8Array, runtime?: DextRuntime): OSData {
    return new OSData(bytes.slice(), runtime);
  }

  static withCapacity(capacity: number, runtime?: DextRuntime): OSData {
    return new OSData(new Uint8Array(capacity), runtime);
  }

  getLength(): number {
    return this.bytes.length;
  }

  getBytesNoCopy(): Uint8Array {
    return this.bytes;
  }
}
