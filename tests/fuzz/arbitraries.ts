/**
 * fast-check generators for the fuzz tests: hostile numbers, byte blobs of any size (made
 * from a seed, so a 9000-byte struct costs one integer to generate and shrinks by its size),
 * structs built from the ABI's own layouts with every field free to take any value its bytes
 * can hold, batches whose header lies about their count, and whole user-client calls — some
 * shaped like the selector's dispatch entry, some wild. Plus the oracle every test shares:
 * the set of IOReturn values the ABI defines, and what a well-formed call result looks like.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import * as IOReturnCodes from '../../driver-runtime/abi/io-return.ts';
import {
  ALL_EVENTS,
  APP_SETTING,
  BATCH_HEADER_BYTES,
  COMMAND_SET_APP_SETTINGS,
  COMMAND_SET_FLOWS,
  FLOW_ENTRY,
  METHODS,
  PACKET_DESCRIPTION,
  RULESET_FORMAT_JSON,
  SELECTOR_NAMES,
  Selector,
  TX_POLICY,
  VARIABLE_SIZE,
  decodeRuleSet,
  DRIVER_INFO,
  EVENT,
  FINDING,
  FLOW_STAT,
  STATS_SNAPSHOT,
  type SelectorName,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import type { FieldSpec, ScalarField, StructLayout } from '../../driver-runtime/abi/struct-codec.ts';
import { decodeRecords } from '../../driver-runtime/abi/netlanes-calls.ts';
import type { CallRequest, CallResult } from '../../driver-runtime/host/dext-kernel.ts';

// ---------------------------------------------------------------- the oracle

/** Every IOReturn the ABI defines, built from the module's exports (not restated here). */
export const IO_RETURNS: ReadonlySet<number> = new Set(
  Object.entries(IOReturnCodes as Record<string, unknown>)
    .filter((e): e is [string, number] => e[0].startsWith('kIOReturn') && typeof e[1] === 'number')
    .map(([, code]) => code),
);

export const isDefinedIOReturn = (x: unknown): boolean => typeof x === 'number' && IO_RETURNS.has(x);

/** A scalar as IOKit carries it: an unsigned 64-bit integer (a safe one here). */
export const isScalarValue = (x: unknown): boolean =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** The call request a case makes, minus the connection (the rig supplies it). */
export type CallShape = Omit<CallRequest, 'connection'>;

const SELECTOR_BY_NUMBER = new Map<number, SelectorName>(SELECTOR_NAMES.map((n) => [Selector[n], n]));

/**
 * What any call result must look like, whatever was asked: a defined IOReturn; on failure no
 * outputs; on success scalars within the caller's count, a struct within its room, and exactly
 * the shape the selector's dispatch entry demands (counts, sizes, completion).
 */
export function expectWellFormedResult(req: CallShape, r: CallResult): void {
  expect(typeof r).toBe('object');
  expect(isDefinedIOReturn(r.ret), `ret 0x${(Number(r.ret) >>> 0).toString(16)} is not an IOReturn`).toBe(
    true,
  );
  expect(Array.isArray(r.scalarOutput)).toBe(true);
  expect(r.structOutput === null || r.structOutput instanceof Uint8Array).toBe(true);
  if (r.ret !== IOReturnCodes.kIOReturnSuccess) {
    expect(r.scalarOutput).toEqual([]);
    expect(r.structOutput).toBeNull();
    return;
  }
  // Success: the request passed the kernel's and the dispatch entry's checks.
  const name = SELECTOR_BY_NUMBER.get(req.selector as number);
  expect(name, `selector ${String(req.selector)} succeeded`).toBeDefined();
  const shape = METHODS[name!];
  // === rather than toBe: -0 is a fine 0 for a count or size.
  const same = (a: unknown, b: number, what: string) =>
    expect(a === b, `${what}: ${String(a)} ≠ ${b}`).toBe(true);
  same(req.scalarInput.length, shape.scalarIn, 'scalar inputs');
  const inSize = req.structInput?.length ?? 0;
  if (shape.structIn !== VARIABLE_SIZE) same(inSize, shape.structIn, 'struct input size');
  same(req.scalarOutputCount, shape.scalarOut, 'scalar output count');
  if (shape.structOut !== VARIABLE_SIZE) same(req.structOutputSize, shape.structOut, 'struct output size');
  expect(req.asyncReference !== undefined).toBe(shape.async);
  expect(r.scalarOutput.length).toBeLessThanOrEqual(req.scalarOutputCount);
  for (const x of r.scalarOutput) expect(isScalarValue(x), `scalar output ${x}`).toBe(true);
  const out = r.structOutput;
  if (out !== null && req.structOutputSize !== VARIABLE_SIZE)
    expect(out.length).toBeLessThanOrEqual(req.structOutputSize);
  // The replies decode with the ABI's own codecs and agree with their scalars.
  switch (name) {
    case 'GetInfo':
      expect(out?.length).toBe(DRIVER_INFO.size);
      break;
    case 'GetTxPolicy':
      expect(out?.length).toBe(TX_POLICY.size);
      break;
    case 'GetStats':
      expect(out?.length).toBe(STATS_SNAPSHOT.size);
      break;
    case 'GetFlows':
      expect(decodeRecords(FLOW_STAT, out!).length).toBe(r.scalarOutput[0]);
      break;
    case 'Diagnose':
      expect(decodeRecords(FINDING, out!).length).toBe(r.scalarOutput[0]);
      break;
    case 'GetEvents':
      decodeRecords(EVENT, out!);
      break;
    case 'GetRuleSet': {
      const rs = decodeRuleSet(out!);
      expect(rs).not.toBeNull();
      expect(rs!.generation).toBe(r.scalarOutput[0]);
      break;
    }
    default:
      if (!['ExplainApp', 'ExplainPacket'].includes(name!)) expect(out).toBeNull();
  }
}

// ---------------------------------------------------------------- numbers

const EDGE_NUMBERS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  -1,
  0.5,
  1.5,
  -(2 ** 31),
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 64,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
];

/** Any number a hostile client could put in a scalar: edges, small, unsigned 32-bit, doubles. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 3, arbitrary: fc.integer({ min: -10, max: 300 }) },
  { weight: 2, arbitrary: fc.nat({ max: 0xffff_ffff }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.double() },
);

/** A selector: mostly -5..40 (the table is 0..17), sometimes huge, fractional or not a number. */
export const selectorArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 40 }) },
  { weight: 1, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.integer() },
);

/** Output counts and sizes as a careless client passes them. */
const nastyCount = fc.oneof(fc.integer({ min: -2, max: 20 }), nastyNumber);
const nastySize = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(0, 1, 8, 96, 128, 336, 4095, 4096, 4097, 65536, VARIABLE_SIZE),
  },
  { weight: 6, arbitrary: fc.integer({ min: -8, max: 9000 }) },
  // Rare: the kernel allocates an out-of-line buffer this big for each such call.
  { weight: 1, arbitrary: fc.constantFrom(16 * 1024 * 1024, 16 * 1024 * 1024 + 1, 2 ** 53, -1) },
  { weight: 2, arbitrary: nastyNumber },
);

// ---------------------------------------------------------------- bytes

/** `size` bytes from a seed (xorshift32): cheap to make at any size, reproducible. */
export function pseudoBytes(size: number, seed: number, fill: 'random' | 'zero' | 'ones' = 'random') {
  const bytes = new Uint8Array(size);
  if (fill === 'ones') bytes.fill(0xff);
  if (fill !== 'random') return bytes;
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** A blob of 0..9000 bytes, with the in-band boundary (4096/4097) and layout sizes as favourites. */
export const blobArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    size: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(0, 1, 7, 8, 19, 20, 21, 95, 96, 97, 4095, 4096, 4097, 8192, 9000),
      },
      { weight: 2, arbitrary: fc.nat({ max: 256 }) },
      { weight: 2, arbitrary: fc.nat({ max: 9000 }) },
    ),
    seed: fc.integer(),
    fill: fc.constantFrom('random' as const, 'zero' as const, 'ones' as const),
  })
  .map(({ size, seed, fill }) => pseudoBytes(size, seed, fill));

// ---------------------------------------------------------------- structs from the layouts

type IntType = 'u8' | 'i8' | 'u16' | 'u32' | 'i32' | 'u64';
const INT_RANGE: Record<IntType, [number, number]> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  u32: [0, 0xffff_ffff],
  i32: [-0x8000_0000, 0x7fff_ffff],
  u64: [0, Number.MAX_SAFE_INTEGER],
};

function intArb(type: IntType): fc.Arbitrary<number> {
  const [min, max] = INT_RANGE[type];
  return fc.oneof(
    fc.integer({ min: Math.max(min, -2), max: 20 }),
    fc.integer({ min: Math.max(min, -2), max: Math.min(max, 300) }),
    fc.constantFrom(min, max, max - 1, min + 1),
    fc.integer({ min, max }),
  );
}

/** Any f64, with the ones a validator must think about first. */
export const nastyDouble: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, 1, 0.25, 0.5, 1 + 1e-9, 1522, 1e9, 1e-300, 2 ** 53, NaN, Infinity, -Infinity, -1),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double(),
);

function fieldArb(f: FieldSpec): fc.Arbitrary<unknown> {
  if (f.type === 'text')
    return fc.oneof(fc.string({ maxLength: f.size + 4 }), fc.uint8Array({ maxLength: f.size }));
  if (f.type === 'bytes') return fc.uint8Array({ maxLength: f.size });
  const one = f.type === 'f64' ? nastyDouble : intArb(f.type);
  const count = (f as ScalarField).count;
  return count === undefined ? one : fc.array(one, { minLength: count, maxLength: count });
}

function writeNumber(view: DataView, at: number, type: FieldSpec['type'], x: number): void {
  switch (type) {
    case 'u8':
    case 'i8':
      view.setUint8(at, x & 0xff);
      return;
    case 'u16':
      view.setUint16(at, x & 0xffff, true);
      return;
    case 'u32':
    case 'i32':
      view.setUint32(at, x >>> 0, true);
      return;
    case 'u64':
      view.setUint32(at, x % 2 ** 32, true);
      view.setUint32(at + 4, Math.floor(x / 2 ** 32), true);
      return;
    case 'f64':
      view.setFloat64(at, x, true);
  }
}

/** Writes any field values at `at` (raw: no range checks, NaN and invalid UTF-8 welcome). */
function writeRaw(view: DataView, at: number, layout: StructLayout<object>, value: Record<string, unknown>) {
  for (const f of layout.fields) {
    const x = value[f.name];
    const o = at + f.offset;
    if (f.type === 'text' || f.type === 'bytes') {
      const target = new Uint8Array(view.buffer, view.byteOffset + o, f.size);
      if (typeof x === 'string') new TextEncoder().encodeInto(x, target);
      else target.set((x as Uint8Array).subarray(0, f.size));
    } else if (Array.isArray(x)) {
      const width =
        f.type === 'u8' || f.type === 'i8' ? 1 : f.type === 'u16' ? 2 : f.type.endsWith('32') ? 4 : 8;
      x.forEach((v: number, i) => writeNumber(view, o + i * width, f.type, v));
    } else writeNumber(view, o, f.type, x as number);
  }
}

/** Arbitrary field values for a layout (each field free over its whole byte range). */
export function recordArb<T extends object>(
  layout: StructLayout<T>,
  overrides: Partial<Record<keyof T, fc.Arbitrary<unknown>>> = {},
): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of layout.fields)
    fields[f.name] = (overrides as Record<string, fc.Arbitrary<unknown>>)[f.name] ?? fieldArb(f);
  return fc.record(fields);
}

/** One struct of `layout` from field values, as bytes. */
export function structBytes<T extends object>(layout: StructLayout<T>, value: Record<string, unknown>) {
  const bytes = new Uint8Array(layout.size);
  writeRaw(new DataView(bytes.buffer), 0, layout as StructLayout<object>, value);
  return bytes;
}

/** A struct of `layout`, valid-ish, sometimes truncated, padded or with a byte flipped. */
export function structArb<T extends object>(
  layout: StructLayout<T>,
  overrides: Partial<Record<keyof T, fc.Arbitrary<unknown>>> = {},
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      recordArb(layout, overrides),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant({ kind: 'exact' as const, n: 0 }) },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('truncate' as const), n: fc.nat(layout.size) }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('pad' as const), n: fc.integer({ min: 1, max: 64 }) }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('flip' as const), n: fc.nat(layout.size - 1) }),
        },
      ),
    )
    .map(([value, mutation]) => {
      const bytes = structBytes(layout, value);
      switch (mutation.kind) {
        case 'truncate':
          return bytes.slice(0, mutation.n);
        case 'pad': {
          const padded = new Uint8Array(bytes.length + mutation.n);
          padded.set(bytes);
          return padded;
        }
        case 'flip':
          bytes[mutation.n] ^= 0xff;
          return bytes;
        default:
          return bytes;
      }
    });
}

/**
 * A batch `{ count u32, generation u32 }` + records, the header's count sometimes lying, the
 * bytes sometimes cut short — up to `max` records (past 4096 bytes it travels out of line).
 */
export function batchArb<T extends object>(
  layout: StructLayout<T>,
  record: fc.Arbitrary<Record<string, unknown>>,
  max: number,
  tidy: (items: Record<string, unknown>[]) => Record<string, unknown>[] = (items) => items,
): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      items: fc
        .oneof(
          { weight: 4, arbitrary: fc.array(record, { maxLength: Math.min(max, 10) }) },
          // Now and then a big one: past 4096 bytes it travels out of line.
          { weight: 1, arbitrary: fc.array(record, { maxLength: max, size: 'max' }) },
        )
        .map(tidy),
      generation: intArb('u32'),
      count: fc.oneof(
        { weight: 8, arbitrary: fc.constant({ kind: 'exact' as const, n: 0 }) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('absolute' as const),
            n: fc.constantFrom(0, 1, 0xffff_ffff, 0x1000_0000),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('off-by' as const), n: fc.integer({ min: -2, max: 2 }) }),
        },
      ),
      cut: fc.oneof(
        { weight: 8, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }) },
      ),
    })
    .map(({ items, generation, count, cut }) => {
      const bytes = new Uint8Array(BATCH_HEADER_BYTES + items.length * layout.size);
      const view = new DataView(bytes.buffer);
      const declared =
        count.kind === 'exact' ? items.length : count.kind === 'absolute' ? count.n : items.length + count.n;
      view.setUint32(0, declared >>> 0, true);
      view.setUint32(4, generation >>> 0, true);
      items.forEach((item, i) =>
        writeRaw(view, BATCH_HEADER_BYTES + i * layout.size, layout as StructLayout<object>, item),
      );
      return cut > 0 ? bytes.slice(0, Math.max(0, bytes.length - cut)) : bytes;
    });
}

// ---------------------------------------------------------------- valid-ish records per call

const IP_PROTOCOLS = fc.constantFrom(1, 6, 17);

/** A flow entry the driver accepts (op, protocol and slot in range; tuple and id anything). */
export const validFlowEntryArb = (slots = 256) =>
  recordArb(FLOW_ENTRY, {
    op: fc.constantFrom(1, 1, 1, 2),
    protocol: IP_PROTOCOLS,
    slot: fc.integer({ min: 1, max: slots - 1 }),
  });

/** Flow entries for a batch: all valid (so it applies), or valid ones mixed with anything. */
export const flowEntryRecordArb = (slots = 256) => fc.oneof(validFlowEntryArb(slots), recordArb(FLOW_ENTRY));

/** An app setting the driver accepts, if its slot is not repeated in the batch. */
export const validAppSettingArb = (slots = 256) =>
  recordArb(APP_SETTING, {
    slot: fc.integer({ min: 1, max: slots - 1 }),
    queue: fc.constantFrom(0, 1, 2, 3, 255),
    flags: fc.constantFrom(0, 1),
    capBps: fc.oneof(fc.constant(0), fc.double({ min: 8000, max: 10e9, noNaN: true })),
    burstBytes: fc.double({ min: 1522, max: 1e7, noNaN: true }),
  });

export const appSettingRecordArb = (slots = 256) =>
  fc.oneof(
    validAppSettingArb(slots),
    recordArb(APP_SETTING, {
      slot: fc.integer({ min: 0, max: slots + 1 }),
      capBps: fc.oneof(fc.constant(0), fc.double({ min: 8000, max: 10e9, noNaN: true }), nastyDouble),
      burstBytes: fc.oneof(fc.constant(1522), nastyDouble),
    }),
    recordArb(APP_SETTING),
  );

/** A SetFlows batch: half the time every entry valid, else mixed; up to `max` entries. */
export const flowBatchArb = (max: number, slots = 256) =>
  fc.oneof(
    batchArb(FLOW_ENTRY, validFlowEntryArb(slots), max),
    batchArb(FLOW_ENTRY, flowEntryRecordArb(slots), max),
  );

/** A SetAppSettings batch: half the time valid records on distinct slots, else anything. */
export const settingsBatchArb = (max: number, slots = 256) =>
  fc.oneof(
    batchArb(APP_SETTING, validAppSettingArb(slots), max, (items) =>
      items.filter((r, i) => items.findIndex((o) => o.slot === r.slot) === i),
    ),
    batchArb(APP_SETTING, appSettingRecordArb(slots), max),
  );

/** A rule set as SetRuleSet takes it, the framing sometimes wrong. */
export const ruleSetArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    format: fc.oneof(
      { weight: 4, arbitrary: fc.constant(RULESET_FORMAT_JSON) },
      { weight: 1, arbitrary: intArb('u32') },
    ),
    generation: intArb('u32'),
    json: fc.oneof(
      fc.constant('{"version":1,"rules":[]}'),
      fc.json({ maxDepth: 2 }),
      fc.string({ maxLength: 200 }),
    ),
    lengthDelta: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }) },
    ),
  })
  .map(({ format, generation, json, lengthDelta }) => {
    const text = new TextEncoder().encode(json);
    const bytes = new Uint8Array(12 + text.length);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, format >>> 0, true);
    v.setUint32(4, generation >>> 0, true);
    v.setUint32(8, (text.length + lengthDelta) >>> 0, true);
    bytes.set(text, 12);
    return bytes;
  });

/** The struct input a selector's handler decodes, valid-ish. */
function structInputFor(name: SelectorName): fc.Arbitrary<Uint8Array | null> {
  switch (name) {
    case 'SetTxPolicy':
      return fc.oneof(
        structArb(TX_POLICY),
        structArb(TX_POLICY, {
          mode: fc.nat(4),
          pcp: fc.array(fc.integer({ min: -1, max: 7 }), { minLength: 4, maxLength: 4 }),
          quanta: fc.array(fc.constantFrom(0, 1514, 3028, 1 << 20), { minLength: 4, maxLength: 4 }),
          floors: fc.array(fc.constantFrom(0, 0.1, 0.25, 1 / 16), { minLength: 4, maxLength: 4 }),
          maxBps: fc.array(fc.constantFrom(0, 0, 1e6, 1e8), { minLength: 4, maxLength: 4 }),
        }),
      );
    case 'SetFlows':
      return flowBatchArb(220);
    case 'SetAppSettings':
      return settingsBatchArb(50);
    case 'SetRuleSet':
      return ruleSetArb;
    case 'ExplainPacket':
      return structArb(PACKET_DESCRIPTION, { protocol: fc.constantFrom(1, 6, 17, 0, 255) });
    default:
      return fc.constant(null);
  }
}

/** The scalars a selector's handler reads, valid-ish. */
function scalarsFor(name: SelectorName): fc.Arbitrary<number[]> {
  const slot = fc.oneof(fc.nat(300), fc.constant(0xffff_ffff), nastyNumber);
  switch (name) {
    case 'SetMTU':
      return fc.tuple(fc.oneof(fc.constantFrom(1500, 68, 2026, 9000), fc.nat(10000), nastyNumber));
    case 'SetInterfaceEnable':
      return fc.tuple(fc.oneof(fc.constantFrom(0, 1, 1, 1, 2), nastyNumber));
    case 'ExplainApp':
    case 'GetFlows':
      return fc.tuple(slot);
    case 'Subscribe':
      return fc.tuple(
        fc.oneof(fc.constantFrom(ALL_EVENTS, 0, 1, 1 << 5, 2 ** 32 + 2), fc.nat(64), nastyNumber),
      );
    case 'GetEvents':
      return fc.tuple(fc.oneof(fc.nat(50), nastyNumber));
    case 'SubmitCommand':
      return fc.tuple(
        fc.oneof(fc.constantFrom(COMMAND_SET_FLOWS, COMMAND_SET_APP_SETTINGS), fc.nat(4), nastyNumber),
        fc.oneof(fc.nat(4096), fc.constantFrom(256 * 1024, 256 * 1024 - 8), nastyNumber),
        fc.oneof(fc.nat(6000), fc.constantFrom(8, 32, 256 * 1024), nastyNumber),
      );
    case 'SetCapture':
      return fc.tuple(
        fc.oneof(fc.constantFrom(0, 1, 2), nastyNumber),
        fc.oneof(fc.integer({ min: 60, max: 260 }), nastyNumber),
      );
    default: {
      const n = METHODS[name].scalarIn;
      return fc.array(fc.oneof(fc.nat(10), nastyNumber), { minLength: n, maxLength: n });
    }
  }
}

/** An async reference: absent, empty, the usual [0, id], up to 8 values, too long, not scalars. */
export const asyncReferenceArb: fc.Arbitrary<number[] | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.nat({ max: 1_000_000 }).map((id) => [0, id]) },
  { weight: 1, arbitrary: fc.constant<number[]>([]) },
  { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 9, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.array(nastyNumber, { minLength: 1, maxLength: 10 }) },
);

const goodReference = fc.nat({ max: 1_000_000 }).map((id) => [0, id]);

/** A call shaped like the selector's dispatch entry, one part or another sometimes wrong. */
export const shapedCallArb: fc.Arbitrary<CallShape> = fc.constantFrom(...SELECTOR_NAMES).chain((name) => {
  const shape = METHODS[name];
  const out =
    shape.structOut === VARIABLE_SIZE
      ? fc.constantFrom(VARIABLE_SIZE, VARIABLE_SIZE, 4096, 8, 0, 200, 4097, 64 * 1024)
      : fc.constant(shape.structOut);
  return fc.record({
    selector: fc.constant(Selector[name]),
    scalarInput: fc.oneof(
      { weight: 6, arbitrary: scalarsFor(name) },
      { weight: 1, arbitrary: fc.array(nastyNumber, { maxLength: 20 }) },
    ),
    structInput: fc.oneof(
      { weight: 6, arbitrary: structInputFor(name) },
      { weight: 1, arbitrary: fc.option(blobArb, { nil: null }) },
    ),
    scalarOutputCount: fc.oneof(
      { weight: 6, arbitrary: fc.constant(shape.scalarOut) },
      { weight: 1, arbitrary: nastyCount },
    ),
    structOutputSize: fc.oneof({ weight: 6, arbitrary: out }, { weight: 1, arbitrary: nastySize }),
    asyncReference: fc.oneof(
      { weight: 6, arbitrary: shape.async ? goodReference : fc.constant(undefined) },
      { weight: 1, arbitrary: asyncReferenceArb },
    ),
  });
});

/** A call from nowhere in particular: any selector, any counts, any bytes. */
export const wildCallArb: fc.Arbitrary<CallShape> = fc.record({
  selector: selectorArb,
  scalarInput: fc.array(nastyNumber, { maxLength: 20 }),
  structInput: fc.option(blobArb, { nil: null }),
  scalarOutputCount: nastyCount,
  structOutputSize: nastySize,
  asyncReference: asyncReferenceArb,
});

/**
 * Values of the wrong JavaScript type where the request has a number, an array or bytes —
 * what a port that does not validate could hand the kernel.
 */
export const confusedCallArb: fc.Arbitrary<CallShape> = fc
  .record({
    base: shapedCallArb,
    field: fc.constantFrom(
      'selector',
      'scalarInput',
      'structInput',
      'scalarOutputCount',
      'structOutputSize',
      'asyncReference',
    ),
    value: fc.constantFrom<unknown>(
      '1',
      null,
      undefined,
      true,
      {},
      [1, 2, 3],
      { length: 2 },
      new ArrayBuffer(8),
      new DataView(new ArrayBuffer(8)),
      [[1]],
      ['1'],
      new Uint8Array(8).subarray(2),
      new Uint16Array(4),
      Buffer.from('abc'),
    ),
  })
  .map(({ base, field, value }) => ({ ...base, [field]: value }) as CallShape);

/** The mix the kernel fuzz runs: mostly shaped calls (so handlers run), then wild, then confused. */
export const callArb: fc.Arbitrary<CallShape> = fc.oneof(
  { weight: 6, arbitrary: shapedCallArb },
  { weight: 3, arbitrary: wildCallArb },
  { weight: 1, arbitrary: confusedCallArb },
);
