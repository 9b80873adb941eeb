/**
 * The broker: the main side's end of the one protocol. Each carrier (a window's MessagePort, a
 * WebSocket, an in-memory pair) becomes a session; the session's requests are checked, turned
 * into kernel calls with the session's entitlements, and answered; async completions and
 * terminations go to the session that owns the connection; mappings are mirrored to the
 * session's replicas once a display frame while they change. A session that goes away takes
 * its connections and mappings with it.
 */
import type { Carrier, Unsubscribe } from '../../ipc/carrier.ts';
import { Kind, PROTOCOL_VERSION, type Event, type Request } from '../../ipc/protocol.ts';
import { parseRequest } from '../../ipc/validate.ts';
import type { KernelPort, PortNotification } from '../../driver-runtime/host/kernel-port.ts';
import { Mirror } from './mirror.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotOpen,
  kIOReturnNotPermitted,
  kIOReturnUnsupported,
} from '../../driver-runtime/abi/io-return.ts';

/** Who is at the other end of a carrier, as the broker authenticated it. */
export interface ClientIdentity {
  name: string;
  entitlements: Readonly<Record<string, unknown>>;
}

/** The app's own requests (its apps and rules, not the driver's): the app core answers them. */
export type AppRequestHandler = (
  op: string,
  args: unknown,
  progress: (fraction: number) => void,
) => Promise<unknown>;

export interface BrokerOptions {
  /** Mirror period, ms (one display frame). */
  frameMs?: number;
  appRequests?: AppRequestHandler;
}

/** Tries within one frame for a region caught mid-write, and the wait between them (OURS). */
const TORN_RETRIES = 12;
const TORN_RETRY_MS = 1;

export class Broker {
  private readonly sessions = new Set<Session>();
  /** Kernel connection → the session that opened it. */
  readonly owners = new Map<number, Session>();
  private readonly offKernel: () => void;
  private mirrorTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  readonly frameMs: number;

  constructor(
    readonly kernel: KernelPort,
    private readonly options: BrokerOptions = {},
  ) {
    this.frameMs = options.frameMs ?? 16;
    this.offKernel = kernel.onNotification((n) => this.notified(n));
  }

  attach(carrier: Carrier, identity: ClientIdentity): Session {
    const session = new Session(this, carrier, identity);
    this.sessions.add(session);
    return session;
  }

  detach(session: Session): void {
    this.sessions.delete(session);
    this.updateMirrorTimer();
  }

  get appRequests(): AppRequestHandler | undefined {
    return this.options.appRequests;
  }

  private notified(n: PortNotification): void {
    switch (n.kind) {
      case 'async':
        this.owners.get(n.connection)?.send({
          kind: Kind.AsyncCompletion,
          connection: n.connection,
          reference: [...n.reference],
          status: n.status,
          args: [...n.args],
        });
        return;
      case 'terminated': {
        const s = this.owners.get(n.connection);
        this.owners.delete(n.connection);
        s?.lost(n.connection);
        return;
      }
      case 'restarted':
        for (const s of this.sessions) s.send({ kind: Kind.Restarted });
        return;
      default:
        return; // flow reports are the app core's (it listens to the kernel port itself)
    }
  }

  /** Runs the mirrors once a frame while any exists. */
  updateMirrorTimer(): void {
    const needed = [...this.sessions].some((s) => s.hasMirrors);
    if (needed && this.mirrorTimer === null)
      this.mirrorTimer = setInterval(() => {
        this.retries = 0;
        this.pollMirrors();
      }, this.frameMs);
    else if (!needed && this.mirrorTimer !== null) {
      clearInterval(this.mirrorTimer);
      this.mirrorTimer = null;
    }
  }

  /**
   * One frame of mirroring (public so tests and benchmarks can step it). A region caught
   * mid-write is tried again a couple of milliseconds later, within the same frame.
   */
  pollMirrors(): number {
    let sent = 0;
    let torn = false;
    for (const s of this.sessions) {
      sent += s.pollMirrors();
      torn ||= s.hasTornMirror;
    }
    if (torn && this.retryTimer === null && this.retries < TORN_RETRIES) {
      this.retries++;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pollMirrors();
      }, TORN_RETRY_MS);
    }
    return sent;
  }

  async dispose(): Promise<void> {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const s of [...this.sessions]) await s.end();
    if (this.mirrorTimer !== null) clearInterval(this.mirrorTimer);
    this.mirrorTimer = null;
    this.offKernel();
  }
}

export class Session {
  private readonly connections = new Set<number>();
  private readonly mirrors = new Map<string, Mirror>();
  private readonly off: Unsubscribe[] = [];
  private ended = false;
  /** Requests answered (for the Driver screen's call log and the benchmarks). */
  requests = 0;

  constructor(
    private readonly broker: Broker,
    private readonly carrier: Carrier,
    readonly identity: ClientIdentity,
  ) {
    this.off.push(carrier.onMessage((m) => void this.handle(m)));
    this.off.push(carrier.onClose(() => void this.end()));
  }

  get hasMirrors(): boolean {
    return this.mirrors.size > 0;
  }

  send(event: Event): void {
    if (!this.ended) this.carrier.send(event);
  }

  /** The kernel ended one of our connections (the dext died): drop it and say so. */
  lost(connection: number): void {
    this.connections.delete(connection);
    for (const [key, m] of this.mirrors) if (m.connection === connection) this.mirrors.delete(key);
    this.broker.updateMirrorTimer();
    this.send({ kind: Kind.Terminated, connection });
  }

  private async handle(raw: unknown): Promise<void> {
    if (this.ended) return;
    const parsed = parseRequest(raw);
    if ('error' in parsed) {
      this.carrier.send({ kind: Kind.Failure, id: parsed.id, name: 'BadRequest', message: parsed.error });
      return;
    }
    const r = parsed.request;
    this.requests++;
    try {
      const value = await this.answer(r);
      if (!this.ended) this.carrier.send({ kind: Kind.Result, id: r.id, value });
      // A fresh replica gets its first frame right after the mapping's answer.
      for (const key of this.firstFrames.splice(0)) this.pollMirror(key);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (!this.ended)
        this.carrier.send({ kind: Kind.Failure, id: r.id, name: error.name, message: error.message });
    }
  }

  private owns(connection: number): boolean {
    return this.connections.has(connection);
  }

  private async answer(r: Request): Promise<unknown> {
    const k = this.broker.kernel;
    switch (r.kind) {
      case Kind.Hello:
        return PROTOCOL_VERSION;
      case Kind.Match:
        return k.match(r.matching);
      case Kind.Open: {
        const opened = await k.open(r.service, r.type, this.identity.entitlements);
        if (opened.ret === 0) {
          this.connections.add(opened.connection);
          this.broker.owners.set(opened.connection, this);
        }
        return opened;
      }
      case Kind.Close: {
        if (!this.owns(r.connection)) return kIOReturnNotOpen;
        this.forget(r.connection);
        return k.close(r.connection);
      }
      case Kind.Call: {
        // A session can only reach the connections it opened.
        if (!this.owns(r.connection)) return { ret: kIOReturnNotOpen, scalarOutput: [], structOutput: null };
        const result = await k.call({
          connection: r.connection,
          selector: r.selector,
          scalarInput: r.scalarInput,
          structInput: r.structInput,
          ...(r.structInputOutOfLine !== undefined ? { structInputOutOfLine: r.structInputOutOfLine } : {}),
          scalarOutputCount: r.scalarOutputCount,
          structOutputSize: r.structOutputSize,
          ...(r.asyncReference ? { asyncReference: r.asyncReference } : {}),
        });
        return { ret: result.ret, scalarOutput: result.scalarOutput, structOutput: result.structOutput };
      }
      case Kind.Map:
        return this.map(r.connection, r.memoryType);
      case Kind.Unmap: {
        if (!this.owns(r.connection)) return kIOReturnNotOpen;
        const ret = await k.unmap(r.connection, r.memoryType);
        if (ret === 0) this.dropMirror(r.connection, r.memoryType);
        return ret;
      }
      case Kind.MapWrite:
        return this.write(r.connection, r.memoryType, r.offset, r.bytes);
      case Kind.Registry:
        return k.registry();
      case Kind.App: {
        const handle = this.broker.appRequests;
        if (handle === undefined) return { ret: kIOReturnUnsupported };
        return handle(r.op, r.args, (fraction) => this.send({ kind: Kind.Progress, id: r.id, fraction }));
      }
    }
  }

  private readonly writable = new Map<string, Uint8Array>();
  private readonly firstFrames: string[] = [];
  private readonly mapCounts = new Map<string, number>();

  private async map(connection: number, memoryType: number) {
    if (!this.owns(connection)) return { ret: kIOReturnNotOpen, length: 0, readOnly: true };
    const m = await this.broker.kernel.map(connection, memoryType);
    if (m.ret !== 0 || m.buffer === null)
      return { ret: m.ret === 0 ? kIOReturnBadArgument : m.ret, length: 0, readOnly: true };
    const key = `${connection}:${memoryType}`;
    this.mapCounts.set(key, (this.mapCounts.get(key) ?? 0) + 1);
    if (!this.mirrors.has(key)) {
      this.mirrors.set(key, new Mirror(connection, memoryType, m.buffer, m.offset, m.length));
      if (!m.readOnly) this.writable.set(key, new Uint8Array(m.buffer, m.offset, m.length));
      this.broker.updateMirrorTimer();
      this.firstFrames.push(key);
    }
    return { ret: 0, length: m.length, readOnly: m.readOnly };
  }

  private write(connection: number, memoryType: number, offset: number, bytes: Uint8Array): number {
    const key = `${connection}:${memoryType}`;
    if (!this.owns(connection) || !this.mirrors.has(key)) return kIOReturnNotOpen;
    const target = this.writable.get(key);
    if (target === undefined) return kIOReturnNotPermitted;
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > target.length)
      return kIOReturnBadArgument;
    target.set(bytes, offset);
    return 0;
  }

  private dropMirror(connection: number, memoryType: number): void {
    const key = `${connection}:${memoryType}`;
    const left = (this.mapCounts.get(key) ?? 0) - 1;
    if (left > 0) {
      this.mapCounts.set(key, left);
      return;
    }
    this.mapCounts.delete(key);
    this.mirrors.delete(key);
    this.writable.delete(key);
    this.broker.updateMirrorTimer();
  }

  private pollMirror(key: string): number {
    const m = this.mirrors.get(key);
    const update = m?.poll();
    if (!m || !update) return 0;
    this.send({
      kind: Kind.MappingUpdate,
      connection: m.connection,
      memoryType: m.memoryType,
      generation: update.generation,
      length: m.snapshotLength,
      ranges: update.ranges,
    });
    return 1;
  }

  pollMirrors(): number {
    let sent = 0;
    for (const key of this.mirrors.keys()) sent += this.pollMirror(key);
    return sent;
  }

  get hasTornMirror(): boolean {
    for (const m of this.mirrors.values()) if (m.torn) return true;
    return false;
  }

  private forget(connection: number): void {
    this.connections.delete(connection);
    this.broker.owners.delete(connection);
    for (const [key, m] of this.mirrors)
      if (m.connection === connection) {
        this.mirrors.delete(key);
        this.writable.delete(key);
        this.mapCounts.delete(key);
      }
    this.broker.updateMirrorTimer();
  }

  /** The carrier closed (or the broker shuts down): close every connection it opened. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const off of this.off) off();
    const open = [...this.connections];
    for (const c of open) this.forget(c);
    this.broker.detach(this);
    await Promise.all(open.map((c) => this.broker.kernel.close(c)));
    this.carrier.close();
  }
}
