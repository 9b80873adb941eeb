/**
 * Floods: thousands of async calls (SetFlows, SetAppSettings, SetRuleSet, SubmitCommand of
 * either batch, Subscribe) from several connections without a pause, and flow-table floods —
 * SetFlows batches with more entries than the table holds, over random tuples. Completions and
 * events must all arrive exactly once, to the right connection, carrying the right generation;
 * the flow table stays bounded and holds exactly what a model of adds, removes and evictions
 * allows; and between floods the driver still serves, sends and keeps its invariants. The same
 * async flood also goes through the broker over msgpack, as a WebSocket client would send it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALL_EVENTS,
  COMMAND_SET_APP_SETTINGS,
  COMMAND_SET_FLOWS,
  EventKind,
  FLOW_ENTRY,
  FLOW_STAT,
  FINDING,
  FINDING_CODES,
  Selector,
  type FlowEntryRecord,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { Calls, decodeRecords } from '../../driver-runtime/abi/netlanes-calls.ts';
import { kIOReturnBadArgument, kIOReturnSuccess } from '../../driver-runtime/abi/io-return.ts';
import { encodeBatch } from '../../driver-runtime/abi/struct-codec.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import { memoryPair } from '../../ipc/memory-pair.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { Broker } from '../../main/broker/broker.ts';
import { scenario } from '../machine/helpers.ts';
import {
  expectWellFormedResult,
  flowBatchArb,
  isDefinedIOReturn,
  recordArb,
  ruleSetArb,
  settingsBatchArb,
  type CallShape,
} from './arbitraries.ts';
import { KernelRig } from './rig.ts';

const SEED = 20_251_129;

/** The generation a batch or rule set header carries (u32 at offset 4), or null when too short. */
function headerGeneration(bytes: Uint8Array): number | null {
  return bytes.length < 8 ? null : new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
}

const notificationKey = (reference: readonly number[], args: readonly number[]) =>
  `${reference.slice(1).join(',')}|${args.join(',')}`;

// ---------------------------------------------------------------- async floods (kernel)

type FloodKind = 'flows' | 'settings' | 'rules' | 'submit-flows' | 'submit-settings' | 'subscribe';

interface FloodCall {
  connection: number;
  kind: FloodKind;
  bytes: Uint8Array;
  mask: number;
  /** Reference values after the unique id (the reference holds up to 8). */
  extra: number[];
}

const floodCallArb: fc.Arbitrary<FloodCall> = fc
  .record({
    connection: fc.nat(2),
    kind: fc.constantFrom<FloodKind>(
      'flows',
      'settings',
      'rules',
      'submit-flows',
      'submit-settings',
      'subscribe',
    ),
    flows: flowBatchArb(40),
    settings: settingsBatchArb(12),
    rules: ruleSetArb,
    /** Now and then the bytes of another call (a settings batch to SetFlows …). */
    mixUp: fc.oneof(
      { weight: 9, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('flows', 'settings', 'rules') },
    ),
    mask: fc.oneof(
      fc.constantFrom(
        ALL_EVENTS,
        1 << EventKind.Generation,
        1 << EventKind.FlowTablePressure,
        0,
        1,
        2 ** 32 + 8,
      ),
      fc.nat(127),
    ),
    extra: fc.array(fc.nat(), { maxLength: 6 }),
  })
  .map(({ connection, kind, flows, settings, rules, mixUp, mask, extra }) => {
    const of = { flows, settings, rules };
    const own = kind.endsWith('flows') ? 'flows' : kind.endsWith('settings') ? 'settings' : 'rules';
    return { connection, kind, bytes: of[mixUp ?? own], mask, extra };
  });

function floodRequest(c: FloodCall, reference: number[], command: Uint8Array): CallShape {
  const asyncReference = reference;
  switch (c.kind) {
    case 'flows':
      return { ...Calls.setFlows(0, []), structInput: c.bytes, asyncReference };
    case 'settings':
      return { ...Calls.setAppSettings(0, []), structInput: c.bytes, asyncReference };
    case 'rules':
      return { ...Calls.setRuleSet(0, ''), structInput: c.bytes, asyncReference };
    case 'subscribe':
      return { ...Calls.subscribe(c.mask), asyncReference };
    default: {
      // The batch goes into the Command buffer (shared by every connection of the driver).
      command.set(c.bytes, 0);
      const kind = c.kind === 'submit-flows' ? COMMAND_SET_FLOWS : COMMAND_SET_APP_SETTINGS;
      return { ...Calls.submitCommand(kind, 0, c.bytes.length), asyncReference };
    }
  }
}

describe('async floods', () => {
  it('thousands of async calls from three connections: each completion and event arrives once, where and as the model says', () => {
    const rig = new KernelRig();
    const connections = [rig.connection, rig.open(), rig.open()];
    /** Each connection's subscription: its reference and mask (they outlive a flood). */
    const subscriptions = new Map<number, { reference: number[]; mask: number }>();
    let nextId = 1;
    let calls = 0;
    fc.assert(
      fc.property(fc.array(floodCallArb, { minLength: 20, maxLength: 300, size: 'max' }), (flood) => {
        rig.drainNotifications(); // what the last checkpoint's restore and traffic published
        const info = rig.m.client.info();
        let settingsGeneration = info.settingsGeneration;
        let ruleSetGeneration = info.ruleSetGeneration;
        const expected = new Map<number, string[]>(connections.map((c) => [c, []]));
        const publishGeneration = () => {
          for (const [c, s] of subscriptions)
            if ((s.mask & (1 << EventKind.Generation)) !== 0)
              expected
                .get(c)!
                .push(
                  notificationKey(s.reference, [EventKind.Generation, settingsGeneration, ruleSetGeneration]),
                );
        };
        for (const c of flood) {
          const connection = connections[c.connection];
          const reference = [0, nextId++, ...c.extra];
          const req = floodRequest(c, reference, rig.command);
          const r = rig.call(req, connection);
          calls++;
          expectWellFormedResult(req, r);
          if (c.kind === 'subscribe') {
            const valid = c.mask > 0 && c.mask <= ALL_EVENTS && (c.mask & ~ALL_EVENTS) === 0;
            expect(r.ret).toBe(valid ? kIOReturnSuccess : kIOReturnBadArgument);
            if (valid)
              subscriptions.set(connection, { reference: [connection, ...reference.slice(1)], mask: c.mask });
            continue;
          }
          if (r.ret !== kIOReturnSuccess) continue;
          const generation = headerGeneration(c.bytes)!;
          if (c.kind === 'settings' || c.kind === 'submit-settings') {
            settingsGeneration = generation;
            publishGeneration();
          } else if (c.kind === 'rules') {
            ruleSetGeneration = generation;
            publishGeneration();
          }
          expected.get(connection)!.push(notificationKey(reference, [generation]));
        }
        rig.m.settle();
        const heard = new Map<number, string[]>(connections.map((c) => [c, []]));
        for (const n of rig.drainNotifications()) {
          expect(n.kind).toBe('async');
          if (n.kind !== 'async') continue;
          expect(n.status).toBe(kIOReturnSuccess);
          expect(connections).toContain(n.connection);
          if (n.args[0] === EventKind.FlowTablePressure && n.args.length === 4) {
            // Not modelled here (the flow-table flood below does): sane values only.
            const [, entries, capacity, evictions] = n.args;
            expect(entries).toBeGreaterThanOrEqual(0.9 * capacity);
            expect(entries).toBeLessThanOrEqual(capacity);
            expect(evictions).toBeGreaterThanOrEqual(0);
            continue;
          }
          heard.get(n.connection)!.push(notificationKey(n.reference, n.args));
        }
        for (const c of connections) expect(heard.get(c), `connection ${c}`).toEqual(expected.get(c));
        const stats = rig.m.client.stats();
        expect(stats.flowEntries).toBeLessThanOrEqual(info.flowCapacity);
        rig.checkpoint();
      }),
      { numRuns: 120, seed: SEED },
    );
    expect(calls).toBeGreaterThan(10_000);
    rig.finish(connections.slice(1));
  });
});

// ---------------------------------------------------------------- flow-table floods

const CAPACITY = 64;
const PRESSURE = 0.9 * CAPACITY;

/** Tuples from a small space (many repeats: updates and removes of live flows) or any. */
const floodEntryArb: fc.Arbitrary<FlowEntryRecord> = fc.oneof(
  {
    weight: 3,
    arbitrary: recordArb(FLOW_ENTRY, {
      op: fc.constantFrom(1, 1, 1, 2),
      protocol: fc.constantFrom(1, 6, 17),
      localIp: fc.constantFrom(0xc0a80114, 0xc0a80115),
      remoteIp: fc.constantFrom(0x01010101, 0x08080808, 0xffffffff),
      localPort: fc.nat(40),
      remotePort: fc.nat(3),
      slot: fc.integer({ min: 1, max: 255 }),
    }),
  },
  {
    weight: 1,
    arbitrary: recordArb(FLOW_ENTRY, {
      op: fc.constantFrom(1, 2),
      protocol: fc.constantFrom(1, 6, 17),
      slot: fc.integer({ min: 1, max: 255 }),
    }),
  },
) as unknown as fc.Arbitrary<FlowEntryRecord>;

const tupleKey = (e: {
  protocol: number;
  localIp: number;
  remoteIp: number;
  localPort: number;
  remotePort: number;
}) =>
  `${e.protocol}/${e.localIp >>> 0}/${e.remoteIp >>> 0}/${e.localPort}/${e.protocol === 1 ? 0 : e.remotePort}`;

describe('flow-table floods', () => {
  it(`SetFlows batches far past the table's ${CAPACITY} entries: bounded, and exactly what adds, removes and evictions allow`, () => {
    const rig = new KernelRig({ driver: { flowCapacity: CAPACITY } });
    expect(rig.m.client.info().flowCapacity).toBe(CAPACITY);
    const subscribe = rig.call(
      { ...Calls.subscribe(1 << EventKind.FlowTablePressure), asyncReference: [0, 7] },
      rig.connection,
    );
    expect(subscribe.ret).toBe(kIOReturnSuccess);
    const tableNow = () => {
      const r = rig.call(Calls.getFlows());
      expect(r.ret).toBe(kIOReturnSuccess);
      return decodeRecords(FLOW_STAT, r.structOutput!);
    };
    let entries = 0;
    let generation = 1;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(floodEntryArb, { minLength: 1, maxLength: 20 }),
          fc.array(floodEntryArb, { minLength: 1, maxLength: 300, size: 'max' }),
        ),
        // Remove this share of the flows in the table first (so the table also empties).
        fc.constantFrom(0, 0, 0, 0.25, 0.5, 0.9, 1),
        fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(299) }),
        (batch, removeShare, spoil) => {
          rig.drainNotifications();
          const before = tableNow();
          const statsBefore = rig.m.client.stats();
          // The model: the table before, then each op in order, no evictions.
          const model = new Map(before.map((f) => [tupleKey(f), { slot: f.slot, flowId: f.flowId }]));
          const removals = before
            .slice(0, Math.ceil(removeShare * before.length))
            .map((f): FlowEntryRecord => ({ ...f, op: 2, protocol: f.protocol }));
          const items = [...removals, ...batch.map((e) => ({ ...e }))];
          if (spoil !== null) items[spoil % items.length].op = 3; // one bad entry refuses the batch
          const r = rig.call({
            ...Calls.setFlows(generation, []),
            structInput: encodeBatch(FLOW_ENTRY, generation, items),
            asyncReference: [0, generation],
          });
          generation++;
          entries += items.length;
          rig.m.settle();
          const after = tableNow();
          const stats = rig.m.client.stats();
          // Bounded, and GetFlows, GetStats agree; no tuple twice.
          expect(after.length).toBeLessThanOrEqual(CAPACITY);
          expect(stats.flowEntries).toBe(after.length);
          expect(new Set(after.map(tupleKey)).size).toBe(after.length);
          const evicted = stats.flowEvictions - statsBefore.flowEvictions;
          expect(evicted).toBeGreaterThanOrEqual(0);
          const heard = rig.drainNotifications();
          if (spoil !== null) {
            expect(r.ret).toBe(kIOReturnBadArgument);
            expect(after.map(tupleKey).sort()).toEqual(before.map(tupleKey).sort());
            expect(evicted).toBe(0);
            expect(heard).toEqual([]);
            return;
          }
          expect(r.ret).toBe(kIOReturnSuccess);
          for (const e of items) {
            if (e.op === 1) model.set(tupleKey(e), { slot: e.slot, flowId: e.flowId >>> 0 });
            else model.delete(tupleKey(e));
          }
          // Every flow in the table is one the model has, with the model's slot and id; the
          // model's extra flows are evicted ones — no more than the evictions counted, and
          // at least as many as it takes to fit.
          for (const f of after)
            expect(model.get(tupleKey(f)), tupleKey(f)).toEqual({ slot: f.slot, flowId: f.flowId });
          const missing = model.size - after.length;
          expect(missing).toBeLessThanOrEqual(evicted);
          expect(missing).toBeGreaterThanOrEqual(0);
          if (evicted === 0) expect(after.length).toBe(model.size);
          // Diagnose warns exactly when the table is full.
          const d = rig.call(Calls.diagnose());
          expect(d.ret).toBe(kIOReturnSuccess);
          const full = decodeRecords(FINDING, d.structOutput!)
            .map((f) => f.code)
            .includes(FINDING_CODES.indexOf('flow-table-full'));
          expect(full).toBe(after.length >= CAPACITY);
          // One completion with the generation; a pressure event exactly when crossing 90 %.
          const crossed = before.length < PRESSURE && after.length >= PRESSURE;
          const expected = [
            ...(crossed
              ? [
                  notificationKey(
                    [rig.connection, 7],
                    [EventKind.FlowTablePressure, after.length, CAPACITY, stats.flowEvictions],
                  ),
                ]
              : []),
            notificationKey([rig.connection, generation - 1], [generation - 1]),
          ];
          expect(
            heard.map((n) => (n.kind === 'async' ? notificationKey(n.reference, n.args) : n.kind)),
          ).toEqual(expected);
        },
      ),
      { numRuns: 400, seed: SEED + 1 },
    );
    expect(entries).toBeGreaterThan(CAPACITY * 100);
    rig.checkpoint();
    rig.finish();
  });
});

// ---------------------------------------------------------------- async floods (broker)

describe('async floods through the broker', () => {
  const opened: { kernel: LocalKernel; broker: Broker }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.broker.dispose();
      await o.kernel.dispose();
    }
  });

  it('concurrent async calls over msgpack: every successful call hears its completion once, failed ones none', async () => {
    const kernel = new LocalKernel({ scenario: scenario('home-office') });
    const broker = new Broker(kernel, { frameMs: 1000 });
    opened.push({ kernel, broker });
    const [clientSide, brokerSide] = memoryPair(true);
    broker.attach(brokerSide, { name: 'flood', entitlements: APP_ENTITLEMENTS });
    const iokit = new IOKitClient(clientSide);
    const service = await iokit.IOServiceGetMatchingService({ name: 'NetLanesDriver' });
    const { ret, connection } = await iokit.IOServiceOpen(service, 0);
    expect(ret).toBe(kIOReturnSuccess);
    const heard = new Map<number, number[][]>();
    iokit.onAsyncCompletion((n) => {
      expect(n.connection).toBe(connection);
      expect(isDefinedIOReturn(n.status)).toBe(true);
      const list = heard.get(n.reference[1]) ?? [];
      list.push(n.args);
      heard.set(n.reference[1], list);
    });
    let nextId = 1;
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            selector: fc.constantFrom(Selector.SetFlows, Selector.SetAppSettings, Selector.SetRuleSet),
            flows: flowBatchArb(40),
            settings: settingsBatchArb(12),
            rules: ruleSetArb,
          }),
          { minLength: 10, maxLength: 100, size: 'max' },
        ),
        async (flood) => {
          heard.clear();
          const sent = flood.map((c) => {
            const id = nextId++;
            const bytes =
              c.selector === Selector.SetFlows
                ? c.flows
                : c.selector === Selector.SetAppSettings
                  ? c.settings
                  : c.rules;
            return {
              id,
              bytes,
              result: iokit.IOConnectCallAsyncMethod(connection, c.selector, [0, id], [], bytes, 0, 0),
            };
          });
          const results = await Promise.all(sent.map((s) => s.result));
          calls += results.length;
          // Completions travel as events after the kernel settles: let the carrier deliver them.
          await new Promise((resolve) => setTimeout(resolve, 0));
          sent.forEach((s, i) => {
            const r = results[i];
            expect(isDefinedIOReturn(r.ret)).toBe(true);
            if (r.ret === kIOReturnSuccess)
              expect(heard.get(s.id), `completions of ${s.id}`).toEqual([[headerGeneration(s.bytes)]]);
            else expect(heard.get(s.id)).toBeUndefined();
            heard.delete(s.id);
          });
          expect([...heard.keys()]).toEqual([]);
        },
      ),
      { numRuns: 60, seed: SEED + 2 },
    );
    expect(calls).toBeGreaterThan(2_000);
    const info = await iokit.IOConnectCallMethod(connection, Selector.GetInfo, [], null, 0, 128);
    expect(info.ret).toBe(kIOReturnSuccess);
    expect(await iokit.IOServiceClose(connection)).toBe(kIOReturnSuccess);
  });
});
