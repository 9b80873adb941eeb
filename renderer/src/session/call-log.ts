/**
 * The user-client call log of this window: every IOKit call the page makes (method calls,
 * async calls, mappings, app requests) with its IOReturn and round-trip time, as a
 * DTrace/`ioclasscount`-minded developer wants to see them. An IOKitClient that records.
 */
import { IOKitClient } from '../../../ipc/iokit-client.ts';
import type { CallValue } from '../../../ipc/protocol.ts';
import type { MappedMemory } from '../../../ipc/replica.ts';

export interface CallEntry {
  id: number;
  /** Wall-clock time the call was made (ms since the epoch). */
  at: number;
  kind: 'call' | 'async' | 'map' | 'unmap' | 'app' | 'registry';
  connection: number;
  /** Selector, memory type, or -1. */
  selector: number;
  /** App request op, for kind 'app'. */
  op?: string;
  ret: number | 'error';
  ms: number;
  inBytes: number;
  outBytes: number;
}

const KEPT = 400;

export class CallLog {
  private entries: CallEntry[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();
  version = 0;

  add(e: Omit<CallEntry, 'id'>): void {
    this.entries = [...this.entries.slice(-(KEPT - 1)), { ...e, id: this.nextId++ }];
    this.version++;
    for (const l of this.listeners) l();
  }

  get all(): readonly CallEntry[] {
    return this.entries;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;
}

export class LoggedIOKitClient extends IOKitClient {
  constructor(
    carrier: ConstructorParameters<typeof IOKitClient>[0],
    readonly log: CallLog,
  ) {
    super(carrier);
  }

  private async timed<T>(
    entry: Omit<CallEntry, 'id' | 'at' | 'ret' | 'ms' | 'outBytes'>,
    run: () => Promise<T>,
    result: (value: T) => { ret: number; outBytes?: number },
  ): Promise<T> {
    const at = Date.now();
    const t0 = performance.now();
    try {
      const value = await run();
      const r = result(value);
      this.log.add({ ...entry, at, ms: performance.now() - t0, ret: r.ret, outBytes: r.outBytes ?? 0 });
      return value;
    } catch (e) {
      this.log.add({ ...entry, at, ms: performance.now() - t0, ret: 'error', outBytes: 0 });
      throw e;
    }
  }

  override IOConnectCallMethod(
    connection: number,
    selector: number,
    scalarInput: number[],
    structInput: Uint8Array | null,
    scalarOutputCount: number,
    structOutputSize: number,
  ): Promise<CallValue> {
    return this.timed(
      { kind: 'call', connection, selector, inBytes: structInput?.length ?? 0 },
      () =>
        super.IOConnectCallMethod(
          connection,
          selector,
          scalarInput,
          structInput,
          scalarOutputCount,
          structOutputSize,
        ),
      (r) => ({ ret: r.ret, outBytes: r.structOutput?.length ?? 0 }),
    );
  }

  override IOConnectCallAsyncMethod(
    connection: number,
    selector: number,
    reference: number[],
    scalarInput: number[],
    structInput: Uint8Array | null,
    scalarOutputCount: number,
    structOutputSize: number,
  ): Promise<CallValue> {
    return this.timed(
      { kind: 'async', connection, selector, inBytes: structInput?.length ?? 0 },
      () =>
        super.IOConnectCallAsyncMethod(
          connection,
          selector,
          reference,
          scalarInput,
          structInput,
          scalarOutputCount,
          structOutputSize,
        ),
      (r) => ({ ret: r.ret, outBytes: r.structOutput?.length ?? 0 }),
    );
  }

  override IOConnectMapMemory64(
    connection: number,
    memoryType: number,
  ): Promise<{ ret: number; memory: MappedMemory | null }> {
    return this.timed(
      { kind: 'map', connection, selector: memoryType, inBytes: 0 },
      () => super.IOConnectMapMemory64(connection, memoryType),
      (r) => ({ ret: r.ret, outBytes: r.memory?.length ?? 0 }),
    );
  }

  override IOConnectUnmapMemory64(connection: number, memoryType: number): Promise<number> {
    return this.timed(
      { kind: 'unmap', connection, selector: memoryType, inBytes: 0 },
      () => super.IOConnectUnmapMemory64(connection, memoryType),
      (ret) => ({ ret }),
    );
  }

  override appRequest(op: string, args: unknown, onProgress?: (fraction: number) => void): Promise<unknown> {
    return this.timed(
      { kind: 'app', connection: 0, selector: -1, op, inBytes: 0 },
      () => super.appRequest(op, args, onProgress),
      () => ({ ret: 0 }),
    );
  }

  override registry(): Promise<unknown> {
    return this.timed(
      { kind: 'registry', connection: 0, selector: -1, inBytes: 0 },
      () => super.registry(),
      () => ({ ret: 0 }),
    );
  }
}
