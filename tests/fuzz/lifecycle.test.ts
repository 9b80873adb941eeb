/**
 * Model-based fuzzing of the connection life cycle: random sequences of IOServiceOpen (with
 * good and bad entitlements, types and services), IOServiceClose, IOConnectMapMemory64 and
 * IOConnectUnmapMemory64 (known and unknown memory types, double unmaps), calls and async calls
 * — on open connections, closed ones and ids never opened. A model says what each answer must
 * be, which mappings are live (and so how many references each shared descriptor holds), which
 * completions and events must arrive, once each; after every sequence everything it opened is
 * closed and the machine is back where it started, and at the end it still runs clean.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import type { KernelNotification } from '../../driver-runtime/host/dext-kernel.ts';
import type { DriverControl } from '../../driver-runtime/driver/driver-control.ts';
import type { OSObject } from '../../driver-runtime/kit/os-object.ts';
import {
  EventKind,
  MEMORY_TYPE_COUNT,
  MemoryType,
  NETLANES_DEXT_BUNDLE_ID,
  NETLANES_SERVICE_NAME,
  USERCLIENT_ACCESS_ENTITLEMENT,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { Calls } from '../../driver-runtime/abi/netlanes-calls.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNotOpen,
  kIOReturnNotPermitted,
  kIOReturnSuccess,
} from '../../driver-runtime/abi/io-return.ts';
import { expectConservation, expectNoLeaks, expectRingInvariants } from '../support/invariants.ts';
import { scenario } from '../machine/helpers.ts';
import { expectWellFormedResult, isDefinedIOReturn } from './arbitraries.ts';

const SEED = 20_251_128;

// ---------------------------------------------------------------- model and real system

interface ConnectionModel {
  open: boolean;
  /** Live mappings per memory type (0..3). */
  maps: number[];
  /** The reference of the connection's subscription (Generation events), if any. */
  subscription: number | null;
  /** Notifications queued for it and not delivered yet: "reference|values". */
  pending: string[];
}

interface Model {
  service: number;
  /** Every connection this sequence opened, in order (closed ones stay: calls on them must fail). */
  ids: number[];
  connections: Map<number, ConnectionModel>;
  nextReference: number;
}

interface Real {
  m: Machine;
  heard: KernelNotification[];
  /** Each memory type's descriptor references before the sequence (the driver's, the app's). */
  baseRetains: number[];
}

/**
 * The refcount model: each descriptor holds its base references plus one per open connection
 * of this sequence that has it mapped (however many times: the kernel counts those itself).
 */
function expectRetains(model: Model, real: Real): void {
  const retains = descriptorRetains(real.m);
  for (let t = 0; t < MEMORY_TYPE_COUNT; t++) {
    const mapping = [...model.connections.values()].filter((c) => c.open && c.maps[t] > 0).length;
    expect(retains[t], `references to memory type ${t}`).toBe(real.baseRetains[t] + mapping);
  }
}

/** A connection to act on: one this sequence opened (maybe closed since), or one never opened. */
type ConnectionRef = { opened: number } | { bogus: number };

const connectionRefArb: fc.Arbitrary<ConnectionRef> = fc.oneof(
  { weight: 5, arbitrary: fc.nat(15).map((opened) => ({ opened })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(0, -1, NaN, Infinity, 1.5, 1e9, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER)
      .map((bogus) => ({ bogus })),
  },
);

/** Never opened on this machine: ids count up from 1, and these are never reached. */
const NEVER_OPENED = 1e9;

function resolve(model: Model, ref: ConnectionRef): number {
  if ('bogus' in ref) return ref.bogus;
  return model.ids.length === 0 ? NEVER_OPENED : model.ids[ref.opened % model.ids.length];
}

const isOpen = (model: Model, id: number) => model.connections.get(id)?.open === true;

const key = (reference: readonly number[], values: readonly number[]) =>
  `${reference.slice(1).join(',')}|${values.length}`;

/** The memory types the model knows, and hostile ones. */
const memoryTypeArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      MemoryType.Stats,
      MemoryType.RingState,
      MemoryType.Capture,
      MemoryType.Command,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(MEMORY_TYPE_COUNT, 5, 255, -1, -0, NaN, 1.5, 2 ** 32, 0xffff_ffff, Infinity),
  },
);
const knownType = (t: number) => Number.isInteger(t) && t >= 0 && t < MEMORY_TYPE_COUNT;

// ---------------------------------------------------------------- commands

const ENTITLEMENTS: { label: string; value: Record<string, unknown>; allowed: boolean }[] = [
  { label: 'app', value: APP_ENTITLEMENTS, allowed: true },
  {
    label: 'string form',
    value: { [USERCLIENT_ACCESS_ENTITLEMENT]: NETLANES_DEXT_BUNDLE_ID },
    allowed: true,
  },
  {
    label: 'among others',
    value: { [USERCLIENT_ACCESS_ENTITLEMENT]: ['x', NETLANES_DEXT_BUNDLE_ID] },
    allowed: true,
  },
  { label: 'none', value: {}, allowed: false },
  { label: 'other dext', value: { [USERCLIENT_ACCESS_ENTITLEMENT]: ['com.example.other'] }, allowed: false },
  { label: 'not a list', value: { [USERCLIENT_ACCESS_ENTITLEMENT]: 42 }, allowed: false },
  { label: 'prefix', value: { [USERCLIENT_ACCESS_ENTITLEMENT]: 'app.netlanes' }, allowed: false },
];

class OpenCommand implements fc.Command<Model, Real> {
  constructor(
    readonly entitlements: number,
    readonly type: number,
    readonly badService: number | null,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const e = ENTITLEMENTS[this.entitlements];
    const service = this.badService ?? model.service;
    const r = real.m.kernel.open(service, this.type, e.value);
    expect(isDefinedIOReturn(r.ret)).toBe(true);
    const typeOk = this.type === 0; // the NetLanes user client type; -0 is 0
    const expected =
      this.badService !== null || !typeOk
        ? kIOReturnBadArgument
        : e.allowed
          ? kIOReturnSuccess
          : kIOReturnNotPermitted;
    expect(r.ret).toBe(expected);
    if (r.ret !== kIOReturnSuccess) {
      expect(r.connection).toBe(0);
      return;
    }
    expect(model.connections.has(r.connection)).toBe(false);
    model.ids.push(r.connection);
    model.connections.set(r.connection, { open: true, maps: [0, 0, 0, 0], subscription: null, pending: [] });
  }
  toString = () =>
    `open(${ENTITLEMENTS[this.entitlements].label}, type ${this.type}${this.badService !== null ? `, service ${this.badService}` : ''})`;
}

class CloseCommand implements fc.Command<Model, Real> {
  constructor(readonly ref: ConnectionRef) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const id = resolve(model, this.ref);
    const ret = real.m.kernel.close(id);
    if (!isOpen(model, id)) {
      expect(ret).toBe(kIOReturnNotOpen);
      return;
    }
    expect(ret).toBe(kIOReturnSuccess);
    // Its mappings, subscription and undelivered completions go with it.
    model.connections.set(id, { open: false, maps: [0, 0, 0, 0], subscription: null, pending: [] });
    expectRetains(model, real);
  }
  toString = () => `close(${JSON.stringify(this.ref)})`;
}

class MapCommand implements fc.Command<Model, Real> {
  constructor(
    readonly ref: ConnectionRef,
    readonly type: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const id = resolve(model, this.ref);
    const r = real.m.kernel.map(id, this.type);
    if (!isOpen(model, id)) {
      expect(r.ret).toBe(kIOReturnNotOpen);
      expect(r.buffer).toBeNull();
      return;
    }
    if (!knownType(this.type)) {
      expect(r.ret).toBe(kIOReturnBadArgument);
      expect(r.buffer).toBeNull();
      return;
    }
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.buffer).not.toBeNull();
    expect(r.length).toBe(REGION_BYTES[this.type]);
    expect(r.offset + r.length).toBeLessThanOrEqual(r.buffer!.byteLength);
    expect(r.readOnly).toBe(this.type !== MemoryType.Command);
    model.connections.get(id)!.maps[this.type]++;
    expectRetains(model, real);
  }
  toString = () => `map(${JSON.stringify(this.ref)}, ${this.type})`;
}

class UnmapCommand implements fc.Command<Model, Real> {
  constructor(
    readonly ref: ConnectionRef,
    readonly type: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const id = resolve(model, this.ref);
    const ret = real.m.kernel.unmap(id, this.type);
    if (!isOpen(model, id)) {
      expect(ret).toBe(kIOReturnNotOpen);
      return;
    }
    const c = model.connections.get(id)!;
    // Nothing mapped (never, or unmapped already: a double unmap) is kIOReturnBadArgument.
    if (!knownType(this.type) || c.maps[this.type] === 0) {
      expect(ret).toBe(kIOReturnBadArgument);
      return;
    }
    expect(ret).toBe(kIOReturnSuccess);
    c.maps[this.type]--;
    expectRetains(model, real);
  }
  toString = () => `unmap(${JSON.stringify(this.ref)}, ${this.type})`;
}

type CallKind = 'GetInfo' | 'GetStats' | 'Subscribe' | 'SetRuleSet';

class CallCommand implements fc.Command<Model, Real> {
  constructor(
    readonly ref: ConnectionRef,
    readonly kind: CallKind,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const id = resolve(model, this.ref);
    const reference = model.nextReference++;
    const raw =
      this.kind === 'GetInfo'
        ? Calls.getInfo()
        : this.kind === 'GetStats'
          ? Calls.getStats()
          : this.kind === 'Subscribe'
            ? Calls.subscribe(1 << EventKind.Generation)
            : Calls.setRuleSet(reference, '{"version":1,"rules":[]}');
    const req = { ...raw, ...(raw.async ? { asyncReference: [0, reference] } : {}) };
    const r = real.m.kernel.call({ ...req, connection: id });
    expectWellFormedResult(req, r);
    if (!isOpen(model, id)) {
      expect(r.ret).toBe(kIOReturnNotOpen);
      return;
    }
    expect(r.ret).toBe(kIOReturnSuccess);
    const c = model.connections.get(id)!;
    if (this.kind === 'Subscribe') c.subscription = reference;
    if (this.kind === 'SetRuleSet') {
      // A Generation event to every subscriber (queued as the rule set is stored), then the
      // completion [generation] to the caller.
      for (const other of model.connections.values())
        if (other.open && other.subscription !== null)
          other.pending.push(key([0, other.subscription], [EventKind.Generation, 0, 0]));
      c.pending.push(key([0, reference], [reference]));
    }
  }
  toString = () => `call(${JSON.stringify(this.ref)}, ${this.kind})`;
}

/** Lets the kernel deliver what is queued: exactly what the model expects, once, in order per connection. */
class SettleCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(model: Model, real: Real): void {
    real.m.settle();
    expectDelivered(model, real);
  }
  toString = () => 'settle';
}

function expectDelivered(model: Model, real: Real): void {
  const heard = new Map<number, string[]>();
  for (const n of real.heard.splice(0)) {
    expect(n.kind).toBe('async');
    if (n.kind !== 'async') continue;
    expect(n.status).toBe(kIOReturnSuccess);
    expect(n.reference[0]).toBe(n.connection);
    const list = heard.get(n.connection) ?? [];
    list.push(key(n.reference, n.args));
    heard.set(n.connection, list);
  }
  for (const [id, c] of model.connections) {
    expect(heard.get(id) ?? [], `notifications of connection ${id}`).toEqual(c.pending);
    c.pending = [];
    heard.delete(id);
  }
  expect([...heard.keys()], 'notifications for connections this sequence never opened').toEqual([]);
}

const commandsArb = fc.commands(
  [
    fc
      .record({
        entitlements: fc.oneof(
          { weight: 4, arbitrary: fc.constant(0) },
          { weight: 2, arbitrary: fc.nat(ENTITLEMENTS.length - 1) },
        ),
        type: fc.oneof(
          { weight: 6, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.constantFrom(1, -1, -0, NaN, 1.5, 2 ** 32, 0xffff_ffff) },
        ),
        badService: fc.oneof(
          { weight: 8, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom(0, 999, -1, NaN, 2 ** 53) },
        ),
      })
      .map(({ entitlements, type, badService }) => new OpenCommand(entitlements, type, badService)),
    connectionRefArb.map((ref) => new CloseCommand(ref)),
    fc.tuple(connectionRefArb, memoryTypeArb).map(([ref, type]) => new MapCommand(ref, type)),
    fc.tuple(connectionRefArb, memoryTypeArb).map(([ref, type]) => new MapCommand(ref, type)),
    fc.tuple(connectionRefArb, memoryTypeArb).map(([ref, type]) => new UnmapCommand(ref, type)),
    fc.tuple(connectionRefArb, memoryTypeArb).map(([ref, type]) => new UnmapCommand(ref, type)),
    fc
      .tuple(connectionRefArb, fc.constantFrom<CallKind>('GetInfo', 'GetStats', 'Subscribe', 'SetRuleSet'))
      .map(([ref, kind]) => new CallCommand(ref, kind)),
    fc.constant(new SettleCommand()),
  ],
  { maxCommands: 40, size: 'max' },
);

// ---------------------------------------------------------------- white-box counts

/** Sizes of the shared regions, as the first mapping reports them. */
const REGION_BYTES: number[] = [];

/** The reference count of each memory type's descriptor (the driver's own + one per mapping connection). */
function descriptorRetains(m: Machine): number[] {
  const control = (m.driver as unknown as { control: DriverControl }).control;
  return [0, 1, 2, 3].map((t) => (control.memoryFor(t)!.memory as unknown as OSObject).getRetainCount());
}

function liveCounts(m: Machine) {
  return {
    connections: m.kernel.openConnections,
    objects: Object.fromEntries(m.runtime.liveObjects),
    retains: descriptorRetains(m),
  };
}

describe('connection life cycle', () => {
  it('random open/close/map/unmap/call sequences match the model; each leaves the machine as it found it', () => {
    const m = Machine.boot({ scenario: scenario('home-office') });
    const heard: KernelNotification[] = [];
    m.onKernelNotification = (n) => heard.push(n);
    const service = m.kernel.match({ name: NETLANES_SERVICE_NAME });
    for (let t = 0; t < MEMORY_TYPE_COUNT; t++) REGION_BYTES[t] = m.client.map(t).bytes.length;
    const ringState = m.client.map(MemoryType.RingState).bytes;
    const base = liveCounts(m);
    let commands = 0;
    fc.assert(
      fc.property(commandsArb, (cmds) => {
        const model: Model = { service, ids: [], connections: new Map(), nextReference: 1 };
        const real: Real = { m, heard, baseRetains: base.retains };
        const closed: number[] = [];
        let leftovers: KernelNotification[];
        try {
          fc.modelRun(() => ({ model, real }), cmds);
          for (const _ of cmds) commands++;
          expectRetains(model, real);
          m.settle();
          expectDelivered(model, real);
        } finally {
          // Even when the sequence failed: close what it opened, so shrinking starts clean.
          for (const [id, c] of model.connections) if (c.open) closed.push(m.kernel.close(id));
          m.settle();
          leftovers = heard.splice(0);
        }
        expect(closed.every((ret) => ret === kIOReturnSuccess)).toBe(true);
        expect(leftovers).toEqual([]);
        // Back where it started: no connection, mapping reference, action or user client left.
        expect(liveCounts(m)).toEqual(base);
      }),
      { numRuns: 2_000, seed: SEED },
    );
    expect(commands).toBeGreaterThan(10_000);
    // The machine still runs: traffic flows, rings consistent, counters conserved, no leaks.
    const before = m.client.stats().opkts;
    m.run(2e6);
    expect(m.client.stats().opkts).toBeGreaterThan(before);
    expectRingInvariants(m, ringState);
    m.drain();
    expectConservation(m);
    expectNoLeaks(m.shutdown());
  });
});

describe('bugs the life-cycle fuzz found', () => {
  // Found by the lifecycle model: dispose cancelled the queue holding the completions' release.
  it('a connection still subscribed when the machine shuts down leaks nothing', () => {
    const m = Machine.boot({ scenario: scenario('home-office') });
    const service = m.kernel.match({ name: NETLANES_SERVICE_NAME });
    const { connection } = m.kernel.open(service, 0, APP_ENTITLEMENTS);
    const r = m.kernel.call({ ...Calls.subscribe(1 << EventKind.Link), connection, asyncReference: [0, 1] });
    expect(r.ret).toBe(kIOReturnSuccess);
    expectNoLeaks(m.shutdown());
  });

  // The same, for a completion in flight at shutdown.
  it('a completion still queued when the machine shuts down leaks nothing', () => {
    const m = Machine.boot({ scenario: scenario('home-office') });
    const service = m.kernel.match({ name: NETLANES_SERVICE_NAME });
    const { connection } = m.kernel.open(service, 0, APP_ENTITLEMENTS);
    m.drain();
    const r = m.kernel.call({ ...Calls.setRuleSet(3, '{}'), connection, asyncReference: [0, 1] });
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(m.kernel.close(connection)).toBe(kIOReturnSuccess);
    expectNoLeaks(m.shutdown());
  });
});
