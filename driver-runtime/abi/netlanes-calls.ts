/**
 * The NetLanes calls as a client makes them: for each, the raw IOKit call (selector, scalars,
 * struct in, output room) and the decoding of its answer. Pure codecs: the same table serves
 * the in-process client, the one across a worker and the one across a WebSocket, so a call is
 * spelled once. Output room above 4096 bytes makes the system pass an out-of-line buffer.
 */
import {
  APP_SETTING,
  BATCH_HEADER_BYTES,
  DRIVER_INFO,
  EVENT,
  FINDING,
  FLOW_ENTRY,
  FLOW_STAT,
  PACKET_DESCRIPTION,
  RULESET_HEADER_BYTES,
  RULESET_MAX_BYTES,
  STATS_SNAPSHOT,
  Selector,
  TX_POLICY,
  decodeRuleSet,
  encodeRuleSet,
  type AppSettingRecord,
  type DriverInfo,
  type EventRecord,
  type FindingRecord,
  type FlowEntryRecord,
  type FlowStatRecord,
  type PacketDescription,
  type StatsSnapshot,
  type TxPolicyRecord,
} from './netlanes-abi.ts';
import { AbiError, StructLayout, encodeBatch } from './struct-codec.ts';

/** One IOConnectCall*Method, as the client library sends it. */
export interface RawCall {
  selector: number;
  scalarInput: number[];
  structInput: Uint8Array | null;
  scalarOutputCount: number;
  /** The caller's output buffer size. */
  structOutputSize: number;
  async: boolean;
}

/** What came back (the async part, if any, arrives later as completions). */
export interface RawResult {
  ret: number;
  scalarOutput: number[];
  structOutput: Uint8Array | null;
}

/** A failed call: the IOReturn and the call's name. */
export class CallError extends Error {
  constructor(
    readonly call: string,
    readonly ret: number,
  ) {
    super(`${call}: IOReturn 0x${(ret >>> 0).toString(16)}`);
  }
}

/** Room for the variable-size replies (OURS: enough for every flow and the largest rule set). */
export const FLOWS_ROOM = BATCH_HEADER_BYTES + 8192 * FLOW_STAT.size;
export const EVENTS_ROOM = BATCH_HEADER_BYTES + 1024 * EVENT.size;
export const FINDINGS_ROOM = BATCH_HEADER_BYTES + 64 * FINDING.size;
export const TEXT_ROOM = 4096;
export const RULESET_ROOM = RULESET_HEADER_BYTES + RULESET_MAX_BYTES;
export const ALL_SLOTS = 0xffffffff;

const call = (selector: number, o: Partial<RawCall> = {}): RawCall => ({
  selector,
  scalarInput: [],
  structInput: null,
  scalarOutputCount: 0,
  structOutputSize: 0,
  async: false,
  ...o,
});

/** Throws CallError unless the call succeeded. */
export function ok(name: string, r: RawResult): RawResult {
  if (r.ret !== 0) throw new CallError(name, r.ret);
  return r;
}

function bytesOf(name: string, r: RawResult): Uint8Array {
  return ok(name, r).structOutput ?? new Uint8Array(0);
}

/** Decodes `{ count u32, reserved u32 }` then records. */
export function decodeRecords<T extends object>(layout: StructLayout<T>, bytes: Uint8Array): T[] {
  if (bytes.length < BATCH_HEADER_BYTES)
    throw new AbiError(`${layout.name} list: ${bytes.length} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (bytes.length < BATCH_HEADER_BYTES + count * layout.size)
    throw new AbiError(`${layout.name} list: truncated`);
  return Array.from({ length: count }, (_, i) => layout.read(view, BATCH_HEADER_BYTES + i * layout.size));
}

const utf8 = new TextDecoder();
const text = (name: string, r: RawResult) => utf8.decode(bytesOf(name, r)).split('\n');

export const Calls = {
  getInfo: () => call(Selector.GetInfo, { structOutputSize: DRIVER_INFO.size }),
  decodeInfo: (r: RawResult): DriverInfo => DRIVER_INFO.decode(bytesOf('GetInfo', r)),

  getTxPolicy: () => call(Selector.GetTxPolicy, { structOutputSize: TX_POLICY.size }),
  decodeTxPolicy: (r: RawResult): TxPolicyRecord => TX_POLICY.decode(bytesOf('GetTxPolicy', r)),
  setTxPolicy: (p: TxPolicyRecord) => call(Selector.SetTxPolicy, { structInput: TX_POLICY.encode(p) }),

  setMtu: (mtu: number) => call(Selector.SetMTU, { scalarInput: [mtu] }),
  setInterfaceEnable: (enable: boolean) =>
    call(Selector.SetInterfaceEnable, { scalarInput: [enable ? 1 : 0] }),

  setFlows: (generation: number, entries: readonly FlowEntryRecord[]) =>
    call(Selector.SetFlows, { structInput: encodeBatch(FLOW_ENTRY, generation, entries), async: true }),
  setAppSettings: (generation: number, settings: readonly AppSettingRecord[]) =>
    call(Selector.SetAppSettings, {
      structInput: encodeBatch(APP_SETTING, generation, settings),
      async: true,
    }),
  setRuleSet: (generation: number, json: string) =>
    call(Selector.SetRuleSet, {
      structInput: encodeRuleSet(generation, new TextEncoder().encode(json)),
      async: true,
    }),

  getRuleSet: () => call(Selector.GetRuleSet, { scalarOutputCount: 1, structOutputSize: RULESET_ROOM }),
  decodeRuleSet: (r: RawResult): { generation: number; json: string } => {
    const d = decodeRuleSet(bytesOf('GetRuleSet', r));
    if (d === null) throw new AbiError('GetRuleSet: malformed rule set');
    return { generation: d.generation, json: utf8.decode(d.json) };
  },

  explainApp: (slot: number) =>
    call(Selector.ExplainApp, { scalarInput: [slot], structOutputSize: TEXT_ROOM }),
  explainPacket: (d: PacketDescription) =>
    call(Selector.ExplainPacket, { structInput: PACKET_DESCRIPTION.encode(d), structOutputSize: TEXT_ROOM }),
  decodeText: (r: RawResult): string[] => text('Explain', r),

  getStats: () => call(Selector.GetStats, { structOutputSize: STATS_SNAPSHOT.size }),
  decodeStats: (r: RawResult): StatsSnapshot => STATS_SNAPSHOT.decode(bytesOf('GetStats', r)),

  getFlows: (slot = ALL_SLOTS) =>
    call(Selector.GetFlows, { scalarInput: [slot], scalarOutputCount: 1, structOutputSize: FLOWS_ROOM }),
  decodeFlows: (r: RawResult): FlowStatRecord[] => decodeRecords(FLOW_STAT, bytesOf('GetFlows', r)),

  diagnose: () => call(Selector.Diagnose, { scalarOutputCount: 1, structOutputSize: FINDINGS_ROOM }),
  decodeFindings: (r: RawResult): FindingRecord[] => decodeRecords(FINDING, bytesOf('Diagnose', r)),

  subscribe: (mask: number) => call(Selector.Subscribe, { scalarInput: [mask], async: true }),

  getEvents: (sinceSequence: number) =>
    call(Selector.GetEvents, {
      scalarInput: [sinceSequence],
      scalarOutputCount: 1,
      structOutputSize: EVENTS_ROOM,
    }),
  decodeEvents: (r: RawResult): EventRecord[] => decodeRecords(EVENT, bytesOf('GetEvents', r)),

  submitCommand: (kind: number, offset: number, length: number) =>
    call(Selector.SubmitCommand, { scalarInput: [kind, offset, length], async: true }),
  setCapture: (enable: boolean, snap: number) =>
    call(Selector.SetCapture, { scalarInput: [enable ? 1 : 0, snap] }),
} as const;
