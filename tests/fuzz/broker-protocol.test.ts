/**
 * Fuzzing the one protocol at the broker: raw bytes into decodeMessage and into a SocketCarrier,
 * any value into parseRequest, and whole sessions of random messages through the msgpack
 * in-memory carrier — wrong kinds, wrong types, requests on handles another session owns, on
 * connections closed or never opened. The broker answers each request exactly once (a Result
 * or a Failure, IOReturns only from the defined set), never crashes, gives another session's
 * connection to no one, closes what a session opened when it goes — and the good session
 * beside it keeps working throughout.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type Carrier } from '../../ipc/carrier.ts';
import { memoryPair } from '../../ipc/memory-pair.ts';
import { SocketCarrier, type SocketLike } from '../../ipc/byte-carrier.ts';
import { Kind, MAX_MESSAGE_BYTES, type Message } from '../../ipc/protocol.ts';
import { parseRequest } from '../../ipc/validate.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import type { MappedMemory } from '../../ipc/replica.ts';
import { Broker } from '../../main/broker/broker.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { MemoryType, Selector } from '../../driver-runtime/abi/netlanes-abi.ts';
import { kIOReturnNotOpen, kIOReturnSuccess } from '../../driver-runtime/abi/io-return.ts';
import { scenario } from '../machine/helpers.ts';
import { expectRingInvariants } from '../support/invariants.ts';
import {
  blobArb,
  isDefinedIOReturn,
  nastyNumber,
  pseudoBytes,
  selectorArb,
  shapedCallArb,
} from './arbitraries.ts';

const SEED = 20_251_130;

// ---------------------------------------------------------------- codec and validation alone

/** Bytes that look like msgpack more often than chance: a type byte, lengths, then noise. */
const msgpackishBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(
      fc.constantFrom(
        0x80,
        0x81,
        0x85,
        0x90,
        0x93,
        0xa5,
        0xc0,
        0xc1,
        0xc4,
        0xc5,
        0xc6,
        0xc7,
        0xd4,
        0xd9,
        0xdb,
        0xdc,
        0xdd,
        0xde,
        0xdf,
        0xff,
        0xd6,
      ),
      fc.uint8Array({ maxLength: 48 }),
    )
    .map(([type, rest]) => Uint8Array.of(type, ...rest)),
  blobArb,
  // A real message cut short or with a byte changed.
  fc.tuple(fc.anything({ maxDepth: 2 }), fc.nat(), fc.nat(255)).map(([value, at, byte]) => {
    const bytes = encodeMessage(value as Message);
    if (bytes.length === 0) return bytes;
    const copy = bytes.slice(0, 1 + (at % bytes.length));
    copy[at % copy.length] = byte;
    return copy;
  }),
);

describe('codec and validation', () => {
  it('decodeMessage on random bytes returns a value or throws an Error — nothing else — and parseRequest never throws', () => {
    fc.assert(
      fc.property(msgpackishBytes, (bytes) => {
        let decoded: unknown;
        try {
          decoded = decodeMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          return;
        }
        const parsed = parseRequest(decoded);
        if ('error' in parsed) {
          expect(typeof parsed.error).toBe('string');
          expect(Number.isInteger(parsed.id) && parsed.id >= 0).toBe(true);
        }
      }),
      { numRuns: 20_000, seed: SEED },
    );
    expect(() => decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toThrow(/over the limit/);
  });

  it('parseRequest on any value: a request of a known kind, or an error with a usable id', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), messageArb), (value) => {
        const parsed = parseRequest(value);
        if ('request' in parsed) {
          expect(parsed.request.kind).toBeGreaterThanOrEqual(Kind.Hello);
          expect(parsed.request.kind).toBeLessThanOrEqual(Kind.MapWrite);
          expect(Number.isInteger(parsed.request.id) && parsed.request.id >= 0).toBe(true);
        } else expect(Number.isInteger(parsed.id) && parsed.id >= 0).toBe(true);
      }),
      { numRuns: 10_000, seed: SEED + 1 },
    );
  });
});

// ---------------------------------------------------------------- random messages

/** Where a request's connection comes from, resolved when it is sent. */
class ConnectionRef {
  constructor(
    readonly which: 'own' | 'other' | 'bogus',
    readonly index: number,
  ) {}
}
const connectionArb = fc.oneof(
  { weight: 4, arbitrary: fc.nat(7).map((i) => new ConnectionRef('own', i)) },
  { weight: 2, arbitrary: fc.constant(new ConnectionRef('other', 0)) },
  { weight: 1, arbitrary: fc.nat(4).map((i) => new ConnectionRef('bogus', i)) },
);
const BOGUS = [0, -1, 1e9, 2 ** 53, 1.5];
/** Stands for the NetLanes service's registry id (known once the machine boots). */
const THE_SERVICE = Symbol('service');

const idArb = fc.oneof(
  { weight: 8, arbitrary: fc.nat() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, NaN, '7', null, 2 ** 53, true) },
);
/** A field that should be a number: usually one (any), sometimes not. */
const numArb = fc.oneof(
  { weight: 6, arbitrary: nastyNumber as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('1', null, true, [], {}, new Uint8Array(2)) },
);
const memoryTypeArb = fc.oneof(fc.constantFrom<unknown>(0, 1, 2, 3), numArb);
const smallBlob = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  blobArb.filter((b) => b.length <= 5000),
);

const messageArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    kind: fc.constant(Kind.Hello),
    id: idArb,
    version: fc.oneof(fc.constant<unknown>(1), numArb),
    client: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 201, maxLength: 260 }), numArb),
  }),
  fc.record({
    kind: fc.constant(Kind.Match),
    id: idArb,
    matching: fc.oneof(
      fc.record({ name: fc.constantFrom('NetLanesDriver', 'IOPCIDevice', '') }),
      fc.record(
        { name: fc.string({ maxLength: 300 }), className: fc.string({ maxLength: 20 }) },
        { requiredKeys: [] },
      ),
      numArb,
    ),
  }),
  fc.record({
    kind: fc.constant(Kind.Open),
    id: idArb,
    service: fc.oneof(
      { weight: 4, arbitrary: fc.constant<unknown>(THE_SERVICE) },
      { weight: 1, arbitrary: fc.oneof(fc.constant<unknown>('service'), numArb) },
    ),
    type: fc.oneof({ weight: 4, arbitrary: fc.constant<unknown>(0) }, { weight: 1, arbitrary: numArb }),
  }),
  fc.record({ kind: fc.constant(Kind.Close), id: idArb, connection: connectionArb }),
  fc.record(
    {
      kind: fc.constant(Kind.Call),
      id: idArb,
      connection: connectionArb,
      selector: fc.oneof(selectorArb as fc.Arbitrary<unknown>, numArb),
      scalarInput: fc.oneof(
        fc.array(nastyNumber, { maxLength: 20 }) as fc.Arbitrary<unknown>,
        fc.array(fc.nat(), { minLength: 65, maxLength: 70 }),
        numArb,
      ),
      structInput: fc.oneof(fc.constant<unknown>(null), smallBlob, numArb),
      scalarOutputCount: fc.oneof(fc.nat(2) as fc.Arbitrary<unknown>, numArb),
      structOutputSize: fc.oneof(fc.constantFrom<unknown>(0, 128, 336, 0xffffffff), numArb),
      asyncReference: fc.oneof(
        fc.constant<unknown>([0, 1]),
        fc.array(nastyNumber, { maxLength: 70 }),
        numArb,
      ),
    },
    {
      requiredKeys: [
        'kind',
        'id',
        'connection',
        'selector',
        'scalarInput',
        'structInput',
        'scalarOutputCount',
        'structOutputSize',
      ],
    },
  ),
  // Well-typed calls shaped like the selector's dispatch entry: these reach the driver.
  fc
    .tuple(fc.nat(), connectionArb, shapedCallArb)
    .map(
      ([id, connection, call]) => ({ kind: Kind.Call, id, connection, ...call }) as Record<string, unknown>,
    ),
  fc
    .tuple(fc.nat(), connectionArb, shapedCallArb)
    .map(
      ([id, connection, call]) => ({ kind: Kind.Call, id, connection, ...call }) as Record<string, unknown>,
    ),
  fc.record({ kind: fc.constant(Kind.Map), id: idArb, connection: connectionArb, memoryType: memoryTypeArb }),
  fc.record({
    kind: fc.constant(Kind.Unmap),
    id: idArb,
    connection: connectionArb,
    memoryType: memoryTypeArb,
  }),
  fc.record({ kind: fc.constant(Kind.Registry), id: idArb }),
  fc.record({
    kind: fc.constant(Kind.App),
    id: idArb,
    op: fc.oneof(fc.constantFrom('apps', 'rules', 'setApp', 'setRules'), fc.string()),
    args: fc.anything({ maxDepth: 1 }),
  }),
  fc.record({
    kind: fc.constant(Kind.MapWrite),
    id: idArb,
    connection: connectionArb,
    memoryType: memoryTypeArb,
    offset: fc.oneof(fc.nat(300_000) as fc.Arbitrary<unknown>, numArb),
    bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }) as fc.Arbitrary<unknown>, numArb),
  }),
  // Kinds a client must not send (responses, events) or that do not exist.
  fc.record({
    kind: fc.oneof(
      fc.constantFrom<unknown>(
        Kind.Result,
        Kind.Failure,
        Kind.AsyncCompletion,
        Kind.MappingUpdate,
        Kind.Terminated,
        0,
        99,
        110,
        199,
        400,
      ),
      numArb,
    ),
    id: idArb,
    connection: connectionArb,
  }),
  fc.anything({ maxDepth: 2 }).map((value) => ({ value })),
);

/** A message with its connection references made real (and the `{ value }` wrapper unwrapped). */
function resolve(message: Record<string, unknown>, own: readonly number[], other: number): unknown {
  if (Object.keys(message).length === 1 && 'value' in message) return message.value;
  if (message.service === THE_SERVICE) message = { ...message, service: rig.service };
  const c = message.connection;
  if (!(c instanceof ConnectionRef)) return message;
  const connection =
    c.which === 'other'
      ? other
      : c.which === 'bogus' || own.length === 0
        ? BOGUS[c.index % BOGUS.length]
        : own[own.length - 1 - (c.index % own.length)];
  return { ...message, connection };
}

// ---------------------------------------------------------------- a broker with a good session

interface Rig {
  kernel: LocalKernel;
  broker: Broker;
  good: NetLanesClient;
  stats: MappedMemory;
  service: number;
  /** Open connections before any fuzz session: the machine's own and the good session's. */
  baseConnections: number;
}

let rig: Rig;

beforeAll(async () => {
  const kernel = new LocalKernel({ scenario: scenario('home-office') });
  const broker = new Broker(kernel, { frameMs: 60_000 });
  const [clientSide, brokerSide] = memoryPair(true);
  broker.attach(brokerSide, { name: 'good', entitlements: APP_ENTITLEMENTS });
  const good = await NetLanesClient.open(new IOKitClient(clientSide));
  const stats = await good.map(MemoryType.Stats);
  const service = await kernel.match({ name: 'NetLanesDriver' });
  rig = { kernel, broker, good, stats, service, baseConnections: kernel.machine.kernel.openConnections };
});

afterAll(async () => {
  expect(await rig.good.close()).toBe(kIOReturnSuccess);
  await rig.broker.dispose();
  await rig.kernel.dispose();
});

/** The good session still works: its calls succeed and its mapping is still there. */
async function expectGoodSessionWorks(): Promise<void> {
  const info = await rig.good.info();
  expect(info.queueCount).toBe(4);
  expect(rig.stats.length).toBeGreaterThan(0);
  const r = await rig.good.iokit.IOConnectCallMethod(
    rig.good.connection,
    Selector.GetStats,
    [],
    null,
    0,
    336,
  );
  expect(r.ret).toBe(kIOReturnSuccess);
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Responses (not events) the fuzz carrier heard. */
function responses(carrier: Carrier) {
  const heard: Message[] = [];
  carrier.onMessage((m) => {
    if (m.kind === Kind.Result || m.kind === Kind.Failure) heard.push(m);
  });
  return heard;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await (i < 50 ? Promise.resolve() : tick());
  expect(condition(), what).toBe(true);
}

describe('broker sessions', () => {
  it('random messages over msgpack: one answer each, defined IOReturns, no reach into another session; the good session keeps working', async () => {
    let messages = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(messageArb, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.boolean(),
        async (batch, closeFirst) => {
          const [c, b] = memoryPair(true);
          rig.broker.attach(b, { name: 'fuzz', entitlements: APP_ENTITLEMENTS });
          const heard = responses(c);
          const own: number[] = [];
          const other = rig.good.connection;
          // Each session starts with a good open, so references to its own connections land.
          const opening = { kind: Kind.Open, id: 0, service: THE_SERVICE, type: 0 };
          for (const m of [opening, ...batch]) {
            const message = resolve(m, own, other);
            // What the broker will see: the message after the msgpack round trip.
            const seen = decodeMessage(encodeMessage(message as Message));
            const parsed = parseRequest(seen);
            c.send(message as Message);
            messages++;
            await waitFor(() => heard.length === 1, `an answer to ${JSON.stringify(seen)?.slice(0, 200)}`);
            const answer = heard.pop()!;
            if (!('request' in parsed)) {
              expect(answer).toMatchObject({ kind: Kind.Failure, id: parsed.id, name: 'BadRequest' });
              continue;
            }
            const r = parsed.request;
            expect(answer.kind === Kind.Result || answer.kind === Kind.Failure).toBe(true);
            if (answer.kind !== Kind.Result) {
              expect(answer).toMatchObject({ kind: Kind.Failure, id: r.id });
              continue;
            }
            expect(answer.id).toBe(r.id);
            const value = answer.value as Record<string, unknown> & number;
            const onOther = 'connection' in r && r.connection === other;
            switch (r.kind) {
              case Kind.Open:
                expect(isDefinedIOReturn(value.ret)).toBe(true);
                if (value.ret === kIOReturnSuccess) own.push(value.connection as number);
                break;
              case Kind.Call:
                expect(isDefinedIOReturn(value.ret)).toBe(true);
                if (onOther) expect(value.ret).toBe(kIOReturnNotOpen);
                if (value.ret !== kIOReturnSuccess) expect(value.structOutput).toBeNull();
                break;
              case Kind.Map:
                expect(isDefinedIOReturn(value.ret)).toBe(true);
                if (onOther) expect(value.ret).toBe(kIOReturnNotOpen);
                break;
              case Kind.Close:
              case Kind.Unmap:
              case Kind.MapWrite:
                expect(isDefinedIOReturn(value)).toBe(true);
                if (onOther) expect(value).toBe(kIOReturnNotOpen);
                break;
              default:
                break;
            }
          }
          await tick();
          expect(heard, 'answers nobody asked for').toEqual([]);
          // Requests after the end are not answered and do no harm; the session's connections close.
          if (closeFirst) c.send({ kind: Kind.Close, id: 1, connection: own[0] ?? 0 } as Message);
          c.close();
          c.send({ kind: Kind.Call, id: 2, connection: other, selector: 0 } as unknown as Message);
          await waitFor(
            () => rig.kernel.machine.kernel.openConnections === rig.baseConnections,
            "the session's connections closed",
          );
          expect([...rig.broker.owners.keys()]).toEqual([other]);
          await expectGoodSessionWorks();
        },
      ),
      { numRuns: 1_000, seed: SEED + 2 },
    );
    expect(messages).toBeGreaterThan(10_000);
    // The machine behind it still runs: put the interface back, let traffic flow, check the rings.
    expect(await rig.good.setInterfaceEnable(true)).toBe(kIOReturnSuccess);
    const before = (await rig.good.stats()).opkts;
    rig.kernel.machine.run(2e6);
    expect((await rig.good.stats()).opkts).toBeGreaterThan(before);
    expectRingInvariants(rig.kernel.machine, rig.kernel.machine.client.map(MemoryType.RingState).bytes);
  });

  it('random frames into a SocketCarrier session: answered, or that socket closed with 1003 — never a throw', async () => {
    let closed = 0;
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: msgpackishBytes as fc.Arbitrary<unknown> },
          {
            weight: 2,
            arbitrary: messageArb.map((m) => encodeMessage(resolve(m, [], rig.good.connection) as Message)),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom<unknown>('text frame', 42, null, undefined, [new Uint8Array(1)]),
          },
          {
            weight: 1,
            arbitrary: fc.tuple(fc.nat(200), fc.integer()).map(([n, seed]) => pseudoBytes(n, seed).buffer),
          },
        ),
        async (frame) => {
          const socket = new FakeSocket();
          rig.broker.attach(new SocketCarrier(socket), { name: 'socket', entitlements: APP_ENTITLEMENTS });
          expect(() => socket.receive(frame)).not.toThrow();
          await waitFor(() => socket.closedWith !== null || socket.sent.length > 0, 'an answer or a close');
          if (socket.closedWith !== null) {
            expect(socket.closedWith).toBe(1003);
            closed++;
          } else {
            const answer = decodeMessage(socket.sent[0]) as Message;
            expect(answer.kind === Kind.Result || answer.kind === Kind.Failure).toBe(true);
            answered++;
            socket.close(1000, 'done');
          }
          await waitFor(() => rig.kernel.machine.kernel.openConnections === rig.baseConnections, 'closed');
        },
      ),
      { numRuns: 3_000, seed: SEED + 3 },
    );
    expect(closed).toBeGreaterThan(100);
    expect(answered).toBeGreaterThan(100);
    await expectGoodSessionWorks();
  });
});

/** A `ws`-shaped socket the test drives: frames in by `receive`, a close event after `close`. */
class FakeSocket implements SocketLike {
  binaryType?: string;
  readonly sent: Uint8Array[] = [];
  closedWith: number | null = null;
  private readonly listeners: Record<'message' | 'close' | 'error', ((d: unknown) => void)[]> = {
    message: [],
    close: [],
    error: [],
  };

  send(data: Uint8Array): void {
    if (this.closedWith === null) this.sent.push(data);
  }

  close(code = 1000, _reason?: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = code;
    queueMicrotask(() => this.listeners.close.forEach((l) => l(undefined)));
  }

  on(event: 'message' | 'close' | 'error', listener: (data: unknown) => void): unknown {
    this.listeners[event].push(listener);
    return this;
  }

  receive(data: unknown): void {
    for (const l of this.listeners.message) l(data);
  }
}
