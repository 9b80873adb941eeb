/**
 * Interrupt manager (nic-model §1.4, §6.5), modelled on QEMU igb_raise_interrupts:
 * causes are OR-ed into ICR (legacy/other) or EICR (one bit per MSI-X vector), masked by
 * IMS / EIMS, throttled per vector by EITR, and delivered through `bus.signalMsix(vector)`
 * at virtual times. Without GPIE.MSIX_MODE every cause goes to vector 0 (MSI) when ICR & IMS.
 *
 * EITR (I210-DS p.327-328, p.427): interval bits 14:2 in 1 µs units. After an interrupt the
 * counter reloads; while it runs further causes wait; when it has expired with no cause it
 * stays at 0, so the next cause fires immediately. Interval 0 = no moderation; writing 0 fires
 * any pending cause at once.
 */
import type { NicBusPort } from './bus-port.ts';
import type { EventHandler, Scheduler } from '../sim/scheduler.ts';
import type { RegisterFile } from './register-file.ts';
import * as R from './registers.ts';

const NO_EVENT = -1;
const STORM_ARG = 8;
const ALL_VECTORS = (1 << R.MSIX_VECTORS) - 1;
const ICR_I = R.ICR >>> 2;
const GPIE_I = R.GPIE >>> 2;
const EICR_I = R.EICR >>> 2;

export class Interrupts implements EventHandler {
  /** Time before which vector v may not fire again (EITR counter expiry). */
  private readonly throttleUntil = new Float64Array(R.MSIX_VECTORS);
  private readonly fireEvent = new Float64Array(R.MSIX_VECTORS).fill(NO_EVENT);
  private readonly stormRemaining = new Int32Array(R.MSIX_VECTORS);
  private readonly stormEvent = new Float64Array(R.MSIX_VECTORS).fill(NO_EVENT);
  private loseRemaining = 0;
  private bus: NicBusPort | null = null;
  private sched: Scheduler | null = null;
  /** Set by surprise removal: nothing is delivered any more. */
  silenced = false;
  /** Messages actually sent per vector (for tests and the UI). */
  readonly delivered = new Float64Array(R.MSIX_VECTORS);

  constructor(private readonly regs: RegisterFile) {}

  attach(bus: NicBusPort): void {
    this.bus = bus;
    this.sched = bus.scheduler;
  }

  private msix(): boolean {
    return (this.regs.get(R.GPIE) & R.GPIE_MSIX_MODE) !== 0;
  }

  /** Vector of a queue cause from IVAR0..1 (82580/I210 layout), or -1 if not valid. */
  queueVector(queue: number, tx: boolean): number {
    const ivar = this.regs.get(R.IVAR(queue >> 1));
    const shift = (queue & 1) * 16 + (tx ? 8 : 0);
    const entry = (ivar >>> shift) & 0xff;
    return entry & R.IVAR_VALID ? entry & 0x7 : -1;
  }

  /**
   * When queue `queue`'s interrupt may next fire: the end of its vector's EITR interval (at or
   * before now when it may fire at once). The I210 uses the same counter to time Tx
   * descriptor write-back flushes.
   */
  nextFireNs(queue: number, tx: boolean): number {
    const v = this.msix() ? this.queueVector(queue, tx) : 0;
    return v >= 0 && v < R.MSIX_VECTORS ? this.throttleUntil[v] : 0;
  }

  private otherVector(): number {
    const entry = (this.regs.get(R.IVAR_MISC) >>> 8) & 0xff;
    return entry & R.IVAR_VALID ? entry & 0x7 : -1;
  }

  /** A Tx or Rx queue completed work: ICR.TXDW/RXDW, plus the queue's EICR bit in MSI-X mode. */
  raiseQueue(queue: number, tx: boolean): void {
    const r = this.regs.r;
    r[ICR_I] |= tx ? R.ICR_TXDW : R.ICR_RXDW;
    if ((r[GPIE_I] & R.GPIE_MSIX_MODE) === 0) {
      this.evaluateLegacy();
      return;
    }
    const v = this.queueVector(queue, tx);
    if (v < 0 || v >= R.MSIX_VECTORS) return;
    r[EICR_I] |= 1 << v;
    // Hot path: a moderated vector whose fire is already scheduled needs nothing more.
    if (this.fireEvent[v] === NO_EVENT) this.evaluate(v);
  }

  /** Non-queue causes (LSC, RXO, DOUTSYNC, RXDMT0, ICS writes). */
  raiseCauses(bits: number): void {
    this.regs.r[R.ICR >>> 2] |= bits;
    if (!this.msix()) {
      this.evaluateLegacy();
      return;
    }
    this.routeOther();
  }

  private routeOther(): void {
    const icr = this.regs.get(R.ICR);
    const v = this.otherVector();
    if (icr & this.regs.get(R.IMS) & R.ICR_OTHER_CAUSES && v >= 0 && v < R.MSIX_VECTORS)
      this.raiseVectors(1 << v);
  }

  raiseVectors(bits: number): void {
    this.regs.r[R.EICR >>> 2] |= bits & ALL_VECTORS;
    for (let v = 0; v < R.MSIX_VECTORS; v++) if ((bits >> v) & 1) this.evaluate(v);
  }

  private evaluateLegacy(): void {
    if ((this.regs.get(R.ICR) & this.regs.get(R.IMS)) !== 0) this.evaluate(0);
  }

  private pending(v: number): boolean {
    if (this.msix()) return ((this.regs.get(R.EICR) & this.regs.get(R.EIMS)) >> v) & 1 ? true : false;
    return v === 0 && (this.regs.get(R.ICR) & this.regs.get(R.IMS)) !== 0;
  }

  /** Fires now if the EITR counter allows, otherwise makes sure a fire is scheduled. */
  private evaluate(v: number): void {
    const sched = this.sched;
    if (sched === null || this.silenced || !this.pending(v) || this.fireEvent[v] !== NO_EVENT) return;
    if (sched.now >= this.throttleUntil[v]) this.fire(v);
    else this.fireEvent[v] = sched.schedule(this.throttleUntil[v], this, v);
  }

  private intervalNs(v: number): number {
    const eitr = this.regs.get(R.EITR(v));
    return ((eitr & R.EITR_INTERVAL_MASK) >>> R.EITR_INTERVAL_SHIFT) * R.EITR_UNIT_NS;
  }

  private fire(v: number): void {
    const sched = this.sched;
    const bus = this.bus;
    if (sched === null || bus === null) return;
    this.throttleUntil[v] = sched.now + this.intervalNs(v);
    if (this.msix()) {
      const bit = 1 << v;
      // EIAC: auto-clear the cause on delivery; EIAM (with GPIE.EIAME): auto-mask.
      this.regs.r[R.EICR >>> 2] &= ~(this.regs.get(R.EIAC) & bit);
      if (this.regs.get(R.GPIE) & R.GPIE_EIAME) this.regs.r[R.EIMS >>> 2] &= ~(this.regs.get(R.EIAM) & bit);
    }
    this.regs.inc(R.IAC);
    if (this.loseRemaining > 0) {
      this.loseRemaining--;
      return;
    }
    this.delivered[v]++;
    bus.signalMsix(v);
  }

  onEvent(arg: number): void {
    if (arg >= STORM_ARG) {
      this.stormStep(arg - STORM_ARG);
      return;
    }
    this.fireEvent[arg] = NO_EVENT;
    if (!this.silenced && this.pending(arg)) this.fire(arg);
  }

  // ---- register side effects ----

  icrRead(): number {
    const icr = this.regs.get(R.ICR);
    const asserted = (icr & this.regs.get(R.IMS)) !== 0;
    const value = (asserted ? icr | R.ICR_INT_ASSERTED : icr) >>> 0;
    // QEMU rules (nic-model §1.4): clear on read if NSICR, IMS == 0, INT_ASSERTED or not MSI-X.
    if (
      (this.regs.get(R.GPIE) & R.GPIE_NSICR) !== 0 ||
      this.regs.get(R.IMS) === 0 ||
      asserted ||
      !this.msix()
    ) {
      this.regs.set(R.ICR, 0);
    }
    return value;
  }

  /** EICR reads clear it [M: I210 EICR documented as read/clear, datasheet section not re-read]. */
  eicrRead(): number {
    const value = this.regs.get(R.EICR);
    this.regs.set(R.EICR, 0);
    return value;
  }

  registerWritten(index: number, value: number): void {
    const offset = index << 2;
    switch (offset) {
      case R.ICS:
        this.raiseCauses(value & ~R.ICR_INT_ASSERTED);
        break;
      case R.IMS:
        this.regs.r[index] |= value;
        if (this.msix()) this.routeOther();
        else this.evaluateLegacy();
        break;
      case R.IMC:
        this.regs.r[R.IMS >>> 2] &= ~value;
        break;
      case R.EICS:
        this.raiseVectors(value);
        break;
      case R.EIMS:
        this.regs.r[index] |= value & ALL_VECTORS;
        for (let v = 0; v < R.MSIX_VECTORS; v++) if ((value >> v) & 1) this.evaluate(v);
        break;
      case R.EIMC:
        this.regs.r[R.EIMS >>> 2] &= ~value;
        break;
      default:
        // ICR/EICR W1C, GPIE and IVAR changes: re-evaluate everything pending.
        for (let v = 0; v < R.MSIX_VECTORS; v++) this.evaluate(v);
    }
  }

  eitrWritten(v: number): void {
    if (this.intervalNs(v) === 0) {
      this.throttleUntil[v] = 0;
      if (this.fireEvent[v] !== NO_EVENT) {
        this.sched?.cancel(this.fireEvent[v]);
        this.fireEvent[v] = NO_EVENT;
      }
      this.evaluate(v);
    }
  }

  /** Causes set but masked: EICR & ~EIMS in MSI-X mode, ICR & ~IMS otherwise. */
  pendingMasked(): number {
    if (this.msix()) return (this.regs.get(R.EICR) & ~this.regs.get(R.EIMS) & ALL_VECTORS) >>> 0;
    return (this.regs.get(R.ICR) & ~this.regs.get(R.IMS)) >>> 0;
  }

  // ---- faults ----

  loseNext(count: number): void {
    this.loseRemaining += count;
  }

  /** Sends `count` extra messages on `vector`, one event each at the current time, bypassing EITR. */
  storm(vector: number, count: number): void {
    if (vector < 0 || vector >= R.MSIX_VECTORS || count <= 0 || this.sched === null) return;
    this.stormRemaining[vector] += count;
    if (this.stormEvent[vector] === NO_EVENT)
      this.stormEvent[vector] = this.sched.schedule(this.sched.now, this, STORM_ARG + vector);
  }

  private stormStep(v: number): void {
    this.stormEvent[v] = NO_EVENT;
    if (this.silenced || this.bus === null || this.sched === null || this.stormRemaining[v] <= 0) return;
    this.stormRemaining[v]--;
    this.delivered[v]++;
    this.bus.signalMsix(v);
    if (this.stormRemaining[v] > 0)
      this.stormEvent[v] = this.sched.schedule(this.sched.now, this, STORM_ARG + v);
  }

  /** Device reset: forget timers and faults. EITR registers themselves survive (I210-DS p.427). */
  reset(): void {
    for (let v = 0; v < R.MSIX_VECTORS; v++) {
      if (this.fireEvent[v] !== NO_EVENT) this.sched?.cancel(this.fireEvent[v]);
      if (this.stormEvent[v] !== NO_EVENT) this.sched?.cancel(this.stormEvent[v]);
    }
    this.fireEvent.fill(NO_EVENT);
    this.stormEvent.fill(NO_EVENT);
    this.stormRemaining.fill(0);
    this.throttleUntil.fill(0);
    this.loseRemaining = 0;
  }
}
