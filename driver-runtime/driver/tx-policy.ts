/**
 * The hardware Tx policy: how the NIC's arbiter picks among the four queues, and what the
 * driver writes into frames on their way out. Set at Start from the options and changed at
 * run time without a reset; one validator serves both.
 */
export type TxSchedulerMode = 'fifo' | 'sp' | 'drr' | 'sp-drr';
export const TX_SCHEDULER_MODES: readonly TxSchedulerMode[] = ['fifo', 'sp', 'drr', 'sp-drr'];

export type PerQueue = readonly [number, number, number, number];

export interface TxPolicy {
  /** Arbitration: FIFO (I210 legacy), strict priority, DRR, strict over DRR. */
  txScheduler: TxSchedulerMode;
  /** DRR quanta in bytes per queue (0 = strict in sp-drr). */
  drrQuanta: PerQueue;
  /** Starvation guard: minimum share of the link per queue (0 = none), e.g. 1/16 for Q0. */
  floors: PerQueue;
  /** Per-queue maximum rate in bits/s (0 = unlimited), enforced by the NIC's rate limiter. */
  maxBps: PerQueue;
  /**
   * 802.1p priority (PCP, 0..7) the driver marks on every frame of each queue so the next
   * hop keeps the priority (cFosSpeed and GameFirst mark likewise); -1 leaves the queue's
   * frames as the stack built them. Off (all -1) by default.
   */
  pcp: PerQueue;
}

export const DEFAULT_TX_POLICY: TxPolicy = {
  txScheduler: 'sp',
  drrQuanta: [1514, 1514, 1514, 1514],
  floors: [0, 0, 0, 0],
  maxBps: [0, 0, 0, 0],
  pcp: [-1, -1, -1, -1],
};

/** The largest DRR quantum TXQWRR holds (20 bits). */
const MAX_QUANTUM = 1 << 20;

const isPerQueue = (a: unknown): a is PerQueue =>
  Array.isArray(a) && a.length === 4 && a.every((x) => typeof x === 'number' && Number.isFinite(x));

/** What is wrong with a complete policy, naming the field, or null when it is valid. */
export function invalidTxPolicy(p: TxPolicy): string | null {
  if (!TX_SCHEDULER_MODES.includes(p.txScheduler))
    return `txScheduler "${String(p.txScheduler)}" must be one of ${TX_SCHEDULER_MODES.join(', ')}`;
  if (!isPerQueue(p.drrQuanta) || p.drrQuanta.some((x) => !Number.isInteger(x) || x < 0 || x > MAX_QUANTUM))
    return `drrQuanta must be four integers 0..${MAX_QUANTUM}`;
  if (!isPerQueue(p.floors) || p.floors.some((x) => x < 0 || x > 1)) return 'floors must be four shares 0..1';
  // Decimal shares that add to exactly 1 may sum to 1 + 2^-52 in binary: allow for that.
  if (p.floors.reduce((a, b) => a + b, 0) > 1 + 1e-9) return 'floors must add up to at most 1';
  if (!isPerQueue(p.maxBps) || p.maxBps.some((x) => x < 0)) return 'maxBps must be four rates ≥ 0';
  if (!isPerQueue(p.pcp) || p.pcp.some((x) => !Number.isInteger(x) || x < -1 || x > 7))
    return 'pcp must be four integers -1..7 (-1 = no marking)';
  // Pure DRR with every quantum 0 would never send anything.
  if (p.txScheduler === 'drr' && p.drrQuanta.every((x) => x === 0))
    return 'DRR with every quantum 0 would never send';
  return null;
}

/** `current` with `change` applied, copied so neither is shared with the caller. */
export function withTxPolicy(current: TxPolicy, change: Partial<TxPolicy>): TxPolicy {
  // Arrays are copied; anything else is kept as given for `invalidTxPolicy` to name.
  const copy = (a: PerQueue | undefined, b: PerQueue): PerQueue =>
    (Array.isArray(a) ? [...a] : a === undefined ? [...b] : a) as PerQueue;
  return {
    txScheduler: change.txScheduler ?? current.txScheduler,
    drrQuanta: copy(change.drrQuanta, current.drrQuanta),
    floors: copy(change.floors, current.floors),
    maxBps: copy(change.maxBps, current.maxBps),
    pcp: copy(change.pcp, current.pcp),
  };
}
