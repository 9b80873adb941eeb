/** Tunables of the NetLanes driver; defaults are what a real igb-class driver would pick. */
export interface DriverOptions {
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
  /** Hardware Tx arbitration: FIFO (I210 legacy), strict priority, DRR, SP over DRR. */
  txScheduler: 'fifo' | 'sp' | 'drr' | 'sp-drr';
  /** DRR quanta in bytes per queue (0 = strict in sp-drr). */
  drrQuanta: [number, number, number, number];
  /** Starvation guard: minimum share of the link per queue (0 = none), e.g. 1/16 for Q0. */
  floors: [number, number, number, number];
  /** Per-queue maximum rate in bits/s (0 = unlimited), enforced by the NIC's rate limiter. */
  maxBps: [number, number, number, number];
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
  /** App slots in the statistics region (app ids 0..appCapacity-1). */
  appCapacity: number;
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
  txScheduler: 'sp',
  drrQuanta: [1514, 1514, 1514, 1514],
  floors: [0, 0, 0, 0],
  maxBps: [0, 0, 0, 0],
  appCapacity: 256,
  singleQueue: false,
  aqm: 'codel',
  codelTargetNs: 5_000_000,
  codelIntervalNs: 100_000_000,
};

/** Headroom left in Tx buffers; Rx buffers start at offset 0 so a whole 2 KiB is usable. */
export const TX_HEADROOM = 64;
