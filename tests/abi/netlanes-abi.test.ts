/**
 * The NetLanes ABI header: every layout has the size and offsets a C header would give it (no
 * overlap, aligned, inside the struct), round-trips any valid value, matches golden bytes worked
 * out by hand, refuses truncated input; the rule-set framing round-trips; the selector table,
 * the dispatch shapes (METHODS) and the client's Calls table agree with each other.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALL_EVENTS,
  APP_SETTING,
  ASYNC_ARGUMENTS_MAX,
  ASYNC_REFERENCE_MAX,
  COMMAND_BUFFER_BYTES,
  DRIVER_EVENT_CODES,
  DRIVER_INFO,
  EVENT,
  EventKind,
  FINDING,
  FINDING_CODES,
  FLOW_ENTRY,
  FLOW_STAT,
  MEMORY_TYPE_COUNT,
  METHODS,
  MemoryType,
  PACKET_DESCRIPTION,
  RULESET_FORMAT_JSON,
  RULESET_HEADER_BYTES,
  SCALAR_COUNT_MAX,
  SELECTOR_COUNT,
  SELECTOR_NAMES,
  SEQLOCK_OFFSET,
  STATS_SNAPSHOT,
  STRUCT_INBAND_MAX,
  Selector,
  TX_POLICY,
  VARIABLE_SIZE,
  decodeRuleSet,
  encodeRuleSet,
  type AppSettingRecord,
  type DriverInfo,
  type FlowEntryRecord,
  type SelectorName,
  type TxPolicyRecord,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import {
  AbiError,
  StructLayout,
  type BytesField,
  type FieldSpec,
} from '../../driver-runtime/abi/struct-codec.ts';
import {
  Calls,
  decodeRecords,
  type RawCall,
  type RawResult,
} from '../../driver-runtime/abi/netlanes-calls.ts';

// ---------------------------------------------------------------- helpers

const WIDTH: Record<string, number> = { u8: 1, i8: 1, u16: 2, u32: 4, i32: 4, u64: 8, f64: 8 };
const isBytes = (f: FieldSpec): f is BytesField => f.type === 'bytes' || f.type === 'text';
const widthOf = (f: FieldSpec) => (isBytes(f) ? f.size : WIDTH[f.type] * (f.count ?? 1));

/** Strings without NUL whose UTF-8 fits in `size` bytes. */
function textArb(size: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', maxLength: size }).map((s) => {
    let out = '';
    for (const ch of s.replaceAll('\0', '')) {
      if (new TextEncoder().encode(out + ch).length > size) break;
      out += ch;
    }
    return out;
  });
}

function scalarArb(type: string): fc.Arbitrary<number> {
  switch (type) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'i8':
      return fc.integer({ min: -0x80, max: 0x7f });
    case 'u16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'u32':
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case 'i32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'u64':
      return fc.maxSafeNat();
    default:
      return fc.double({ noNaN: true });
  }
}

/** Any valid value of a layout, built from its field specs. */
function valueArb<T extends object>(layout: StructLayout<T>): fc.Arbitrary<T> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of layout.fields) {
    if (isBytes(f))
      fields[f.name] =
        f.type === 'text' ? textArb(f.size) : fc.uint8Array({ minLength: f.size, maxLength: f.size });
    else if (f.count !== undefined)
      fields[f.name] = fc.array(scalarArb(f.type), { minLength: f.count, maxLength: f.count });
    else fields[f.name] = scalarArb(f.type);
  }
  return fc.record(fields) as unknown as fc.Arbitrary<T>;
}

/** Writes little-endian bytes given by hand at `offset`. */
function put(bytes: Uint8Array, offset: number, values: number[]): void {
  bytes.set(values, offset);
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

const LAYOUTS: [StructLayout<object>, string, number][] = [
  [DRIVER_INFO, 'DriverInfo', 128],
  [TX_POLICY, 'TxPolicy', 96],
  [FLOW_ENTRY, 'FlowEntry', 24],
  [APP_SETTING, 'AppSetting', 96],
  [PACKET_DESCRIPTION, 'PacketDescription', 20],
  [STATS_SNAPSHOT, 'StatsSnapshot', 336],
  [FLOW_STAT, 'FlowStat', 48],
  [FINDING, 'Finding', 168],
  [EVENT, 'Event', 176],
];

// ---------------------------------------------------------------- layouts

describe('layouts', () => {
  it.each(LAYOUTS)('%s: name, size, fields inside, aligned and disjoint', (layout, name, size) => {
    expect(layout.name).toBe(name);
    expect(layout.size).toBe(size);
    const owner = new Array<string | null>(size).fill(null);
    for (const f of layout.fields) {
      const w = widthOf(f);
      expect(f.offset, `${name}.${f.name}`).toBeGreaterThanOrEqual(0);
      expect(f.offset + w, `${name}.${f.name} end`).toBeLessThanOrEqual(size);
      if (f.type !== 'bytes' && f.type !== 'text')
        expect(f.offset % WIDTH[f.type], `${name}.${f.name}`).toBe(0);
      for (let i = f.offset; i < f.offset + w; i++) {
        expect(owner[i], `${name}.${f.name} overlaps ${owner[i]} at byte ${i}`).toBeNull();
        owner[i] = f.name;
      }
    }
    // Field names are unique (a record has one value per name).
    expect(new Set(layout.fields.map((f) => f.name)).size).toBe(layout.fields.length);
    // Sizes are multiples of 8 or 4 so arrays of records stay aligned for their widest field.
    const widest = Math.max(...layout.fields.map((f) => (isBytes(f) ? 1 : WIDTH[f.type])));
    expect(size % widest).toBe(0);
  });

  it.each(LAYOUTS)('%s round-trips any valid value (property)', (layout) => {
    fc.assert(
      fc.property(valueArb(layout), (v) => {
        const bytes = layout.encode(v);
        expect(bytes.length).toBe(layout.size);
        expect(layout.decode(bytes)).toEqual(v);
      }),
      { numRuns: 150 },
    );
  });

  it.each(LAYOUTS)('%s refuses truncated input, naming the struct and the sizes', (layout, name, size) => {
    const bytes = new Uint8Array(size);
    expect(() => layout.decode(bytes.subarray(0, size - 1))).toThrow(AbiError);
    expect(() => layout.decode(bytes.subarray(0, size - 1))).toThrow(
      `${name}: needs ${size} bytes at 0, the buffer has ${size - 1}`,
    );
    expect(() => layout.decode(bytes)).not.toThrow();
  });

  it('STATS_SNAPSHOT holds 23 f64 counters at 8-byte steps, then the per-queue arrays and hardware counters', () => {
    const f = Object.fromEntries(STATS_SNAPSHOT.fields.map((x) => [x.name, x]));
    expect(f.ipkts.offset).toBe(0);
    expect(f.missWindowMaxNs.offset).toBe(22 * 8);
    expect(f.queuePackets).toMatchObject({ offset: 192, type: 'f64', count: 4 });
    expect(f.queueBytes).toMatchObject({ offset: 224, count: 4 });
    expect(f.queueDrops).toMatchObject({ offset: 256, count: 4 });
    expect(f.heldPackets.offset).toBe(320);
    expect(f.interrupts.offset).toBe(328); // the struct's last 8 bytes, no longer padding
    expect(STATS_SNAPSHOT.fields.every((x) => x.type === 'f64')).toBe(true);
  });
});

// ---------------------------------------------------------------- golden vectors

describe('golden bytes (worked out by hand, little-endian)', () => {
  const info: DriverInfo = {
    abiVersion: 1,
    queueCount: 4,
    mac: Uint8Array.of(0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30),
    linkBps: 10e9,
    linkStatus: 3,
    media: 0x0010_0030,
    mtu: 1500,
    maxMtu: 2026,
    flags: 3,
    appSlots: 256,
    flowCapacity: 4096,
    ruleSetGeneration: 0x0102_0304,
    settingsGeneration: 0xffff_fffe,
    pciVendorId: 0x8086,
    pciDeviceId: 0x1533,
    model: 'SIM',
    driverVersion: '1.0.0',
  };
  function infoBytes(): Uint8Array {
    const b = new Uint8Array(128);
    put(b, 0, [0x01, 0, 0, 0]);
    put(b, 4, [0x04, 0, 0, 0]);
    put(b, 8, [0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30]); // bytes 14, 15: padding
    put(b, 16, [0x00, 0xe4, 0x0b, 0x54, 0x02, 0, 0, 0]); // 10^10 = 0x2_540B_E400
    put(b, 24, [0x03, 0, 0, 0]);
    put(b, 28, [0x30, 0x00, 0x10, 0x00]);
    put(b, 32, [0xdc, 0x05, 0, 0]); // 1500
    put(b, 36, [0xea, 0x07, 0, 0]); // 2026
    put(b, 40, [0x03, 0, 0, 0]);
    put(b, 44, [0x00, 0x01, 0, 0]); // 256
    put(b, 48, [0x00, 0x10, 0, 0]); // 4096
    put(b, 52, [0x04, 0x03, 0x02, 0x01]);
    put(b, 56, [0xfe, 0xff, 0xff, 0xff]);
    put(b, 60, [0x86, 0x80]);
    put(b, 62, [0x33, 0x15]);
    put(b, 64, ascii('SIM')); // NUL-padded to 104
    put(b, 104, ascii('1.0.0')); // NUL-padded to 128
    return b;
  }

  it('DRIVER_INFO', () => {
    expect(DRIVER_INFO.encode(info)).toEqual(infoBytes());
    expect(DRIVER_INFO.decode(infoBytes())).toEqual(info);
  });

  const policy: TxPolicyRecord = {
    mode: 3,
    pcp: [-1, 0, 5, 7],
    quanta: [1514, 0, 65536, 0xffff_ffff],
    floors: [0.25, 0.5, 0, -2],
    maxBps: [1e9, 0, 0, 100e6],
  };
  function policyBytes(): Uint8Array {
    const b = new Uint8Array(96);
    put(b, 0, [0x03, 0, 0, 0]);
    put(b, 4, [0xff, 0x00, 0x05, 0x07]); // i8: −1 is 0xFF
    put(b, 8, [0xea, 0x05, 0, 0]); // 1514
    put(b, 12, [0, 0, 0, 0]);
    put(b, 16, [0, 0, 0x01, 0]); // 65536
    put(b, 20, [0xff, 0xff, 0xff, 0xff]);
    put(b, 24, [0, 0, 0, 0, 0, 0, 0xd0, 0x3f]); // 0.25 = 0x3FD0000000000000
    put(b, 32, [0, 0, 0, 0, 0, 0, 0xe0, 0x3f]); // 0.5  = 0x3FE0000000000000
    put(b, 40, [0, 0, 0, 0, 0, 0, 0, 0]);
    put(b, 48, [0, 0, 0, 0, 0, 0, 0x00, 0xc0]); // −2   = 0xC000000000000000
    put(b, 56, [0, 0, 0, 0, 0x65, 0xcd, 0xcd, 0x41]); // 1e9 = 0x41CDCD6500000000
    put(b, 80, [0, 0, 0, 0, 0x84, 0xd7, 0x97, 0x41]); // 1e8 = 0x4197D78400000000
    return b;
  }

  it('TX_POLICY', () => {
    expect(TX_POLICY.encode(policy)).toEqual(policyBytes());
    expect(TX_POLICY.decode(policyBytes())).toEqual(policy);
  });

  const flow: FlowEntryRecord = {
    op: 1,
    protocol: 17,
    localIp: 0xc0a8_0114, // 192.168.1.20
    remoteIp: 0x0a00_0001, // 10.0.0.1
    localPort: 50300,
    remotePort: 443,
    slot: 258,
    flowId: 0xdead_beef,
  };
  function flowBytes(): Uint8Array {
    const b = new Uint8Array(24);
    put(b, 0, [0x01, 0x11]); // bytes 2, 3: padding
    put(b, 4, [0x14, 0x01, 0xa8, 0xc0]);
    put(b, 8, [0x01, 0x00, 0x00, 0x0a]);
    put(b, 12, [0x7c, 0xc4]); // 50300 = 0xC47C
    put(b, 14, [0xbb, 0x01]); // 443 = 0x01BB
    put(b, 16, [0x02, 0x01]); // 258; bytes 18, 19: padding
    put(b, 20, [0xef, 0xbe, 0xad, 0xde]);
    return b;
  }

  it('FLOW_ENTRY', () => {
    expect(FLOW_ENTRY.encode(flow)).toEqual(flowBytes());
    expect(FLOW_ENTRY.decode(flowBytes())).toEqual(flow);
  });

  const setting: AppSettingRecord = {
    slot: 7,
    queue: 255,
    flags: 1,
    capBps: 1e9,
    burstBytes: 4096,
    label: 'us.zoom.xos',
    reason: 'rule-1',
  };
  function settingBytes(): Uint8Array {
    const b = new Uint8Array(96);
    put(b, 0, [0x07, 0x00, 0xff, 0x01]); // bytes 4..7: padding
    put(b, 8, [0, 0, 0, 0, 0x65, 0xcd, 0xcd, 0x41]); // 1e9
    put(b, 16, [0, 0, 0, 0, 0, 0, 0xb0, 0x40]); // 4096 = 0x40B0000000000000
    put(b, 24, ascii('us.zoom.xos')); // NUL-padded to 72
    put(b, 72, ascii('rule-1')); // NUL-padded to 96
    return b;
  }

  it('APP_SETTING', () => {
    expect(APP_SETTING.encode(setting)).toEqual(settingBytes());
    expect(APP_SETTING.decode(settingBytes())).toEqual(setting);
  });

  it('APP_SETTING label is cut to its 48 bytes and never runs into reason', () => {
    const long = APP_SETTING.encode({ ...setting, label: 'x'.repeat(60) });
    expect(Array.from(long.subarray(24, 72))).toEqual(new Array(48).fill(0x78));
    expect(Array.from(long.subarray(72, 78))).toEqual(ascii('rule-1'));
    expect(APP_SETTING.decode(long).label).toBe('x'.repeat(48));
  });
});

// ---------------------------------------------------------------- rule sets and record lists

describe('rule-set framing', () => {
  it('is { format u32 = 1, generation u32, length u32 } then the bytes (golden)', () => {
    expect(RULESET_FORMAT_JSON).toBe(1);
    expect(RULESET_HEADER_BYTES).toBe(12);
    const bytes = encodeRuleSet(0x0a0b0c0d, Uint8Array.of(0x7b, 0x7d));
    expect(Array.from(bytes)).toEqual([1, 0, 0, 0, 0x0d, 0x0c, 0x0b, 0x0a, 2, 0, 0, 0, 0x7b, 0x7d]);
  });

  it('round-trips any generation and bytes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.uint8Array({ maxLength: 300 }), (g, json) => {
        const d = decodeRuleSet(encodeRuleSet(g, json));
        expect(d).not.toBeNull();
        expect(d!.generation).toBe(g);
        expect(Array.from(d!.json)).toEqual(Array.from(json));
      }),
    );
  });

  it('decode refuses a short header, another format, or a length that disagrees', () => {
    const good = encodeRuleSet(3, Uint8Array.of(1, 2, 3));
    expect(decodeRuleSet(good)).not.toBeNull();
    expect(decodeRuleSet(good.subarray(0, 11))).toBeNull();
    expect(decodeRuleSet(new Uint8Array(0))).toBeNull();
    const format2 = good.slice();
    format2[0] = 2;
    expect(decodeRuleSet(format2)).toBeNull();
    expect(decodeRuleSet(good.subarray(0, good.length - 1))).toBeNull();
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeRuleSet(longer)).toBeNull();
    // An empty rule set is well-formed.
    expect(decodeRuleSet(encodeRuleSet(0, new Uint8Array(0)))).toEqual({
      generation: 0,
      json: new Uint8Array(0),
    });
  });

  it('decode reads a rule set held inside a larger buffer', () => {
    const inner = encodeRuleSet(9, Uint8Array.of(5, 6));
    const outer = new Uint8Array(inner.length + 4);
    outer.set(inner, 4);
    const d = decodeRuleSet(outer.subarray(4));
    expect(d?.generation).toBe(9);
    expect(Array.from(d!.json)).toEqual([5, 6]);
  });
});

describe('record lists (the replies of GetFlows, Diagnose, GetEvents)', () => {
  it('decode { count, reserved } then records; refuse no header or fewer records than counted', () => {
    const f = FINDING.encode({ severity: 2, code: 1, object: 'NetLanesDriver', message: 'off' });
    const bytes = new Uint8Array(8 + 2 * FINDING.size);
    new DataView(bytes.buffer).setUint32(0, 2, true);
    bytes.set(f, 8);
    bytes.set(f, 8 + FINDING.size);
    expect(decodeRecords(FINDING, bytes)).toHaveLength(2);
    expect(decodeRecords(FINDING, bytes)[1].object).toBe('NetLanesDriver');
    expect(() => decodeRecords(FINDING, bytes.subarray(0, bytes.length - 1))).toThrow(
      'Finding list: truncated',
    );
    expect(() => decodeRecords(FINDING, bytes.subarray(0, 7))).toThrow('Finding list: 7 bytes, no header');
  });

  it('a client decoding a short GetInfo reply gets an AbiError, not garbage', () => {
    const r: RawResult = { ret: 0, scalarOutput: [], structOutput: new Uint8Array(100) };
    expect(() => Calls.decodeInfo(r)).toThrow('DriverInfo: needs 128 bytes at 0, the buffer has 100');
    expect(() => Calls.decodeInfo({ ret: 0xe00002c2, scalarOutput: [], structOutput: null })).toThrow(
      'GetInfo: IOReturn 0xe00002c2',
    );
  });
});

// ---------------------------------------------------------------- selectors, shapes and calls

describe('selectors and METHODS', () => {
  it('selectors are 0..SELECTOR_COUNT-1, each once, in declaration order', () => {
    const values = Object.values(Selector);
    expect(SELECTOR_COUNT).toBe(18);
    expect(values).toHaveLength(SELECTOR_COUNT);
    expect(values).toEqual(Array.from({ length: SELECTOR_COUNT }, (_, i) => i));
    // The dispatch table is built in SELECTOR_NAMES order and indexed by selector.
    expect(SELECTOR_NAMES.map((n) => Selector[n])).toEqual(values);
  });

  it('every selector has a shape and every shape a selector', () => {
    expect(Object.keys(METHODS).sort()).toEqual([...SELECTOR_NAMES].sort());
  });

  it('shapes stay within IOKit limits', () => {
    for (const name of SELECTOR_NAMES) {
      const m = METHODS[name];
      expect(m.scalarIn, name).toBeLessThanOrEqual(SCALAR_COUNT_MAX);
      expect(m.scalarOut, name).toBeLessThanOrEqual(SCALAR_COUNT_MAX);
      for (const s of [m.structIn, m.structOut])
        expect(s === VARIABLE_SIZE || (Number.isInteger(s) && s >= 0 && s <= STRUCT_INBAND_MAX), name).toBe(
          true,
        );
    }
    expect([
      SCALAR_COUNT_MAX,
      ASYNC_ARGUMENTS_MAX,
      ASYNC_REFERENCE_MAX,
      STRUCT_INBAND_MAX,
      VARIABLE_SIZE,
    ]).toEqual([16, 16, 8, 4096, 0xffffffff]);
  });

  it('the async methods are exactly the ones that apply state and complete later', () => {
    expect(SELECTOR_NAMES.filter((n) => METHODS[n].async)).toEqual([
      'SetFlows',
      'SetAppSettings',
      'SetRuleSet',
      'Subscribe',
      'SubmitCommand',
    ]);
  });

  it('fixed struct sizes are the layouts’ sizes', () => {
    expect(METHODS.GetInfo).toEqual({ async: false, scalarIn: 0, structIn: 0, scalarOut: 0, structOut: 128 });
    expect(METHODS.GetTxPolicy.structOut).toBe(TX_POLICY.size);
    expect(METHODS.SetTxPolicy.structIn).toBe(TX_POLICY.size);
    expect(METHODS.ExplainPacket.structIn).toBe(PACKET_DESCRIPTION.size);
    expect(METHODS.GetStats.structOut).toBe(STATS_SNAPSHOT.size);
    expect(METHODS.SetMTU).toEqual({ async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: 0 });
    expect(METHODS.SubmitCommand).toEqual({
      async: true,
      scalarIn: 3,
      structIn: 0,
      scalarOut: 0,
      structOut: 0,
    });
    expect(METHODS.SetCapture).toEqual({
      async: false,
      scalarIn: 2,
      structIn: 0,
      scalarOut: 0,
      structOut: 0,
    });
  });

  it('memory types are 0..3 with a seqlock entry each; event kinds fill ALL_EVENTS', () => {
    expect(Object.values(MemoryType).sort()).toEqual([0, 1, 2, 3]);
    expect(MEMORY_TYPE_COUNT).toBe(4);
    for (const t of Object.values(MemoryType)) expect(SEQLOCK_OFFSET[t]).toBeDefined();
    expect(ALL_EVENTS).toBe(Object.values(EventKind).reduce((m, k) => m | (1 << k), 0));
    expect(new Set(DRIVER_EVENT_CODES).size).toBe(DRIVER_EVENT_CODES.length);
    expect(new Set(FINDING_CODES).size).toBe(FINDING_CODES.length);
    expect(FINDING_CODES[0]).toBe('ok');
    expect(COMMAND_BUFFER_BYTES % 4096).toBe(0);
  });
});

describe('the Calls table agrees with METHODS', () => {
  const sampleCalls: [SelectorName, RawCall][] = [
    ['GetInfo', Calls.getInfo()],
    ['GetTxPolicy', Calls.getTxPolicy()],
    [
      'SetTxPolicy',
      Calls.setTxPolicy({
        mode: 1,
        pcp: [-1, -1, -1, -1],
        quanta: [1, 1, 1, 1],
        floors: [0, 0, 0, 0],
        maxBps: [0, 0, 0, 0],
      }),
    ],
    ['SetMTU', Calls.setMtu(1500)],
    ['SetInterfaceEnable', Calls.setInterfaceEnable(true)],
    ['SetFlows', Calls.setFlows(1, [])],
    ['SetAppSettings', Calls.setAppSettings(1, [])],
    ['SetRuleSet', Calls.setRuleSet(1, '{}')],
    ['GetRuleSet', Calls.getRuleSet()],
    ['ExplainApp', Calls.explainApp(1)],
    [
      'ExplainPacket',
      Calls.explainPacket({
        protocol: 6,
        serviceClass: 0,
        localIp: 1,
        remoteIp: 2,
        localPort: 3,
        remotePort: 4,
      }),
    ],
    ['GetStats', Calls.getStats()],
    ['GetFlows', Calls.getFlows()],
    ['Diagnose', Calls.diagnose()],
    ['Subscribe', Calls.subscribe(ALL_EVENTS)],
    ['GetEvents', Calls.getEvents(0)],
    ['SubmitCommand', Calls.submitCommand(1, 0, 8)],
    ['SetCapture', Calls.setCapture(true, 128)],
  ];

  it('covers every selector once', () => {
    expect(sampleCalls.map(([n]) => n)).toEqual(SELECTOR_NAMES);
  });

  it.each(sampleCalls)(
    '%s: selector, scalar counts, struct sizes and async flag match its shape',
    (name, call) => {
      const m = METHODS[name];
      expect(call.selector).toBe(Selector[name]);
      expect(call.async).toBe(m.async);
      expect(call.scalarInput).toHaveLength(m.scalarIn);
      expect(call.scalarOutputCount).toBe(m.scalarOut);
      if (m.structIn === 0) expect(call.structInput).toBeNull();
      else if (m.structIn !== VARIABLE_SIZE) expect(call.structInput?.length).toBe(m.structIn);
      else expect(call.structInput).not.toBeNull();
      if (m.structOut === VARIABLE_SIZE) expect(call.structOutputSize).toBeGreaterThan(0);
      else expect(call.structOutputSize).toBe(m.structOut);
    },
  );
});
