/**
 * IOKit.framework's user-client calls over the one protocol: IOServiceGetMatchingService,
 * IOServiceOpen, IOConnectCall*Method (async ones with a promise for the call and completions
 * as notifications, like an IONotificationPort), IOConnectMapMemory64 returning a replica that
 * stays fresh, IOConnectUnmapMemory64, IOServiceClose. Carrier-free: it runs in the renderer,
 * the command-line client and tests alike.
 */
import type { Carrier, Unsubscribe } from './carrier.ts';
import { Emitter } from './carrier.ts';
import {
  Kind,
  PROTOCOL_VERSION,
  isResponse,
  type CallValue,
  type Event,
  type MapValue,
  type MatchingSpec,
  type Message,
  type Request,
} from './protocol.ts';
import { MappedMemory } from './replica.ts';
import { kIOReturnNotAttached } from '../driver-runtime/abi/io-return.ts';

/** A failure of the transport or the protocol (IOReturns are values, not errors). */
export class ChannelError extends Error {}

/** How long a request may wait for its answer (OURS: 30 s — a what-if run can take that). */
const REQUEST_TIMEOUT_MS = 30_000;

type Pending = {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  progress?: (f: number) => void;
};
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
type RequestBody = DistributiveOmit<Request, 'id'>;

export interface AsyncNotification {
  connection: number;
  reference: number[];
  status: number;
  args: number[];
}

export class IOKitClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly replicas = new Map<string, MappedMemory>();
  /** Updates that arrived before their replica existed (the first frame can overtake the map's answer). */
  private readonly early = new Map<string, { generation: number; ranges: [number, Uint8Array][] }[]>();
  private readonly asyncEvents = new Emitter<AsyncNotification>();
  private readonly terminated = new Emitter<number>();
  private readonly restarted = new Emitter<void>();
  private readonly deadConnections = new Set<number>();
  private closed = false;
  private readonly off: Unsubscribe[] = [];

  constructor(private readonly carrier: Carrier) {
    this.off.push(carrier.onMessage((m) => this.receive(m)));
    this.off.push(carrier.onClose(() => this.fail(new ChannelError('the connection to NetLanes closed'))));
  }

  /** Says who we are; the broker answers with its protocol version. */
  async hello(client: string): Promise<number> {
    return (await this.request({ kind: Kind.Hello, version: PROTOCOL_VERSION, client })) as number;
  }

  IOServiceGetMatchingService(matching: MatchingSpec): Promise<number> {
    return this.request({ kind: Kind.Match, matching }) as Promise<number>;
  }

  IOServiceOpen(service: number, type: number): Promise<{ ret: number; connection: number }> {
    return this.request({ kind: Kind.Open, service, type }) as Promise<{ ret: number; connection: number }>;
  }

  async IOServiceClose(connection: number): Promise<number> {
    for (const [key, r] of this.replicas)
      if (r.connection === connection) {
        r.detach();
        this.replicas.delete(key);
      }
    return (await this.request({ kind: Kind.Close, connection })) as number;
  }

  /** IOConnectCallMethod: scalars and a struct in, scalars and a struct out. */
  async IOConnectCallMethod(
    connection: number,
    selector: number,
    scalarInput: number[],
    structInput: Uint8Array | null,
    scalarOutputCount: number,
    structOutputSize: number,
  ): Promise<CallValue> {
    if (this.deadConnections.has(connection))
      return { ret: kIOReturnNotAttached, scalarOutput: [], structOutput: null };
    return (await this.request({
      kind: Kind.Call,
      connection,
      selector,
      scalarInput,
      structInput,
      scalarOutputCount,
      structOutputSize,
    })) as CallValue;
  }

  IOConnectCallStructMethod(
    connection: number,
    selector: number,
    structInput: Uint8Array | null,
    structOutputSize: number,
  ): Promise<CallValue> {
    return this.IOConnectCallMethod(connection, selector, [], structInput, 0, structOutputSize);
  }

  IOConnectCallScalarMethod(
    connection: number,
    selector: number,
    scalarInput: number[],
    scalarOutputCount: number,
  ): Promise<CallValue> {
    return this.IOConnectCallMethod(connection, selector, scalarInput, null, scalarOutputCount, 0);
  }

  /**
   * IOConnectCallAsyncMethod: `reference` (≤ 8 values; slot 0 is the system's) comes back with
   * every completion, which `onAsyncCompletion` listeners hear. The promise is the call's own result.
   */
  async IOConnectCallAsyncMethod(
    connection: number,
    selector: number,
    reference: number[],
    scalarInput: number[],
    structInput: Uint8Array | null,
    scalarOutputCount: number,
    structOutputSize: number,
  ): Promise<CallValue> {
    if (this.deadConnections.has(connection))
      return { ret: kIOReturnNotAttached, scalarOutput: [], structOutput: null };
    return (await this.request({
      kind: Kind.Call,
      connection,
      selector,
      scalarInput,
      structInput,
      scalarOutputCount,
      structOutputSize,
      asyncReference: reference,
    })) as CallValue;
  }

  IOConnectCallAsyncStructMethod(
    connection: number,
    selector: number,
    reference: number[],
    structInput: Uint8Array | null,
    structOutputSize: number,
  ): Promise<CallValue> {
    return this.IOConnectCallAsyncMethod(
      connection,
      selector,
      reference,
      [],
      structInput,
      0,
      structOutputSize,
    );
  }

  onAsyncCompletion(listener: (n: AsyncNotification) => void): Unsubscribe {
    return this.asyncEvents.on(listener);
  }

  /** The service behind `connection` went away (the dext died): its calls now fail with kIOReturnNotAttached. */
  onTerminated(listener: (connection: number) => void): Unsubscribe {
    return this.terminated.on(listener);
  }

  /** The service came back (the dext was restarted); clients open again. */
  onRestarted(listener: () => void): Unsubscribe {
    return this.restarted.on(listener);
  }

  /**
   * IOConnectMapMemory64: a replica of the memory the driver serves for `memoryType`, kept
   * fresh by the broker (at most once a display frame while it changes). Read-only mappings
   * refuse writes; read-write ones send them through the broker.
   */
  async IOConnectMapMemory64(
    connection: number,
    memoryType: number,
  ): Promise<{ ret: number; memory: MappedMemory | null }> {
    const value = (await this.request({ kind: Kind.Map, connection, memoryType })) as MapValue;
    if (value.ret !== 0) return { ret: value.ret, memory: null };
    const key = `${connection}:${memoryType}`;
    let replica = this.replicas.get(key);
    if (replica === undefined) {
      replica = new MappedMemory(
        connection,
        memoryType,
        value.length,
        value.readOnly,
        (offset, bytes) =>
          this.request({ kind: Kind.MapWrite, connection, memoryType, offset, bytes }) as Promise<number>,
      );
      this.replicas.set(key, replica);
      for (const u of this.early.get(key) ?? []) replica.apply(u.generation, u.ranges);
      this.early.delete(key);
    }
    replica.references++;
    return { ret: 0, memory: replica };
  }

  async IOConnectUnmapMemory64(connection: number, memoryType: number): Promise<number> {
    const ret = (await this.request({ kind: Kind.Unmap, connection, memoryType })) as number;
    const key = `${connection}:${memoryType}`;
    const replica = this.replicas.get(key);
    if (ret === 0 && replica && --replica.references === 0) {
      replica.detach();
      this.replicas.delete(key);
    }
    return ret;
  }

  /** The registry tree (`ioreg`). */
  registry(): Promise<unknown> {
    return this.request({ kind: Kind.Registry });
  }

  /** A lab operation (faults, scenario, link speed, what-if), with progress for long ones. */
  appRequest(op: string, args: unknown, onProgress?: (fraction: number) => void): Promise<unknown> {
    return this.request({ kind: Kind.App, op, args }, onProgress);
  }

  close(): void {
    if (this.closed) return;
    this.carrier.close();
    this.fail(new ChannelError('client closed'));
  }

  private request(body: RequestBody, progress?: (f: number) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new ChannelError('the connection to NetLanes is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChannelError(`request ${body.kind} timed out after ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer, ...(progress ? { progress } : {}) });
      this.carrier.send({ ...body, id } as Request);
    });
  }

  private receive(m: Message): void {
    if (isResponse(m)) {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.kind === Kind.Result) p.resolve(m.value);
      else p.reject(new ChannelError(`${m.name}: ${m.message}`));
      return;
    }
    this.event(m as Event);
  }

  private event(e: Event): void {
    switch (e.kind) {
      case Kind.AsyncCompletion:
        this.asyncEvents.fire({
          connection: e.connection,
          reference: e.reference,
          status: e.status,
          args: e.args,
        });
        return;
      case Kind.MappingUpdate: {
        const key = `${e.connection}:${e.memoryType}`;
        const replica = this.replicas.get(key);
        if (replica) replica.apply(e.generation, e.ranges);
        else
          this.early.set(
            key,
            [...(this.early.get(key) ?? []), { generation: e.generation, ranges: e.ranges }].slice(-64),
          );
        return;
      }
      case Kind.Terminated:
        this.deadConnections.add(e.connection);
        this.terminated.fire(e.connection);
        return;
      case Kind.Restarted:
        // The new dext's handles never reuse the dead one's: the old ones stay dead.
        this.restarted.fire();
        return;
      case Kind.Progress:
        this.pending.get(e.id)?.progress?.(e.fraction);
        return;
    }
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    for (const off of this.off) off();
  }
}
