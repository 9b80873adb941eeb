/** What the pacer drives: a clock it can read and run up to a time (a Scheduler, or a machine). */
export interface PacedClock {
  readonly now: number;
  runUntil(timeNs: number): void;
}

/** A wall clock in ms; injected so tests can drive the pacer without real time. */
export interface WallClock {
  nowMs(): number;
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemWallClock: WallClock = {
  nowMs: () => performance.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface PacerStats {
  /** Wall time spent running events, ms. */
  busyMs: number;
  /** Wall time elapsed since start, ms. */
  elapsedMs: number;
  /** Virtual ns behind the wall clock at the last tick (0 when keeping up). */
  lagNs: number;
}

/**
 * Real-time mode: ticks every `tickMs` of wall time and runs the scheduler up to the
 * matching virtual time (times `speed`). If a tick takes longer than its slice, virtual
 * time falls behind and the lag is reported rather than hidden.
 */
export class Pacer {
  private timer: unknown = null;
  private startWallMs = 0;
  private startVirtualNs = 0;
  private busyMs = 0;
  private lagNs = 0;

  constructor(
    private readonly scheduler: PacedClock,
    private readonly clock: WallClock = systemWallClock,
    private readonly tickMs = 10,
    private readonly speed = 1,
    /** Most virtual time one tick may cover, so a stall does not turn into a huge catch-up. */
    private readonly maxCatchUpNs = 200_000_000,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null) return;
    this.startWallMs = this.clock.nowMs();
    this.startVirtualNs = this.scheduler.now;
    this.busyMs = 0;
    this.schedule();
  }

  stop(): void {
    if (this.timer === null) return;
    this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  stats(): PacerStats {
    return { busyMs: this.busyMs, elapsedMs: this.clock.nowMs() - this.startWallMs, lagNs: this.lagNs };
  }

  /** Runs one tick now; public so tests can step it. */
  tick(): void {
    const wall = this.clock.nowMs();
    const target = this.startVirtualNs + (wall - this.startWallMs) * 1e6 * this.speed;
    const until = Math.min(target, this.scheduler.now + this.maxCatchUpNs);
    this.scheduler.runUntil(until);
    this.lagNs = Math.max(0, target - this.scheduler.now);
    if (this.lagNs > this.maxCatchUpNs) {
      // Re-anchor: we cannot keep up; slow virtual time rather than spiral.
      this.startVirtualNs = this.scheduler.now;
      this.startWallMs = wall;
    }
    this.busyMs += this.clock.nowMs() - wall;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(() => {
      if (this.timer === null) return;
      this.tick();
      if (this.timer !== null) this.schedule();
    }, this.tickMs);
  }
}
