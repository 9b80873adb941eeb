/**
 * The NetLanes user-client ABI, version 1: what a client and the NetLanes dext agree on, as a
 * DriverKit project's shared header would hold it — the service to match, selectors with the
 * shape of each call, memory types for IOConnectMapMemory64, struct layouts with explicit
 * offsets, event and finding codes. Little-endian throughout. The driver's dispatch table
 * and the client library both take their sizes from here, so neither restates them.
 */
import { StructLayout, BATCH_HEADER_BYTES } from './struct-codec.ts';

export const NETLANES_ABI_VERSION = 1;
/** IOServiceNameMatching("NetLanesDriver") finds the dext. */
export const NETLANES_SERVICE_NAME = 'NetLanesDriver';
/** The dext's bundle id: a client needs it in com.apple.developer.driverkit.userclient-access. */
export const NETLANES_DEXT_BUNDLE_ID = 'app.netlanes.driver';
export const USERCLIENT_ACCESS_ENTITLEMENT = 'com.apple.developer.driverkit.userclient-access';
/** IOServiceOpen type for the NetLanes user client. */
export const NETLANES_USER_CLIENT_TYPE = 0;

/** IOKit limits the calls live within (driverkit.md §1.1, §1.5, §2.1). */
export const SCALAR_COUNT_MAX = 16;
export const ASYNC_ARGUMENTS_MAX = 16;
export const ASYNC_REFERENCE_MAX = 8;
export const STRUCT_INBAND_MAX = 4096;
/** Marks a struct size the method checks itself ("don't care" in the dispatch table). */
export const VARIABLE_SIZE = 0xffffffff;

/** Selectors of the NetLanes user client. */
export const Selector = {
  GetInfo: 0,
  GetTxPolicy: 1,
  SetTxPolicy: 2,
  SetMTU: 3,
  SetInterfaceEnable: 4,
  SetFlows: 5,
  SetAppSettings: 6,
  SetRuleSet: 7,
  GetRuleSet: 8,
  ExplainApp: 9,
  ExplainPacket: 10,
  GetStats: 11,
  GetFlows: 12,
  Diagnose: 13,
  Subscribe: 14,
  GetEvents: 15,
  SubmitCommand: 16,
  SetCapture: 17,
} as const;
export type SelectorName = keyof typeof Selector;
export const SELECTOR_COUNT = 18;

/** The shape of one call: what the dispatch table checks. */
export interface MethodShape {
  readonly async: boolean;
  readonly scalarIn: number;
  readonly structIn: number;
  readonly scalarOut: number;
  readonly structOut: number;
}

/** Memory types for IOConnectMapMemory64. */
export const MemoryType = {
  /** The statistics region (abi/stats-layout.ts): per device, queue and app slot. Read-only. */
  Stats: 0,
  /** Ring indices and pool use (RING_STATE below). Read-only. */
  RingState: 1,
  /** A ring of captured frames (CAPTURE below), written while capture is on. Read-only. */
  Capture: 2,
  /** A buffer the client writes batches into and submits with SubmitCommand. Read-write. */
  Command: 3,
} as const;
export const MEMORY_TYPE_COUNT = 4;

/**
 * Where each memory type keeps its seqlock (a u32, odd while the driver writes), for readers
 * that copy the region — a replica must never hold half an update. -1: none (the capture ring
 * publishes each record by bumping its write index after writing it; the command buffer is
 * the client's).
 */
export const SEQLOCK_OFFSET: Readonly<Record<number, number>> = {
  [MemoryType.Stats]: 8,
  [MemoryType.RingState]: 0,
  [MemoryType.Capture]: -1,
  [MemoryType.Command]: -1,
};

/** Event kinds a Subscribe completion carries in asyncData[0]. */
export const EventKind = {
  /** [kind, up 0/1, speed Mb/s] */
  Link: 1,
  /** [kind, driver event code (DRIVER_EVENT_CODES), sequence] — the log has the text. */
  Driver: 2,
  /** [kind, settings generation, rule-set generation] */
  Generation: 3,
  /** [kind, entries, capacity, evictions] */
  FlowTablePressure: 4,
} as const;
/** Subscribe's scalar: a mask of 1 << EventKind. */
export const ALL_EVENTS = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4);

/** Driver event kinds, numbered for the wire (the event log names them). */
export const DRIVER_EVENT_CODES = [
  'link-up',
  'link-down',
  'tx-hang',
  'reset',
  'dma-error',
  'device-removed',
  'rx-overrun',
  'unexpected-reset',
  'interrupt-recovery',
  'rules-applied',
  'refused',
] as const;
export type DriverEventName = (typeof DRIVER_EVENT_CODES)[number];

// ---------------------------------------------------------------- struct layouts

export interface DriverInfo {
  abiVersion: number;
  queueCount: number;
  mac: Uint8Array;
  linkBps: number;
  linkStatus: number;
  media: number;
  mtu: number;
  maxMtu: number;
  /** INFO_* bits. */
  flags: number;
  appSlots: number;
  flowCapacity: number;
  ruleSetGeneration: number;
  settingsGeneration: number;
  pciVendorId: number;
  pciDeviceId: number;
  model: string;
  driverVersion: string;
}
export const INFO_ENABLED = 1 << 0;
export const INFO_LINK_UP = 1 << 1;
export const INFO_DEVICE_REMOVED = 1 << 2;
export const DRIVER_INFO = new StructLayout<DriverInfo>('DriverInfo', 128, [
  { name: 'abiVersion', offset: 0, type: 'u32' },
  { name: 'queueCount', offset: 4, type: 'u32' },
  { name: 'mac', offset: 8, type: 'bytes', size: 6 },
  { name: 'linkBps', offset: 16, type: 'u64' },
  { name: 'linkStatus', offset: 24, type: 'u32' },
  { name: 'media', offset: 28, type: 'u32' },
  { name: 'mtu', offset: 32, type: 'u32' },
  { name: 'maxMtu', offset: 36, type: 'u32' },
  { name: 'flags', offset: 40, type: 'u32' },
  { name: 'appSlots', offset: 44, type: 'u32' },
  { name: 'flowCapacity', offset: 48, type: 'u32' },
  { name: 'ruleSetGeneration', offset: 52, type: 'u32' },
  { name: 'settingsGeneration', offset: 56, type: 'u32' },
  { name: 'pciVendorId', offset: 60, type: 'u16' },
  { name: 'pciDeviceId', offset: 62, type: 'u16' },
  { name: 'model', offset: 64, type: 'text', size: 40 },
  { name: 'driverVersion', offset: 104, type: 'text', size: 24 },
]);

/** TXSCHED modes on the wire. */
export const TX_MODES = ['fifo', 'sp', 'drr', 'sp-drr'] as const;

export interface TxPolicyRecord {
  /** Index into TX_MODES. */
  mode: number;
  /** 802.1p per queue, -1 none. */
  pcp: number[];
  quanta: number[];
  floors: number[];
  maxBps: number[];
}
export const TX_POLICY = new StructLayout<TxPolicyRecord>('TxPolicy', 96, [
  { name: 'mode', offset: 0, type: 'u32' },
  { name: 'pcp', offset: 4, type: 'i8', count: 4 },
  { name: 'quanta', offset: 8, type: 'u32', count: 4 },
  { name: 'floors', offset: 24, type: 'f64', count: 4 },
  { name: 'maxBps', offset: 56, type: 'f64', count: 4 },
]);

export const FLOW_ADD = 1;
export const FLOW_REMOVE = 2;
export interface FlowEntryRecord {
  /** FLOW_ADD (insert or update) or FLOW_REMOVE. */
  op: number;
  /** IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP. */
  protocol: number;
  /** IPv4 addresses as unsigned 32-bit numbers in network order. */
  localIp: number;
  remoteIp: number;
  /** UDP/TCP ports; for ICMP echo, localPort is the echo id and remotePort 0. */
  localPort: number;
  remotePort: number;
  /** The accounting slot the flow's packets are charged to (1..appSlots-1). */
  slot: number;
  /** The observer's id for the flow, echoed by GetFlows. */
  flowId: number;
}
export const FLOW_ENTRY = new StructLayout<FlowEntryRecord>('FlowEntry', 24, [
  { name: 'op', offset: 0, type: 'u8' },
  { name: 'protocol', offset: 1, type: 'u8' },
  { name: 'localIp', offset: 4, type: 'u32' },
  { name: 'remoteIp', offset: 8, type: 'u32' },
  { name: 'localPort', offset: 12, type: 'u16' },
  { name: 'remotePort', offset: 14, type: 'u16' },
  { name: 'slot', offset: 16, type: 'u16' },
  { name: 'flowId', offset: 20, type: 'u32' },
]);

/** AppSetting.queue value: no setting, the packet's service class decides. */
export const QUEUE_BY_SERVICE_CLASS = 255;
export const SETTING_IN_USE = 1 << 0;
export interface AppSettingRecord {
  slot: number;
  /** 0..3, or QUEUE_BY_SERVICE_CLASS. */
  queue: number;
  flags: number;
  capBps: number;
  burstBytes: number;
  /** Who the slot is (bundle id or name), for explain and diagnostics only. */
  label: string;
  /** Why this queue (the rule id, or "default"), for explain only. */
  reason: string;
}
export const APP_SETTING = new StructLayout<AppSettingRecord>('AppSetting', 96, [
  { name: 'slot', offset: 0, type: 'u16' },
  { name: 'queue', offset: 2, type: 'u8' },
  { name: 'flags', offset: 3, type: 'u8' },
  { name: 'capBps', offset: 8, type: 'f64' },
  { name: 'burstBytes', offset: 16, type: 'f64' },
  { name: 'label', offset: 24, type: 'text', size: 48 },
  { name: 'reason', offset: 72, type: 'text', size: 24 },
]);

/** A rule set as the driver stores it: opaque bytes (UTF-8 JSON, format 1) with a generation. */
export const RULESET_FORMAT_JSON = 1;
export const RULESET_HEADER_BYTES = 12;
/** The largest rule set a driver keeps (OURS: 1 MiB). */
export const RULESET_MAX_BYTES = 1 << 20;

/** A rule set as SetRuleSet takes it: { format u32, generation u32, length u32 } then the bytes. */
export function encodeRuleSet(generation: number, json: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(RULESET_HEADER_BYTES + json.length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, RULESET_FORMAT_JSON, true);
  v.setUint32(4, generation >>> 0, true);
  v.setUint32(8, json.length, true);
  bytes.set(json, RULESET_HEADER_BYTES);
  return bytes;
}

/** The generation and JSON bytes of a stored rule set, or null when the framing is wrong. */
export function decodeRuleSet(bytes: Uint8Array): { generation: number; json: Uint8Array } | null {
  if (bytes.length < RULESET_HEADER_BYTES) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== RULESET_FORMAT_JSON) return null;
  const length = v.getUint32(8, true);
  if (length !== bytes.length - RULESET_HEADER_BYTES) return null;
  return { generation: v.getUint32(4, true), json: bytes.subarray(RULESET_HEADER_BYTES) };
}

export interface PacketDescription {
  protocol: number;
  serviceClass: number;
  localIp: number;
  remoteIp: number;
  localPort: number;
  remotePort: number;
}
export const PACKET_DESCRIPTION = new StructLayout<PacketDescription>('PacketDescription', 20, [
  { name: 'protocol', offset: 0, type: 'u8' },
  { name: 'serviceClass', offset: 2, type: 'u16' },
  { name: 'localIp', offset: 4, type: 'u32' },
  { name: 'remoteIp', offset: 8, type: 'u32' },
  { name: 'localPort', offset: 12, type: 'u16' },
  { name: 'remotePort', offset: 14, type: 'u16' },
]);

export interface StatsSnapshot {
  ipkts: number;
  ierrs: number;
  opkts: number;
  oerrs: number;
  rxNoBuffer: number;
  txBytes: number;
  rxBytes: number;
  dropQueueFull: number;
  dropAqm: number;
  dropCap: number;
  dropCompletionFull: number;
  dropAborted: number;
  rxErrors: number;
  rxCompletionFull: number;
  hangs: number;
  resets: number;
  flowHits: number;
  flowMisses: number;
  flowEvictions: number;
  flowEntries: number;
  /** Flows whose first packets arrived before their entry: count, mean and max window (ns). */
  missWindows: number;
  missWindowMeanNs: number;
  missWindowMaxNs: number;
  /** Per hardware queue (0..3): packets and bytes the driver saw completed. */
  queuePackets: number[];
  queueBytes: number[];
  queueDrops: number[];
  /** Hardware counters, folded in as the driver reads them: GPTC, GPRC, MPC, XOFFRXC. */
  hwTxPackets: number;
  hwRxPackets: number;
  rxMissed: number;
  xoffReceived: number;
  /** Packets waiting in capped apps' hold rings right now. */
  heldPackets: number;
  /** Interrupts the driver handled (queue vectors and the other-causes vector; not its polls). */
  interrupts: number;
}
const STATS_FIELDS = [
  'ipkts',
  'ierrs',
  'opkts',
  'oerrs',
  'rxNoBuffer',
  'txBytes',
  'rxBytes',
  'dropQueueFull',
  'dropAqm',
  'dropCap',
  'dropCompletionFull',
  'dropAborted',
  'rxErrors',
  'rxCompletionFull',
  'hangs',
  'resets',
  'flowHits',
  'flowMisses',
  'flowEvictions',
  'flowEntries',
  'missWindows',
  'missWindowMeanNs',
  'missWindowMaxNs',
] as const;
export const STATS_SNAPSHOT = new StructLayout<StatsSnapshot>('StatsSnapshot', 336, [
  ...STATS_FIELDS.map((name, i) => ({ name, offset: 8 * i, type: 'f64' as const })),
  { name: 'queuePackets', offset: 192, type: 'f64', count: 4 },
  { name: 'queueBytes', offset: 224, type: 'f64', count: 4 },
  { name: 'queueDrops', offset: 256, type: 'f64', count: 4 },
  { name: 'hwTxPackets', offset: 288, type: 'f64' },
  { name: 'hwRxPackets', offset: 296, type: 'f64' },
  { name: 'rxMissed', offset: 304, type: 'f64' },
  { name: 'xoffReceived', offset: 312, type: 'f64' },
  { name: 'heldPackets', offset: 320, type: 'f64' },
  { name: 'interrupts', offset: 328, type: 'f64' },
]);

export interface FlowStatRecord {
  protocol: number;
  queue: number;
  localIp: number;
  remoteIp: number;
  localPort: number;
  remotePort: number;
  slot: number;
  flowId: number;
  packets: number;
  bytes: number;
  lastSeenNs: number;
}
export const FLOW_STAT = new StructLayout<FlowStatRecord>('FlowStat', 48, [
  { name: 'protocol', offset: 0, type: 'u8' },
  { name: 'queue', offset: 1, type: 'u8' },
  { name: 'slot', offset: 2, type: 'u16' },
  { name: 'localIp', offset: 4, type: 'u32' },
  { name: 'remoteIp', offset: 8, type: 'u32' },
  { name: 'localPort', offset: 12, type: 'u16' },
  { name: 'remotePort', offset: 14, type: 'u16' },
  { name: 'flowId', offset: 16, type: 'u32' },
  { name: 'packets', offset: 24, type: 'f64' },
  { name: 'bytes', offset: 32, type: 'f64' },
  { name: 'lastSeenNs', offset: 40, type: 'f64' },
]);

export const SEVERITY_INFO = 0;
export const SEVERITY_WARNING = 1;
export const SEVERITY_ERROR = 2;
export interface FindingRecord {
  severity: number;
  /** A stable code per cause (FINDING_CODES). */
  code: number;
  /** The object the finding is about, e.g. "TxSubmissionQueue" or "TxRing[2]". */
  object: string;
  message: string;
}
/** Causes the bring-up diagnostics name (the code is the index). */
export const FINDING_CODES = [
  'ok',
  'interface-disabled',
  'link-not-reported',
  'link-down',
  'no-data-available-handler',
  'no-dispatch-queue',
  'pool-exhausted',
  'submission-queue-full',
  'ring-stalled',
  'device-removed',
  'queue-disabled',
  'flow-table-full',
] as const;
export const FINDING = new StructLayout<FindingRecord>('Finding', 168, [
  { name: 'severity', offset: 0, type: 'u8' },
  { name: 'code', offset: 2, type: 'u16' },
  { name: 'object', offset: 4, type: 'text', size: 36 },
  { name: 'message', offset: 40, type: 'text', size: 128 },
]);

export interface EventRecord {
  timeNs: number;
  /** Index into DRIVER_EVENT_CODES. */
  code: number;
  sequence: number;
  detail: string;
}
export const EVENT = new StructLayout<EventRecord>('Event', 176, [
  { name: 'timeNs', offset: 0, type: 'f64' },
  { name: 'code', offset: 8, type: 'u32' },
  { name: 'sequence', offset: 12, type: 'u32' },
  { name: 'detail', offset: 16, type: 'text', size: 160 },
]);

/** SubmitCommand: a batch in the command buffer, `kind` naming which. */
export const COMMAND_SET_FLOWS = 1;
export const COMMAND_SET_APP_SETTINGS = 2;
/** Bytes of the Command memory type. */
export const COMMAND_BUFFER_BYTES = 256 * 1024;

/** SetCapture's scalars: [enable 0/1, snap length 64..256]. */
export const CAPTURE_SNAP_MAX = 256;

/**
 * RingState memory: a header then one record per Tx ring, per Rx ring; written by the driver
 * on every interrupt poll and watchdog pass, with a sequence (odd while writing).
 */
export const RING_STATE_HEADER_BYTES = 32;
export const RING_RECORD_BYTES = 32;
export const RING_STATE_BYTES = 4096;
/** Header: sequence u32 @0, queues u32 @4, poolPackets u32 @8, poolInUse u32 @12, updatedAtNs f64 @16. */
export const RS_SEQUENCE = 0;
export const RS_QUEUES = 4;
export const RS_POOL_PACKETS = 8;
export const RS_POOL_IN_USE = 12;
export const RS_UPDATED_AT = 16;
/** Per ring (u32 each): size, nextToUse, nextToClean, hardware head, tail, inflight bytes, byte limit, flags. */
export const RING_FIELDS = [
  'size',
  'nextToUse',
  'nextToClean',
  'head',
  'tail',
  'inflightBytes',
  'byteLimit',
  'flags',
] as const;

/**
 * Capture memory: a header then fixed records of CAPTURE_RECORD_BYTES; the driver writes the
 * record at `writeIndex % records` and then bumps `writeIndex` (a reader keeps its own index).
 */
export const CAPTURE_HEADER_BYTES = 64;
export const CAPTURE_RECORD_BYTES = 288;
export const CAPTURE_BYTES = CAPTURE_HEADER_BYTES + 512 * CAPTURE_RECORD_BYTES;
/** Header: writeIndex u32 @0, records u32 @4, snap u32 @8, enabled u32 @12. Record: timeNs f64 @0, length u16 @8, captured u16 @10, direction u8 @12 (1 Tx, 2 Rx), queue u8 @13, bytes @16. */
export const CAP_WRITE_INDEX = 0;
export const CAP_RECORDS = 4;
export const CAP_SNAP = 8;
export const CAP_ENABLED = 12;

export { BATCH_HEADER_BYTES };

/** The calls, with what their dispatch entries check (sizes from the layouts above). */
export const METHODS: Record<SelectorName, MethodShape> = {
  GetInfo: { async: false, scalarIn: 0, structIn: 0, scalarOut: 0, structOut: DRIVER_INFO.size },
  GetTxPolicy: { async: false, scalarIn: 0, structIn: 0, scalarOut: 0, structOut: TX_POLICY.size },
  SetTxPolicy: { async: false, scalarIn: 0, structIn: TX_POLICY.size, scalarOut: 0, structOut: 0 },
  SetMTU: { async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: 0 },
  SetInterfaceEnable: { async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: 0 },
  SetFlows: { async: true, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 0, structOut: 0 },
  SetAppSettings: { async: true, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 0, structOut: 0 },
  SetRuleSet: { async: true, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 0, structOut: 0 },
  GetRuleSet: { async: false, scalarIn: 0, structIn: 0, scalarOut: 1, structOut: VARIABLE_SIZE },
  ExplainApp: { async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: VARIABLE_SIZE },
  ExplainPacket: {
    async: false,
    scalarIn: 0,
    structIn: PACKET_DESCRIPTION.size,
    scalarOut: 0,
    structOut: VARIABLE_SIZE,
  },
  GetStats: { async: false, scalarIn: 0, structIn: 0, scalarOut: 0, structOut: STATS_SNAPSHOT.size },
  GetFlows: { async: false, scalarIn: 1, structIn: 0, scalarOut: 1, structOut: VARIABLE_SIZE },
  Diagnose: { async: false, scalarIn: 0, structIn: 0, scalarOut: 1, structOut: VARIABLE_SIZE },
  Subscribe: { async: true, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: 0 },
  GetEvents: { async: false, scalarIn: 1, structIn: 0, scalarOut: 1, structOut: VARIABLE_SIZE },
  SubmitCommand: { async: true, scalarIn: 3, structIn: 0, scalarOut: 0, structOut: 0 },
  SetCapture: { async: false, scalarIn: 2, structIn: 0, scalarOut: 0, structOut: 0 },
};
export const SELECTOR_NAMES = Object.keys(Selector) as SelectorName[];
