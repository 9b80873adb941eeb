/**
 * Fuzzing IOConnectCall*Method against the kernel directly (DextKernel, synchronous, and
 * LocalKernel, the promise port the broker uses): wrong selectors, scalar arrays of any length
 * holding NaN, ±Infinity, negatives, 2^53 and fractions, struct inputs of 0..9000 bytes (the
 * 4096/4097 in-band boundary among them), structs from the ABI's layouts with fields mutated,
 * batches whose header lies, any output count and room, async references absent, empty or too
 * long, and values of the wrong JavaScript type. Whatever comes in: the kernel never throws, it
 * answers only IOReturns the ABI defines, the outputs are well formed, completions come back
 * to the caller once — and between rounds the driver still serves, sends and keeps its
 * invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_BUFFER_BYTES,
  COMMAND_SET_APP_SETTINGS,
  COMMAND_SET_FLOWS,
  EventKind,
  METHODS,
  MemoryType,
  SELECTOR_NAMES,
  Selector,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { Calls } from '../../driver-runtime/abi/netlanes-calls.ts';
import { kIOReturnBadArgument, kIOReturnSuccess } from '../../driver-runtime/abi/io-return.ts';
import { LocalKernel } from '../../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import type { KernelNotification } from '../../driver-runtime/host/dext-kernel.ts';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { scenario } from '../machine/helpers.ts';
import { expectConservation, expectRingInvariants } from '../support/invariants.ts';
import {
  callArb,
  expectWellFormedResult,
  flowBatchArb,
  nastyNumber,
  settingsBatchArb,
  type CallShape,
} from './arbitraries.ts';
import { KernelRig } from './rig.ts';

/** Fixed seeds: a failure names its seed and path, and the same run reproduces it. */
const SEED = 20_251_127;

/** A case: maybe a batch written into the Command buffer first, then one call. */
interface Case {
  write: { offset: number; bytes: Uint8Array } | null;
  req: CallShape;
}

/** SubmitCommand of a batch the case wrote into the Command buffer, offsets and lengths sometimes off. */
const submitCaseArb: fc.Arbitrary<Case> = fc
  .record({
    kind: fc.constantFrom(COMMAND_SET_FLOWS, COMMAND_SET_APP_SETTINGS),
    flows: flowBatchArb(300),
    settings: settingsBatchArb(60),
    offset: fc.oneof(fc.nat(1024), fc.constantFrom(COMMAND_BUFFER_BYTES - 8192)),
    lengthDelta: fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -30, max: 30 }) },
    ),
    offsetLie: fc.oneof(
      { weight: 8, arbitrary: fc.constant<number | null>(null) },
      { weight: 1, arbitrary: nastyNumber },
    ),
    reference: fc.nat(1_000_000),
  })
  .map(({ kind, flows, settings, offset, lengthDelta, offsetLie, reference }) => {
    const bytes = kind === COMMAND_SET_FLOWS ? flows : settings;
    return {
      write: { offset, bytes },
      req: {
        ...Calls.submitCommand(kind, offsetLie ?? offset, Math.max(0, bytes.length + lengthDelta)),
        scalarOutputCount: 0,
        structOutputSize: 0,
        asyncReference: [0, reference],
      },
    };
  });

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { weight: 12, arbitrary: callArb.map((req) => ({ write: null, req })) },
  { weight: 1, arbitrary: submitCaseArb },
);

function run(rig: KernelRig, c: Case) {
  if (c.write !== null) rig.command.set(c.write.bytes, c.write.offset);
  const r = rig.call(c.req);
  expectWellFormedResult(c.req, r);
  return r;
}

const referenceKey = (connection: number, ref: readonly number[]) => [connection, ...ref.slice(1)].join(',');

describe('kernel calls (DextKernel)', () => {
  it('one random call at a time: never throws, only defined IOReturns, well-formed outputs', () => {
    const rig = new KernelRig();
    let n = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        run(rig, c);
        // Deliver what the calls queued (completions) now and then, checking their shape.
        if (++n % 256 === 0) {
          rig.m.settle();
          rig.drainNotifications();
        }
      }),
      { numRuns: 60_000, seed: SEED },
    );
    rig.m.settle();
    rig.drainNotifications();
    rig.checkpoint();
    rig.finish();
  });

  it('rounds of random calls: completions once each, then the driver still serves, sends and keeps its invariants', () => {
    const rig = new KernelRig();
    const subscribeRefs = new Set<string>();
    let calls = 0;
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 100, size: 'max' }), (cases) => {
        const expected = new Map<string, number>();
        for (const c of cases) {
          const r = run(rig, c);
          calls++;
          if (r.ret !== kIOReturnSuccess || c.req.asyncReference === undefined) continue;
          const key = referenceKey(rig.connection, c.req.asyncReference);
          if (c.req.selector === Selector.Subscribe) subscribeRefs.add(key);
          else expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        rig.m.settle();
        const heard = new Map<string, number>();
        for (const n of rig.drainNotifications()) {
          expect(n.kind).toBe('async');
          if (n.kind !== 'async') continue;
          expect(n.connection).toBe(rig.connection);
          const key = referenceKey(n.connection, n.reference);
          heard.set(key, (heard.get(key) ?? 0) + 1);
        }
        // Each successful async call completed exactly once; nothing else but events came back.
        for (const [key, count] of expected)
          if (!subscribeRefs.has(key)) expect(heard.get(key) ?? 0, `completions of ${key}`).toBe(count);
        for (const key of heard.keys())
          expect(expected.has(key) || subscribeRefs.has(key), `unexpected completion ${key}`).toBe(true);
        rig.checkpoint();
      }),
      { numRuns: 400, seed: SEED + 1 },
    );
    expect(calls).toBeGreaterThan(10_000);
    rig.finish();
  });

  it('every selector answers its exact dispatch shape with success (the fuzz reaches the handlers)', () => {
    // A sanity floor for the fuzz above: each selector's well-formed call succeeds.
    const rig = new KernelRig();
    for (const name of SELECTOR_NAMES) {
      const m = METHODS[name];
      const req: CallShape = {
        selector: Selector[name],
        scalarInput:
          name === 'SetMTU'
            ? [1500]
            : name === 'SetInterfaceEnable'
              ? [1]
              : name === 'Subscribe'
                ? [2]
                : name === 'SubmitCommand'
                  ? [COMMAND_SET_FLOWS, 0, 8]
                  : name === 'SetCapture'
                    ? [0, 64]
                    : new Array<number>(m.scalarIn).fill(0),
        structInput:
          name === 'SetTxPolicy'
            ? Calls.setTxPolicy(Calls.decodeTxPolicy(rig.call(Calls.getTxPolicy()))).structInput
            : name === 'SetFlows'
              ? Calls.setFlows(1, []).structInput
              : name === 'SetAppSettings'
                ? Calls.setAppSettings(1, []).structInput
                : name === 'SetRuleSet'
                  ? Calls.setRuleSet(1, '{}').structInput
                  : name === 'ExplainPacket'
                    ? new Uint8Array(20)
                    : null,
        scalarOutputCount: m.scalarOut,
        structOutputSize: m.structOut,
        ...(m.async ? { asyncReference: [0, 1] } : {}),
      };
      if (name === 'SubmitCommand') rig.command.set(new Uint8Array(8));
      const r = rig.call(req);
      expect(r.ret, name).toBe(kIOReturnSuccess);
      expectWellFormedResult(req, r);
    }
    rig.finish();
  });
});

describe('what the kernel-call fuzz found', () => {
  // Found by the rounds property: frames the NIC had written back were reclaimed as aborted.
  it('disabling the interface mid-traffic does not report frames already sent as aborted', () => {
    const m = Machine.boot({ scenario: scenario('home-office') });
    m.run(1e6);
    expect(m.client.setInterfaceEnable(false)).toBe(kIOReturnSuccess);
    expect(m.client.setInterfaceEnable(true)).toBe(kIOReturnSuccess);
    m.drain();
    expectConservation(m);
  });

  // Found modelling Subscribe: masks are 64-bit scalars, and `&` sees only 32 bits.
  it('Subscribe refuses a mask with bits above 31', () => {
    const rig = new KernelRig();
    for (const mask of [2 ** 32, 2 ** 32 + (1 << EventKind.Generation)]) {
      const r = rig.call({ ...Calls.subscribe(mask), asyncReference: [0, 1] });
      expect(r.ret, `mask ${mask}`).toBe(kIOReturnBadArgument);
    }
    rig.finish();
  });
});

describe('kernel calls (LocalKernel port)', () => {
  it('random calls through the promise port: never reject, only defined IOReturns, the machine keeps running', async () => {
    const kernel = new LocalKernel({ scenario: scenario('home-office') });
    const notifications: KernelNotification[] = [];
    kernel.onNotification((n) => {
      if (n.kind === 'async' || n.kind === 'terminated') notifications.push(n);
    });
    const service = await kernel.match({ name: 'NetLanesDriver' });
    const { ret, connection } = await kernel.open(service, 0, APP_ENTITLEMENTS);
    expect(ret).toBe(kIOReturnSuccess);
    const ringState = await kernel.map(connection, MemoryType.RingState);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(callArb, async (req) => {
        const r = await kernel.call({ ...req, connection } as Parameters<LocalKernel['call']>[0]);
        expectWellFormedResult(req, r);
        if (++n % 500 === 0) {
          // The port settles after each call; put the interface back and let traffic run.
          const enable = await kernel.call({ ...Calls.setInterfaceEnable(true), connection });
          expect(enable.ret).toBe(kIOReturnSuccess);
          kernel.machine.run(1e6);
          expectRingInvariants(
            kernel.machine,
            new Uint8Array(ringState.buffer!, ringState.offset, ringState.length),
          );
        }
      }),
      { numRuns: 5_000, seed: SEED + 2 },
    );
    for (const x of notifications) if (x.kind === 'async') expect(x.connection).toBe(connection);
    const info = await kernel.call({ ...Calls.getInfo(), connection });
    expect(info.ret).toBe(kIOReturnSuccess);
    expect(await kernel.close(connection)).toBe(kIOReturnSuccess);
    await kernel.dispose();
  });
});
