import { DEFAULT_TX_POLICY, invalidTxPolicy, type TxPolicy } from './tx-policy.ts';

/**
 * Tunables of the NetLanes driver; defaults are what a real igb-class driver would pick.
 * The Tx policy fields are the policy in force at Start (`setTxPolicy` changes it later).
 */
export interface DriverOptions extends TxPolicy {
  txRingSize: number;
  rxRingSize: number;
  poolPackets: number;
  bufferSize: number;
  txSubmissionCapacity: number;
  rxSubmissionCapacity: number;
  rxCompletionCapacity: number;
  /** Interrupt throttle per queue vector, µs (EITR). */
  itrUs: number;
  /** Per-class software queue bounds. */
  swQueuePackets: number;
  swQueueBytes: number;
  /** Packets reaped per Tx clean pass and per Rx poll (NAPI budget). */
  txBudget: number;
  rxBudget: number;
  /** Burst size for dequeuing the Tx submission queue. */
  txBurst: number;
  watchdogPeriodNs: number;
  /** A Tx ring with work and no progress for this long is hung. */
  hangTimeoutNs: number;
  /** Rx tail is written once at least this many slots were refilled. */
  rxRefillThreshold: number;
  /**
   * Active queue management on the software queues: 'codel' drops at dequeue once packets
   * wait longer than `codelTargetNs` for `codelIntervalNs`; 'tail' only tail-drops at
   * `swQueueBytes`.
   */
  aqm: 'codel' | 'tail';
  codelTargetNs: number;
  codelIntervalNs: number;
  /**
   * Baseline: send everything on one queue, ignoring rules and service classes, as one plain
   * FIFO (no per-app fairness either) — what a driver without NetLanes does.
   */
  singleQueue: boolean;
  /** Accounting slots in the statistics region (0 is the system, 1..appCapacity-1 apps). */
  appCapacity: number;
  /** Flows the flow table holds before it evicts (5-tuple → slot). */
  flowCapacity: number;
}

export const DEFAULT_DRIVER_OPTIONS: DriverOptions = {
  // 1024 descriptors: at 10 GbE a 64-byte frame takes 67 ns, so 256 would drain in 17 µs —
  // less than one 20 µs interrupt interval — and idle the link.
  txRingSize: 1024,
  rxRingSize: 1024,
  poolPackets: 8192,
  bufferSize: 2048,
  txSubmissionCapacity: 1024,
  rxSubmissionCapacity: 1024,
  rxCompletionCapacity: 1024,
  itrUs: 20,
  swQueuePackets: 8192,
  swQueueBytes: 8 * 1024 * 1024,
  txBudget: 256,
  rxBudget: 64,
  txBurst: 64,
  watchdogPeriodNs: 1_000_000_000,
  hangTimeoutNs: 1_000_000_000,
  rxRefillThreshold: 16,
  ...DEFAULT_TX_POLICY,
  appCapacity: 256,
  flowCapacity: 4096,
  singleQueue: false,
  aqm: 'codel',
  codelTargetNs: 5_000_000,
  codelIntervalNs: 100_000_000,
};

/** Headroom left in Tx buffers; Rx buffers start at offset 0 so a whole 2 KiB is usable. */
export const TX_HEADROOM = 64;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n >= 8 && (n & (n - 1)) === 0;

/** Checks the tunables before Start touches anything: what is wrong, naming the field, or null. */
export function invalidDriverOptions(o: DriverOptions): string | null {
  if (!isPowerOfTwo(o.txRingSize) || o.txRingSize > 32768)
    return `txRingSize ${o.txRingSize} must be a power of two, 8..32768`;
  if (!isPowerOfTwo(o.rxRingSize) || o.rxRingSize > 32768)
    return `rxRingSize ${o.rxRingSize} must be a power of two, 8..32768`;
  if (!Number.isInteger(o.poolPackets) || o.poolPackets < 64 || o.poolPackets > 65536)
    return `poolPackets ${o.poolPackets} must be 64..65536`;
  if (!Number.isInteger(o.bufferSize) || o.bufferSize < 2048 || o.bufferSize % 1024 !== 0)
    return `bufferSize ${o.bufferSize} must be a multiple of 1024, at least 2048`;
  if (!(o.itrUs >= 0 && o.itrUs <= 8191)) return `itrUs ${o.itrUs} must be 0..8191`;
  if (!(Number.isInteger(o.appCapacity) && o.appCapacity >= 1 && o.appCapacity <= 65536))
    return `appCapacity ${o.appCapacity} must be 1..65536`;
  if (!(Number.isInteger(o.flowCapacity) && o.flowCapacity >= 16 && o.flowCapacity <= 1 << 20))
    return `flowCapacity ${o.flowCapacity} must be 16..1048576`;
  return invalidTxPolicy(o);
}
