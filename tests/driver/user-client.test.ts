/**
 * NetLanesUserClient, reached only as a client reaches it — through the kernel's call path on a
 * booted machine: the dispatch table refuses calls of the wrong shape, and each selector does
 * its job on good input and refuses bad input with kIOReturnBadArgument, changing nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { recordFromPolicy, type DriverClient } from '../../driver-runtime/host/driver-client.ts';
import type { CallRequest, CallResult } from '../../driver-runtime/host/dext-kernel.ts';
import {
  ALL_EVENTS,
  APP_SETTING,
  CAPTURE_HEADER_BYTES,
  CAPTURE_RECORD_BYTES,
  CAP_ENABLED,
  CAP_SNAP,
  CAP_WRITE_INDEX,
  COMMAND_BUFFER_BYTES,
  COMMAND_SET_APP_SETTINGS,
  COMMAND_SET_FLOWS,
  EventKind,
  FINDING_CODES,
  FLOW_ADD,
  FLOW_ENTRY,
  FLOW_REMOVE,
  INFO_ENABLED,
  INFO_LINK_UP,
  METHODS,
  MemoryType,
  PACKET_DESCRIPTION,
  QUEUE_BY_SERVICE_CLASS,
  RULESET_MAX_BYTES,
  SELECTOR_COUNT,
  SELECTOR_NAMES,
  SETTING_IN_USE,
  SEVERITY_ERROR,
  SEVERITY_INFO,
  Selector,
  TX_POLICY,
  VARIABLE_SIZE,
  encodeRuleSet,
  type AppSettingRecord,
  type FlowEntryRecord,
  type TxPolicyRecord,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { encodeBatch } from '../../driver-runtime/abi/struct-codec.ts';
import { ALL_SLOTS, Calls, type RawCall } from '../../driver-runtime/abi/netlanes-calls.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNoSpace,
  kIOReturnSuccess,
  type IOReturn,
} from '../../driver-runtime/kit/io-return.ts';
import { scenario } from '../machine/helpers.ts';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** A slot the agent never gives in home-office (it has six apps). */
const SLOT = 200;

let m: Machine;

beforeEach(() => {
  m = Machine.boot({ scenario: scenario('home-office') });
  // Let the agent push its first settings and flows, so what a test sets is not overwritten.
  m.run(1e6);
});

afterEach(() => {
  expect(m.shutdown().liveObjects).toBe(0);
});

/** A raw IOConnectCallMethod on the machine's connection. */
function raw(o: Partial<CallRequest> & { selector: number }): CallResult {
  return m.kernel.call({
    connection: m.client.connection,
    scalarInput: [],
    structInput: null,
    scalarOutputCount: 0,
    structOutputSize: 0,
    ...o,
  });
}

/** An async call through the client: its synchronous answer and the completions that arrived. */
function asyncCall(call: RawCall): { ret: IOReturn; completions: [IOReturn, number[]][] } {
  const completions: [IOReturn, number[]][] = [];
  const r = m.client.raw(call, (status, args) => completions.push([status, [...args]]));
  m.settle();
  return { ret: r.ret, completions };
}

/** A call each selector accepts (valid input, exactly its shape), as a kernel request. */
function good(name: (typeof SELECTOR_NAMES)[number], connection = m.client.connection): CallRequest {
  const calls: Record<(typeof SELECTOR_NAMES)[number], () => RawCall> = {
    GetInfo: () => Calls.getInfo(),
    GetTxPolicy: () => Calls.getTxPolicy(),
    SetTxPolicy: () => Calls.setTxPolicy(recordFromPolicy(m.client.txPolicy())),
    SetMTU: () => Calls.setMtu(1500),
    SetInterfaceEnable: () => Calls.setInterfaceEnable(true),
    SetFlows: () => Calls.setFlows(1, [flow()]),
    SetAppSettings: () => Calls.setAppSettings(1, [setting()]),
    SetRuleSet: () => Calls.setRuleSet(2, '{}'),
    GetRuleSet: () => Calls.getRuleSet(),
    ExplainApp: () => Calls.explainApp(1),
    ExplainPacket: () =>
      Calls.explainPacket({
        protocol: 6,
        serviceClass: 0,
        localIp: 1,
        remoteIp: 2,
        localPort: 3,
        remotePort: 4,
      }),
    GetStats: () => Calls.getStats(),
    GetFlows: () => Calls.getFlows(),
    Diagnose: () => Calls.diagnose(),
    Subscribe: () => Calls.subscribe(ALL_EVENTS),
    GetEvents: () => Calls.getEvents(0),
    SubmitCommand: () => Calls.submitCommand(COMMAND_SET_FLOWS, 0, 8), // an empty batch: the buffer starts zeroed
    SetCapture: () => Calls.setCapture(false, 128),
  };
  const c = calls[name]();
  return {
    connection,
    selector: c.selector,
    scalarInput: c.scalarInput,
    structInput: c.structInput,
    scalarOutputCount: c.scalarOutputCount,
    structOutputSize: c.structOutputSize,
    ...(c.async ? { asyncReference: [0, 999] } : {}),
  };
}

const warnings = (pattern: RegExp) => m.runtime.tracer.find(pattern).filter((e) => e.level === 'warn');

function flow(o: Partial<FlowEntryRecord> = {}): FlowEntryRecord {
  return {
    op: FLOW_ADD,
    protocol: IPPROTO_UDP,
    localIp: 0xc0a8_0114,
    remoteIp: 0x0a00_0001,
    localPort: 40000,
    remotePort: 53,
    slot: SLOT,
    flowId: 9001,
    ...o,
  };
}

function setting(o: Partial<AppSettingRecord> = {}): AppSettingRecord {
  return {
    slot: SLOT,
    queue: 3,
    flags: SETTING_IN_USE,
    capBps: 0,
    burstBytes: 0,
    label: 'com.example.test',
    reason: 'rule-x',
    ...o,
  };
}

// ---------------------------------------------------------------- the dispatch table

describe('the dispatch table', () => {
  // A client of its own, closed and settled before shutdown (a Subscribe leaves a completion).
  let own: DriverClient;
  beforeEach(() => {
    own = m.openClient();
  });
  afterEach(() => {
    own.close();
    m.settle();
  });

  it.each(SELECTOR_NAMES)(
    '%s: its exact shape with valid input succeeds; any other shape is kIOReturnBadArgument',
    (name) => {
      const shape = METHODS[name];
      const call = (c: CallRequest) => m.kernel.call(c).ret;
      const ok = good(name, own.connection);
      expect(call(ok), 'the exact shape').toBe(kIOReturnSuccess);
      expect(call({ ...ok, scalarInput: [...ok.scalarInput, 0] }), 'one scalar too many').toBe(
        kIOReturnBadArgument,
      );
      if (ok.scalarInput.length > 0)
        expect(call({ ...ok, scalarInput: ok.scalarInput.slice(1) }), 'one scalar too few').toBe(
          kIOReturnBadArgument,
        );
      expect(call({ ...ok, scalarOutputCount: ok.scalarOutputCount + 1 }), 'scalar output room').toBe(
        kIOReturnBadArgument,
      );
      if (shape.structIn !== VARIABLE_SIZE) {
        expect(call({ ...ok, structInput: new Uint8Array(shape.structIn + 1) }), 'struct input +1').toBe(
          kIOReturnBadArgument,
        );
        if (shape.structIn > 0)
          expect(call({ ...ok, structInput: new Uint8Array(shape.structIn - 1) }), 'struct input -1').toBe(
            kIOReturnBadArgument,
          );
      }
      if (shape.structOut !== VARIABLE_SIZE)
        expect(call({ ...ok, structOutputSize: shape.structOut + 1 }), 'struct output room').toBe(
          kIOReturnBadArgument,
        );
      const { asyncReference, ...sync } = ok;
      const wrongCompletion: CallRequest =
        asyncReference === undefined ? { ...sync, asyncReference: [0, 1] } : sync;
      expect(
        call(wrongCompletion),
        shape.async ? 'async without a completion' : 'sync with a completion',
      ).toBe(kIOReturnBadArgument);
      // The good call still works after the refusals (they changed nothing).
      expect(call(good(name, own.connection)), 'the exact shape again').toBe(kIOReturnSuccess);
    },
  );

  it('a selector beyond the table is kIOReturnBadArgument', () => {
    expect(raw({ selector: SELECTOR_COUNT }).ret).toBe(kIOReturnBadArgument);
    expect(raw({ selector: 0xffff_ffff }).ret).toBe(kIOReturnBadArgument);
    expect(raw({ selector: SELECTOR_COUNT - 1, scalarInput: [0, 128] }).ret).toBe(kIOReturnSuccess);
  });
});

// ---------------------------------------------------------------- info, policy, MTU

describe('GetInfo', () => {
  it('reports the ABI, the device and the state', () => {
    const info = m.client.info();
    expect(info.abiVersion).toBe(1);
    expect(info.queueCount).toBe(4);
    expect(Array.from(info.mac)).toEqual([0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30]); // the scenario's host MAC
    expect(info.linkBps).toBe(1e9);
    expect(info.flags & (INFO_ENABLED | INFO_LINK_UP)).toBe(INFO_ENABLED | INFO_LINK_UP);
    expect(info.mtu).toBe(1500);
    expect(info.maxMtu).toBeGreaterThan(1500);
    expect(info.appSlots).toBe(256);
    expect(info.model).toMatch(/^SIM-I2xx/);
    expect(info.driverVersion).toBe('1.0.0');
    expect(info.ruleSetGeneration).toBe(1); // the agent's setRules at boot
  });
});

describe('GetTxPolicy / SetTxPolicy', () => {
  const policy: TxPolicyRecord = {
    mode: 2, // drr
    pcp: [1, 2, -1, 7],
    quanta: [3000, 1514, 1514, 6000],
    floors: [0.1, 0.2, 0.3, 0.4],
    maxBps: [0, 5e8, 0, 0],
  };

  it('a valid policy is applied and read back', () => {
    expect(raw({ selector: Selector.SetTxPolicy, structInput: TX_POLICY.encode(policy) }).ret).toBe(
      kIOReturnSuccess,
    );
    expect(recordFromPolicy(m.client.txPolicy())).toEqual(policy);
    expect(m.driver.txPolicy.txScheduler).toBe('drr');
  });

  it.each<[string, Partial<TxPolicyRecord>, RegExp | null]>([
    ['floors summing past 1', { floors: [0.6, 0.6, 0, 0] }, /floors must add up to at most 1/],
    ['a negative floor', { floors: [-0.1, 0, 0, 0] }, /floors must be four shares/],
    ['a mode beyond TX_MODES', { mode: 4 }, null],
    ['a quantum beyond 20 bits', { quanta: [1 << 21, 1, 1, 1] }, /drrQuanta/],
    ['PCP 8', { pcp: [8, -1, -1, -1] }, /pcp must be/],
    ['DRR with every quantum 0', { mode: 2, quanta: [0, 0, 0, 0] }, /DRR with every quantum 0/],
  ])('%s: kIOReturnBadArgument and the policy unchanged', (_what, change, why) => {
    const before = m.client.txPolicy();
    const record = { ...recordFromPolicy(before), ...change };
    expect(raw({ selector: Selector.SetTxPolicy, structInput: TX_POLICY.encode(record) }).ret).toBe(
      kIOReturnBadArgument,
    );
    expect(m.client.txPolicy()).toEqual(before);
    if (why !== null) expect(warnings(why)).toHaveLength(1);
  });

  it.each([
    ['a NaN floor', 24],
    ['a NaN rate', 56],
  ])('%s (hand-made bytes, the codec will not write one): refused, unchanged', (_what, offset) => {
    const before = m.client.txPolicy();
    const bytes = TX_POLICY.encode(recordFromPolicy(before));
    new DataView(bytes.buffer).setFloat64(offset, Number.NaN, true);
    expect(raw({ selector: Selector.SetTxPolicy, structInput: bytes }).ret).toBe(kIOReturnBadArgument);
    expect(m.client.txPolicy()).toEqual(before);
  });
});

describe('SetMTU', () => {
  it('accepts 68..maxMtu, refuses outside, and GetInfo reports the one in force', () => {
    const { maxMtu } = m.client.info();
    expect(m.client.setMtu(67)).toBe(kIOReturnBadArgument);
    expect(m.client.setMtu(maxMtu + 1)).toBe(kIOReturnBadArgument);
    expect(raw({ selector: Selector.SetMTU, scalarInput: [2 ** 40] }).ret).toBe(kIOReturnBadArgument);
    expect(m.client.info().mtu).toBe(1500);
    expect(m.client.setMtu(68)).toBe(kIOReturnSuccess);
    expect(m.client.info().mtu).toBe(68);
    expect(m.client.setMtu(maxMtu)).toBe(kIOReturnSuccess);
    expect(m.client.info().mtu).toBe(maxMtu);
    expect(m.client.setMtu(maxMtu + 1)).toBe(kIOReturnBadArgument);
    expect(m.client.info().mtu).toBe(maxMtu);
  });
});

// ---------------------------------------------------------------- enable and diagnose

describe('SetInterfaceEnable and Diagnose', () => {
  it('a healthy driver: one "ok" finding, counted in the scalar output', () => {
    const r = m.client.raw(Calls.diagnose());
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.scalarOutput).toEqual([1]);
    expect(Calls.decodeFindings(r)).toEqual([
      {
        severity: SEVERITY_INFO,
        code: 0,
        object: 'NetLanesDriver',
        message: 'packets can flow: enabled, link up, queues armed',
      },
    ]);
  });

  it('disabled: Diagnose names the driver as the object at fault, GetInfo clears ENABLED', () => {
    expect(m.client.setInterfaceEnable(false)).toBe(kIOReturnSuccess);
    expect(m.client.info().flags & INFO_ENABLED).toBe(0);
    const r = m.client.raw(Calls.diagnose());
    const found = Calls.decodeFindings(r);
    expect(r.scalarOutput).toEqual([found.length]);
    const disabled = found.filter((f) => f.code === FINDING_CODES.indexOf('interface-disabled'));
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toMatchObject({ severity: SEVERITY_ERROR, object: 'NetLanesDriver' });
    expect(disabled[0].message).toContain('SetInterfaceEnable(true) has not been called');
    expect(found.some((f) => f.code === 0)).toBe(false);
    // Enabled again: healthy again once the link is back.
    expect(m.client.setInterfaceEnable(true)).toBe(kIOReturnSuccess);
    m.run(50e6);
    expect(m.client.info().flags & INFO_ENABLED).toBe(INFO_ENABLED);
    expect(m.client.diagnose().map((f) => f.code)).toEqual([0]);
  });

  it('a value other than 0 or 1 is refused and changes nothing', () => {
    expect(raw({ selector: Selector.SetInterfaceEnable, scalarInput: [2] }).ret).toBe(kIOReturnBadArgument);
    expect(m.client.info().flags & INFO_ENABLED).toBe(INFO_ENABLED);
  });
});

// ---------------------------------------------------------------- flows

describe('SetFlows / GetFlows', () => {
  it('adds flows, completes with the batch generation, and GetFlows lists them by slot', () => {
    const entries = [
      flow(),
      flow({ protocol: IPPROTO_TCP, localPort: 40001, remotePort: 443, flowId: 9002 }),
    ];
    const { ret, completions } = asyncCall(Calls.setFlows(77, entries));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [77]]]);
    const r = m.client.raw(Calls.getFlows(SLOT));
    expect(r.scalarOutput).toEqual([2]);
    const listed = Calls.decodeFlows(r);
    expect(listed.map((f) => [f.protocol, f.localPort, f.remotePort, f.slot, f.flowId]).sort()).toEqual(
      [
        [IPPROTO_TCP, 40001, 443, SLOT, 9002],
        [IPPROTO_UDP, 40000, 53, SLOT, 9001],
      ].sort(),
    );
    expect(listed.every((f) => f.localIp === 0xc0a8_0114 && f.remoteIp === 0x0a00_0001)).toBe(true);
    // In the full list too, with the agent's own flows.
    const all = m.client.flows(ALL_SLOTS);
    expect(all.filter((f) => f.slot === SLOT)).toHaveLength(2);
    expect(all.length).toBe(m.client.stats().flowEntries);
  });

  it('removes a flow (a removal needs no valid slot)', () => {
    m.client.setFlows(1, [flow()]);
    m.settle();
    asyncCall(Calls.setFlows(2, [flow({ op: FLOW_REMOVE, slot: 0 })]));
    expect(m.client.flows(SLOT)).toEqual([]);
  });

  it('GetFlows of a slot with no flows is an empty list', () => {
    const r = m.client.raw(Calls.getFlows(201));
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.scalarOutput).toEqual([0]);
    expect(Calls.decodeFlows(r)).toEqual([]);
    expect(m.client.flows(0xffff_fffe)).toEqual([]);
  });

  it.each<[string, Partial<FlowEntryRecord>, RegExp]>([
    ['slot 0', { slot: 0 }, /SetFlows refused: flow 1: slot must be 1\.\.255/],
    ['slot 256', { slot: 256 }, /SetFlows refused: flow 1: slot must be 1\.\.255/],
    ['op 3', { op: 3 }, /SetFlows refused: flow 1: op must be 1 \(add\) or 2 \(remove\)/],
    ['protocol 2', { protocol: 2 }, /SetFlows refused: flow 1: protocol must be/],
  ])('a batch with %s is refused whole, logged, and never completes', (_what, bad, why) => {
    const before = m.client.flows().length;
    const { ret, completions } = asyncCall(
      Calls.setFlows(5, [flow({ flowId: 1 }), flow({ ...bad, localPort: 1 })]),
    );
    expect(ret).toBe(kIOReturnBadArgument);
    expect(completions).toEqual([]);
    expect(m.client.flows().length).toBe(before);
    expect(m.client.flows(SLOT)).toEqual([]); // not even the good first entry
    expect(warnings(why)).toHaveLength(1);
  });

  it('a batch whose length disagrees with its count is refused', () => {
    const bytes = encodeBatch(FLOW_ENTRY, 1, [flow()]);
    const { ret } = asyncCall({ ...Calls.setFlows(1, []), structInput: bytes.subarray(0, bytes.length - 1) });
    expect(ret).toBe(kIOReturnBadArgument);
    expect(asyncCall({ ...Calls.setFlows(1, []), structInput: new Uint8Array(4) }).ret).toBe(
      kIOReturnBadArgument,
    );
    expect(m.client.flows(SLOT)).toEqual([]);
  });

  it('a batch past 4096 bytes travels out of line, and so does the long GetFlows reply', () => {
    const entries = Array.from({ length: 300 }, (_, i) => flow({ localPort: 20000 + i, flowId: 50_000 + i }));
    expect(8 + 300 * FLOW_ENTRY.size).toBeGreaterThan(4096);
    const { ret, completions } = asyncCall(Calls.setFlows(3, entries));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [3]]]);
    const listed = m.client.flows(SLOT);
    expect(listed).toHaveLength(300);
    expect(new Set(listed.map((f) => f.flowId)).size).toBe(300);
  });
});

// ---------------------------------------------------------------- settings and explain

describe('SetAppSettings / ExplainApp', () => {
  it('applies a slot’s setting, completes with its generation, and ExplainApp tells it', () => {
    const generation = m.client.info().settingsGeneration + 10;
    const { ret, completions } = asyncCall(Calls.setAppSettings(generation, [setting()]));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [generation]]]);
    expect(m.client.info().settingsGeneration).toBe(generation);
    const lines = m.client.explainApp(SLOT);
    expect(lines[0]).toBe(`slot ${SLOT} (com.example.test): 0 flows in the flow table`);
    expect(lines[1]).toBe(`settings generation ${generation}: Queue 3 (rule-x)`);
  });

  it('a record without IN_USE clears the slot', () => {
    asyncCall(Calls.setAppSettings(50, [setting()]));
    asyncCall(Calls.setAppSettings(51, [setting({ flags: 0 })]));
    expect(m.client.explainApp(SLOT)).toEqual([
      `slot ${SLOT}: 0 flows in the flow table`,
      "settings generation 51: no queue set; its packets take their service class's queue",
    ]);
  });

  it.each<[string, AppSettingRecord[], RegExp]>([
    ['slot 0 (the system)', [setting({ slot: 0 })], /slot must be 1\.\.255/],
    ['slot 256', [setting({ slot: 256 })], /slot must be 1\.\.255/],
    ['a slot twice', [setting(), setting({ queue: 1 })], /slot appears twice/],
    ['queue 4', [setting({ queue: 4 })], /queue must be 0\.\.3 or 255/],
    ['a cap beyond 100 Gb/s', [setting({ capBps: 200e9, burstBytes: 1e6 })], /capBps must be/],
    ['a cap without a frame of burst', [setting({ capBps: 1e6, burstBytes: 1000 })], /at least one frame/],
  ])('%s: refused whole, logged, nothing changes', (_what, batch, why) => {
    const info = m.client.info();
    const explained = m.client.explainApp(SLOT);
    const { ret, completions } = asyncCall(Calls.setAppSettings(info.settingsGeneration + 1, batch));
    expect(ret).toBe(kIOReturnBadArgument);
    expect(completions).toEqual([]);
    expect(m.client.info().settingsGeneration).toBe(info.settingsGeneration);
    expect(m.client.explainApp(SLOT)).toEqual(explained);
    expect(warnings(new RegExp(`SetAppSettings refused: .*${why.source}`))).toHaveLength(1);
  });

  it('queue 255 (by service class) is a valid setting', () => {
    expect(asyncCall(Calls.setAppSettings(60, [setting({ queue: QUEUE_BY_SERVICE_CLASS })])).ret).toBe(
      kIOReturnSuccess,
    );
  });

  it('ExplainApp of something that is not a slot says so', () => {
    expect(m.client.explainApp(256)).toEqual(['slot 256: not a slot (0..255)']);
    expect(m.client.explainApp(0xffff_ffff)).toEqual(['slot 4294967295: not a slot (0..255)']);
  });

  it('ExplainApp and ExplainPacket name the app the agent told the driver about', () => {
    const own = m.client.flows().find((f) => f.slot > 0 && f.slot < SLOT)!;
    const bundle = m.agent.identityOf(own.slot)!.bundleId;
    expect(m.client.explainApp(own.slot)[0]).toMatch(
      new RegExp(`^slot ${own.slot} \\(${bundle}\\): 1 flow in`),
    );
    const packet = {
      protocol: own.protocol,
      serviceClass: 0,
      localIp: own.localIp,
      remoteIp: own.remoteIp,
      localPort: own.localPort,
      remotePort: own.remotePort,
    };
    const lines = m.client.explainPacket(packet);
    expect(lines[1]).toBe(`flow table: flow ${own.flowId} → slot ${own.slot} (${bundle})`);
    const unknown = m.client.explainPacket({ ...packet, localPort: 1 });
    expect(unknown[1]).toMatch(/^flow table: no entry for this 5-tuple/);
    expect(
      raw({
        selector: Selector.ExplainPacket,
        structInput: PACKET_DESCRIPTION.encode(packet).subarray(0, 19),
        structOutputSize: 4096,
      }).ret,
    ).toBe(kIOReturnBadArgument);
  });
});

// ---------------------------------------------------------------- rule sets

describe('SetRuleSet / GetRuleSet', () => {
  it('stores the bytes and generation as sent, and completes with the generation', () => {
    const json = JSON.stringify({ version: 1, rules: [], note: 'x'.repeat(5000) }); // out of line both ways
    const { ret, completions } = asyncCall(Calls.setRuleSet(42, json));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [42]]]);
    const r = m.client.raw(Calls.getRuleSet());
    expect(r.scalarOutput).toEqual([42]);
    expect(Calls.decodeRuleSet(r)).toEqual({ generation: 42, json });
    expect(m.client.info().ruleSetGeneration).toBe(42);
  });

  it('a wrong format or length is refused and the stored one kept', () => {
    const before = m.client.ruleSet();
    const good = encodeRuleSet(9, new TextEncoder().encode('{}'));
    const format2 = good.slice();
    format2[0] = 2;
    expect(asyncCall({ ...Calls.setRuleSet(9, '{}'), structInput: format2 }).ret).toBe(kIOReturnBadArgument);
    const short = good.subarray(0, good.length - 1);
    expect(asyncCall({ ...Calls.setRuleSet(9, '{}'), structInput: short }).ret).toBe(kIOReturnBadArgument);
    expect(asyncCall({ ...Calls.setRuleSet(9, '{}'), structInput: good.subarray(0, 11) }).ret).toBe(
      kIOReturnBadArgument,
    );
    expect(m.client.ruleSet()).toEqual(before);
  });

  it('a rule set beyond 1 MiB is kIOReturnNoSpace', () => {
    const huge = encodeRuleSet(8, new Uint8Array(RULESET_MAX_BYTES + 1));
    const { ret, completions } = asyncCall({ ...Calls.setRuleSet(8, ''), structInput: huge });
    expect(ret).toBe(kIOReturnNoSpace);
    expect(completions).toEqual([]);
    expect(m.client.ruleSet().generation).toBe(1);
  });
});

// ---------------------------------------------------------------- stats, events

describe('GetStats', () => {
  it('counts what was sent, per queue and in total', () => {
    const before = m.client.stats();
    m.run(20e6);
    const after = m.client.stats();
    expect(after.opkts).toBeGreaterThan(before.opkts);
    expect(after.opkts).toBe(after.queuePackets.reduce((a, b) => a + b, 0));
    expect(after.txBytes).toBe(after.queueBytes.reduce((a, b) => a + b, 0));
    expect(after.flowEntries).toBe(m.client.flows().length);
  });
});

describe('Subscribe / GetEvents', () => {
  it('an empty mask or an unknown kind is refused', () => {
    expect(asyncCall(Calls.subscribe(0)).ret).toBe(kIOReturnBadArgument);
    expect(asyncCall(Calls.subscribe(1 << 0)).ret).toBe(kIOReturnBadArgument);
    expect(asyncCall(Calls.subscribe(ALL_EVENTS | (1 << 5))).ret).toBe(kIOReturnBadArgument);
  });

  it('events of the kinds asked for arrive through the completion, until replaced', () => {
    const c = m.openClient();
    const events: number[][] = [];
    expect(c.subscribe((_s, a) => events.push([...a]), 1 << EventKind.Generation)).toBe(kIOReturnSuccess);
    asyncCall(Calls.setRuleSet(5, '{}'));
    const settings = m.client.info().settingsGeneration;
    expect(events).toEqual([[EventKind.Generation, settings, 5]]);
    // Subscribing again replaces the first subscription: one delivery per event, to the new one.
    const second: number[][] = [];
    c.subscribe((_s, a) => second.push([...a]), 1 << EventKind.Generation);
    asyncCall(Calls.setRuleSet(6, '{}'));
    expect(events).toHaveLength(1);
    expect(second).toEqual([[EventKind.Generation, settings, 6]]);
    // Closed: the subscription goes with the connection.
    c.close();
    asyncCall(Calls.setRuleSet(7, '{}'));
    expect(second).toHaveLength(1);
  });

  it('a subscriber to Link events only does not hear Generation events', () => {
    const c = m.openClient();
    const events: number[][] = [];
    c.subscribe((_s, a) => events.push([...a]), 1 << EventKind.Link);
    asyncCall(Calls.setRuleSet(5, '{}'));
    expect(events).toEqual([]);
    c.close();
    m.settle();
  });

  // Closing at shutdown queues the completion's release; the kernel runs it before its queue goes.
  it('a machine shut down while a client is subscribed leaks nothing', () => {
    const other = Machine.boot({ scenario: scenario('home-office') });
    expect(other.client.subscribe(() => {})).toBe(kIOReturnSuccess);
    expect(other.shutdown().liveObjectsByClass).toEqual({});
  });

  it('GetEvents returns what came after a sequence, and the last sequence as its scalar', () => {
    const r = m.client.raw(Calls.getEvents(0));
    const events = Calls.decodeEvents(r);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].detail).toMatch(/Link is Up/);
    const last = events[events.length - 1].sequence;
    expect(r.scalarOutput).toEqual([last]);
    expect(events.map((e) => e.sequence)).toEqual([...events.map((e) => e.sequence)].sort((a, b) => a - b));
    const none = m.client.raw(Calls.getEvents(last));
    expect(Calls.decodeEvents(none)).toEqual([]);
    expect(none.scalarOutput).toEqual([last]);
  });
});

// ---------------------------------------------------------------- command buffer

describe('SubmitCommand through the Command mapping', () => {
  function writeCommand(offset: number, bytes: Uint8Array): void {
    const command = m.client.map(MemoryType.Command);
    expect(command.readOnly).toBe(false);
    expect(command.bytes.length).toBe(COMMAND_BUFFER_BYTES);
    command.bytes.set(bytes, offset);
  }

  it('applies a flow batch written into the mapping', () => {
    const batch = encodeBatch(FLOW_ENTRY, 12, [flow(), flow({ localPort: 40002, flowId: 9003 })]);
    writeCommand(64, batch);
    const { ret, completions } = asyncCall(Calls.submitCommand(COMMAND_SET_FLOWS, 64, batch.length));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [12]]]);
    expect(
      m.client
        .flows(SLOT)
        .map((f) => f.flowId)
        .sort(),
    ).toEqual([9001, 9003]);
  });

  it('applies a settings batch written into the mapping', () => {
    const batch = encodeBatch(APP_SETTING, 70, [setting({ queue: 0, reason: 'cmd' })]);
    writeCommand(0, batch);
    const { ret, completions } = asyncCall(Calls.submitCommand(COMMAND_SET_APP_SETTINGS, 0, batch.length));
    expect(ret).toBe(kIOReturnSuccess);
    expect(completions).toEqual([[kIOReturnSuccess, [70]]]);
    expect(m.client.explainApp(SLOT)[1]).toBe('settings generation 70: Queue 0 (cmd)');
  });

  it.each<[string, number, number, number]>([
    ['a range past the end', COMMAND_SET_FLOWS, COMMAND_BUFFER_BYTES - 4, 8],
    ['an offset past the end', COMMAND_SET_FLOWS, COMMAND_BUFFER_BYTES + 1, 0],
    ['a huge length', COMMAND_SET_FLOWS, 0, 2 ** 40],
    ['an unknown kind', 9, 0, 8 + FLOW_ENTRY.size],
    ['a length that disagrees with the batch', COMMAND_SET_FLOWS, 0, 8 + FLOW_ENTRY.size - 1],
  ])('%s is refused and nothing changes', (_what, kind, offset, length) => {
    writeCommand(0, encodeBatch(FLOW_ENTRY, 1, [flow()]));
    const { ret, completions } = asyncCall(Calls.submitCommand(kind, offset, length));
    expect(ret).toBe(kIOReturnBadArgument);
    expect(completions).toEqual([]);
    expect(m.client.flows(SLOT)).toEqual([]);
  });

  it('a range reaching past the end is refused even when the bytes inside the buffer are a valid batch', () => {
    const batch = encodeBatch(FLOW_ENTRY, 1, [flow()]);
    const offset = COMMAND_BUFFER_BYTES - batch.length;
    writeCommand(offset, batch);
    // The exact range is fine...
    expect(asyncCall(Calls.submitCommand(COMMAND_SET_FLOWS, offset, batch.length)).ret).toBe(
      kIOReturnSuccess,
    );
    asyncCall(Calls.setFlows(2, [flow({ op: FLOW_REMOVE })]));
    expect(m.client.flows(SLOT)).toEqual([]);
    // ...one byte more is not, though cutting at the end would leave the same valid batch.
    const { ret, completions } = asyncCall(Calls.submitCommand(COMMAND_SET_FLOWS, offset, batch.length + 1));
    expect(ret).toBe(kIOReturnBadArgument);
    expect(completions).toEqual([]);
    expect(m.client.flows(SLOT)).toEqual([]);
  });

  it('a bad entry in the batch is refused like SetFlows refuses it', () => {
    const batch = encodeBatch(FLOW_ENTRY, 1, [flow({ slot: 0 })]);
    writeCommand(0, batch);
    expect(asyncCall(Calls.submitCommand(COMMAND_SET_FLOWS, 0, batch.length)).ret).toBe(kIOReturnBadArgument);
    expect(warnings(/SetFlows refused: flow 0: slot must be/)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- capture

describe('SetCapture', () => {
  it('turns capture on with a snap length; the ring fills with records cut to it; off stops it', () => {
    const cap = m.client.map(MemoryType.Capture);
    expect(cap.readOnly).toBe(true);
    const v = new DataView(cap.bytes.buffer, cap.bytes.byteOffset, cap.bytes.byteLength);
    expect(v.getUint32(CAP_ENABLED, true)).toBe(0);
    expect(m.client.raw(Calls.setCapture(true, 64)).ret).toBe(kIOReturnSuccess);
    expect(v.getUint32(CAP_ENABLED, true)).toBe(1);
    expect(v.getUint32(CAP_SNAP, true)).toBe(64);
    m.run(2e6);
    const written = v.getUint32(CAP_WRITE_INDEX, true);
    expect(written).toBeGreaterThan(10);
    for (let i = 0; i < Math.min(written, 50); i++) {
      const at = CAPTURE_HEADER_BYTES + i * CAPTURE_RECORD_BYTES;
      const length = v.getUint16(at + 8, true);
      expect(v.getUint16(at + 10, true)).toBe(Math.min(length, 64));
      expect(v.getUint8(at + 12)).toBe(1); // Tx
      expect(v.getUint8(at + 13)).toBeLessThan(4);
    }
    expect(m.client.raw(Calls.setCapture(false, 64)).ret).toBe(kIOReturnSuccess);
    const stopped = v.getUint32(CAP_WRITE_INDEX, true);
    m.run(2e6);
    expect(v.getUint32(CAP_WRITE_INDEX, true)).toBe(stopped);
  });

  it.each([
    ['enable 2', 2, 128],
    ['snap 63', 1, 63],
    ['snap 257', 1, 257],
  ])('%s is refused', (_what, enable, snap) => {
    expect(raw({ selector: Selector.SetCapture, scalarInput: [enable, snap] }).ret).toBe(
      kIOReturnBadArgument,
    );
    const cap = m.client.map(MemoryType.Capture);
    expect(new DataView(cap.bytes.buffer).getUint32(CAP_ENABLED, true)).toBe(0);
  });

  it('snap 64 and 256 are the accepted ends', () => {
    expect(m.client.raw(Calls.setCapture(true, 256)).ret).toBe(kIOReturnSuccess);
    expect(m.client.raw(Calls.setCapture(true, 64)).ret).toBe(kIOReturnSuccess);
  });
});
