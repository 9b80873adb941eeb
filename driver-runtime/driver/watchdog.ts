import { kIOTimerClockMachAbsoluteTime, type IOTimerDispatchSource } from '../kit/timer-source.ts';
import type { DextRuntime } from '../kit/runtime.ts';
import type { DriverEventKind } from './driver-events.ts';
import type { DriverOptions } from './driver-options.ts';
import type { DriverStats } from './driver-stats.ts';
import * as R from './hw-regs.ts';
import type { Mmio } from './mmio.ts';
import type { RxRing } from './rx-ring.ts';
import type { TxPolicy } from './tx-policy.ts';
import type { TxRing } from './tx-ring.ts';

/** Poll-mode period once interrupts have been seen lost. */
const POLL_PERIOD_NS = 1_000_000;
/** Wire overhead per frame beyond its bytes: FCS 4 + preamble/SFD 8 + IFG 12. */
const WIRE_OVERHEAD_BYTES = 24;
/**
 * OURS: a queue is starved by policy when the queues that outrank it used this share of the
 * link since the last pass (igb has no policy starvation to tell from a hang).
 */
const STARVED_SHARE = 0.9;

/** What the watchdog works on, and what it asks the driver to do. */
export interface WatchdogHost {
  readonly mmio: Mmio;
  readonly txRings: readonly TxRing[];
  readonly rxRings: readonly RxRing[];
  readonly timer: IOTimerDispatchSource;
  readonly pollTimer: IOTimerDispatchSource;
  /** The Tx policy in force (starvation by policy is not a hang). */
  policy(): TxPolicy;
  linkUp(): boolean;
  linkBitsPerSecond(): number;
  updateLink(): void;
  scheduleReset(reason: string): void;
  /** Runs a queue vector's poll (clean Tx and Rx, unmask when done). */
  pollQueue(vector: number): void;
  logEvent(kind: DriverEventKind, detail: string, level?: 'info' | 'warn' | 'error'): void;
}

/** The watchdog's record: counts and the clocks of the hang and loss checks. */
export interface WatchdogState {
  hangsDetected: number;
  rxOverruns: number;
  rxOverrunsLogged: number;
  /** Interrupts are not trusted until then: poll every millisecond (0 = interrupt mode). */
  pollUntilNs: number;
  lastPassNs: number;
  windowNs: number;
}

/**
 * igb_watchdog_task and its helpers: once a period (1 s) refresh link and statistics, find
 * lost interrupts (completed descriptors nobody reaped) and fall back to polling, find Tx
 * hangs (work pending, no progress, the oldest descriptor not done, and not a queue the
 * policy may starve) and schedule a reset, notice a reset nobody asked for.
 */
export class Watchdog {
  readonly state: WatchdogState = {
    hangsDetected: 0,
    rxOverruns: 0,
    rxOverrunsLogged: 0,
    pollUntilNs: 0,
    lastPassNs: 0,
    windowNs: 0,
  };
  /** Per-queue wire bytes (frame + FCS + preamble + IFG) sent between the last two passes. */
  private readonly wireBytesSincePass = new Float64Array(R.NUM_QUEUES);
  private readonly wireBytesAtPass = new Float64Array(R.NUM_QUEUES);
  private host: WatchdogHost | null = null;

  constructor(
    private readonly options: DriverOptions,
    private readonly stats: DriverStats,
    private readonly runtime: DextRuntime,
  ) {}

  attach(host: WatchdogHost): void {
    this.host = host;
  }

  detach(): void {
    this.host = null;
  }

  /** Arms the first pass one period from now (interface enable). */
  arm(): void {
    const now = this.runtime.scheduler.now;
    this.state.lastPassNs = now;
    this.host!.timer.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + this.options.watchdogPeriodNs, 0);
  }

  /** ICR.RXO: overruns come in storms; log the first of each period, count them all. */
  rxOverrun(): void {
    const s = this.state;
    if (s.rxOverruns++ === s.rxOverrunsLogged)
      this.host!.logEvent('rx-overrun', 'ICR.RXO: frames dropped, no Rx buffer space', 'warn');
  }

  /** The timer's handler; re-arms itself (WakeAtTime replaces, so never two timers). */
  pass(): void {
    const host = this.host!;
    const mmio = host.mmio;
    const now = this.runtime.scheduler.now;
    const rearm = () =>
      host.timer.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + this.options.watchdogPeriodNs, 0);
    // A reset nobody asked for (function reset, firmware) leaves Tx disabled: re-initialise.
    if ((mmio.rd32(R.TCTL) & R.TCTL_EN) === 0) {
      if (mmio.removed) return;
      host.logEvent(
        'unexpected-reset',
        'TCTL.EN found clear while up: device was reset underneath us',
        'error',
      );
      host.scheduleReset('unexpected-reset');
      rearm();
      return;
    }
    host.updateLink();
    this.stats.update(mmio);
    this.state.rxOverrunsLogged = this.state.rxOverruns;
    this.recoverInterrupts(now);
    const paused = (mmio.rd32(R.STATUS) & R.STATUS_TXOFF) !== 0;
    this.sampleWireBytes(now);
    if (host.linkUp() && !paused) {
      for (const ring of host.txRings) {
        // Work pending, no progress for the timeout, and the oldest descriptor still not done
        // (done-but-unreaped is a lost interrupt, handled above, not a hang).
        if (
          ring.pending > 0 &&
          now - ring.lastProgressNs > this.options.hangTimeoutNs &&
          !ring.readyToClean() &&
          !this.starvedByPolicy(ring.queueIndex)
        ) {
          this.reportHang(ring, now);
          host.scheduleReset('tx-hang');
          break;
        }
      }
    } else {
      // No hang while paused or down: restart the clocks.
      for (const ring of host.txRings) ring.lastProgressNs = now;
    }
    rearm();
  }

  /**
   * Interrupt loss insurance (igb's watchdog forces a poll the same way): a ring holding
   * completed descriptors that nobody reaped for far longer than any moderation delay lost
   * its interrupt — its vector may even be left auto-masked. Unmask it, poll now, and poll
   * every millisecond for two periods.
   */
  private recoverInterrupts(now: number): void {
    const host = this.host!;
    // OURS: 50 moderation intervals, and at least a millisecond.
    const stale = Math.max(1e6, 50 * this.options.itrUs * 1000);
    let lost = 0;
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      const tx = host.txRings[q];
      const rx = host.rxRings[q];
      if (
        (tx.readyToClean() && now - tx.lastProgressNs > stale) ||
        (rx.readyToClean() && now - rx.lastProgressNs > stale)
      )
        lost |= 1 << q;
    }
    if (lost === 0) return;
    host.logEvent(
      'interrupt-recovery',
      `queues 0x${lost.toString(16)} had completed descriptors unreaped for over a millisecond (interrupt lost): polling`,
      'warn',
    );
    host.mmio.wr32(R.EIMS, lost);
    for (let q = 0; q < R.NUM_QUEUES; q++) if (lost & (1 << q)) host.pollQueue(q);
    const first = this.state.pollUntilNs <= now;
    this.state.pollUntilNs = now + this.options.watchdogPeriodNs * 2;
    if (first) host.pollTimer.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + POLL_PERIOD_NS, 0);
  }

  /** Poll mode after interrupt loss: reap every queue each millisecond until it expires. */
  pollTick(): void {
    const host = this.host!;
    const now = this.runtime.scheduler.now;
    for (let q = 0; q < R.NUM_QUEUES; q++) host.pollQueue(q);
    if (now < this.state.pollUntilNs)
      host.pollTimer.WakeAtTime(kIOTimerClockMachAbsoluteTime, now + POLL_PERIOD_NS, 0);
  }

  /**
   * A queue the configured policy is allowed to starve is not hung: under strict priority a
   * queue waits while queues that outrank it fill the link; a DRR queue with quantum 0 is
   * never served. Queues with a floor, FIFO and DRR members cannot be starved. "Fill" is
   * judged on the wire time the outranking queues used since the last pass.
   */
  starvedByPolicy(q: number): boolean {
    const p = this.host!.policy();
    if (p.floors[q] > 0 || p.txScheduler === 'fifo') return false;
    if (p.txScheduler === 'drr') return p.drrQuanta[q] === 0;
    const strict = (x: number) => p.txScheduler === 'sp' || p.drrQuanta[x] === 0;
    let outrankingWireBytes = 0;
    for (let x = 0; x < R.NUM_QUEUES; x++) {
      // TXARB gives higher queue numbers the higher slots; strict queues outrank the DRR group.
      if (x !== q && strict(x) && (!strict(q) || x > q)) outrankingWireBytes += this.wireBytesSincePass[x];
    }
    const capacity = (this.host!.linkBitsPerSecond() / 8) * (this.state.windowNs / 1e9);
    return outrankingWireBytes >= STARVED_SHARE * capacity;
  }

  private sampleWireBytes(now: number): void {
    for (let q = 0; q < R.NUM_QUEUES; q++) {
      const total = this.stats.txBytes[q] + WIRE_OVERHEAD_BYTES * this.stats.txPackets[q];
      this.wireBytesSincePass[q] = total - this.wireBytesAtPass[q];
      this.wireBytesAtPass[q] = total;
    }
    this.state.windowNs = now - this.state.lastPassNs;
    this.state.lastPassNs = now;
  }

  private reportHang(ring: TxRing, now: number): void {
    const host = this.host!;
    const q = ring.queueIndex;
    this.state.hangsDetected++;
    host.logEvent(
      'tx-hang',
      `Detected Tx Unit Hang: queue ${q} TDH ${host.mmio.rd32(R.TDH(q))} TDT ${host.mmio.rd32(R.TDT(q))} ` +
        `next_to_use ${ring.nextToUse & ring.mask} next_to_clean ${ring.nextToClean & ring.mask} at ${now} ns`,
      'error',
    );
  }
}
