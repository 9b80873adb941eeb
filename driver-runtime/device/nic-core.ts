/**
 * SIM-I2xx core (the igb_core.c of NetLanes): owns the register file and the engines, and
 * implements the register side effects. Knows nothing of config space or BAR layout; the
 * SimNic adapter forwards BAR0 here. Pure TypeScript, no Node APIs.
 */
import type { NicBusPort } from './bus-port.ts';
import type { LinkSpeed } from '../sim/units.ts';
import { Interrupts } from './interrupts.ts';
import { LinkState } from './link.ts';
import { RegisterFile, type RegisterHooks } from './register-file.ts';
import { REGISTER_TABLE } from './register-map.ts';
import * as R from './registers.ts';
import { RxEngine } from './rx-engine.ts';
import { TxEngine } from './tx-engine.ts';
import type { WirePeer } from '../net/wire.ts';

export interface NicCoreOptions {
  /** Station address, 6 bytes; loaded into RAL0/RAH0 and EEPROM words 0..2 at reset. */
  mac: Uint8Array;
  linkSpeed: LinkSpeed;
}

const EITR_FIRST = R.EITR_BASE >>> 2;
const EITR_LAST = EITR_FIRST + R.MSIX_VECTORS - 1;
const RTTBCNRC_INDEX = R.RTTBCNRC >>> 2;

export class NicCore implements RegisterHooks {
  readonly regs = new RegisterFile(REGISTER_TABLE);
  readonly link: LinkState;
  readonly interrupts = new Interrupts(this.regs);
  readonly tx: TxEngine;
  readonly rx: RxEngine;
  readonly mac: Uint8Array;
  /** EEPROM image: words 0..2 hold the MAC (little-endian pairs), as igb reads it via EERD. */
  private readonly eeprom = new Uint16Array(64);
  private bus: NicBusPort | null = null;
  private removedFlag = false;

  constructor(options: NicCoreOptions) {
    if (options.mac.length !== 6) throw new Error(`SimNic: MAC must be 6 bytes, got ${options.mac.length}`);
    this.mac = options.mac.slice();
    this.link = new LinkState(options.linkSpeed);
    this.tx = new TxEngine(this.regs, this.interrupts, this.link);
    this.rx = new RxEngine(this.regs, this.interrupts);
    this.regs.bind(this);
    for (let i = 0; i < 3; i++) this.eeprom[i] = this.mac[2 * i] | (this.mac[2 * i + 1] << 8);
    this.reset(false);
  }

  attach(bus: NicBusPort): void {
    this.bus = bus;
    this.regs.tracer = bus.tracer;
    this.interrupts.attach(bus);
    this.tx.attach(bus);
    this.rx.attach(bus);
  }

  get removed(): boolean {
    return this.removedFlag;
  }

  // ---- MMIO ----

  read(offset: number): number {
    if (this.removedFlag) return 0xffffffff;
    // Never inside a stretch today (the driver runs as events); kept exact if that changes.
    this.tx.flushStats();
    return this.regs.read(offset);
  }

  write(offset: number, value: number): void {
    if (this.removedFlag) return;
    this.regs.write(offset, value);
  }

  /**
   * Full reset (power-on, FLR, CTRL.RST): registers to reset values, rings forgotten, in-flight
   * DMA abandoned. EITR survives a software reset (I210-DS p.427); `keepEitr` = false on power-on.
   */
  reset(keepEitr = true): void {
    this.tx.stop();
    this.interrupts.reset();
    this.regs.reset((i) => keepEitr && i >= EITR_FIRST && i <= EITR_LAST);
    const m = this.mac;
    this.regs.set(R.RAL(0), (m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0);
    this.regs.set(R.RAH(0), (m[4] | (m[5] << 8) | R.RAH_AV) >>> 0);
    const depths = [0, 1, 2, 3].map((q) => this.regs.get(R.TXQBURST(q)));
    this.tx.reset(depths);
    this.rx.overrun = false;
    this.link.paused = false;
    this.updateStatus();
  }

  // ---- wire / link ----

  connectWire(peer: WirePeer | null): void {
    this.tx.peer = peer;
  }

  receiveFromWire(frame: Uint8Array, offset: number, length: number): void {
    if (this.removedFlag || !this.link.up) return;
    this.rx.receive(frame, offset, length);
  }

  setLink(up: boolean, speed?: LinkSpeed): void {
    const changed = up !== this.link.up || (speed !== undefined && speed !== this.link.speed);
    this.link.up = up;
    if (speed !== undefined && speed !== this.link.speed) {
      this.link.setSpeed(speed);
      this.tx.limiter.relink(this.link.bps, this.bus?.scheduler.now ?? 0);
      this.tx.floors.relink(this.link.bps, this.bus?.scheduler.now ?? 0);
    }
    this.updateStatus();
    if (!changed || this.removedFlag) return;
    this.bus?.tracer.info('nic', `link ${up ? 'up' : 'down'} ${this.link.speed}`);
    this.interrupts.raiseCauses(R.ICR_LSC);
    if (up) this.tx.globalChanged();
  }

  setPause(paused: boolean): void {
    this.link.paused = paused;
    this.regs.inc(paused ? R.XOFFRXC : R.XONRXC);
    this.updateStatus();
    if (!paused) this.tx.kick();
  }

  /** STATUS is derived from link state (read-only to software). */
  private updateStatus(): void {
    const link = this.link;
    let status = R.STATUS_GIO_MASTER_ENABLE;
    if (link.up) {
      status |= R.STATUS_LU | R.STATUS_FD | R.STATUS_SPEED_1000;
      if (link.speed === '2.5g') status |= R.STATUS_2G5;
      if (link.speed === '10g') status |= R.STATUS_10G;
    }
    if (link.paused) status |= R.STATUS_TXOFF;
    this.regs.set(R.STATUS, status);
  }

  /** Surprise removal: reads all-ones, writes dropped, no DMA, no interrupts. */
  surpriseRemove(): void {
    this.removedFlag = true;
    this.tx.remove();
    this.rx.removed = true;
    this.interrupts.silenced = true;
    this.interrupts.reset();
    this.bus?.tracer.warn('nic', 'surprise removal');
  }

  // ---- RegisterHooks ----

  ctrlWritten(value: number): void {
    if (value & R.CTRL_RST) {
      this.bus?.tracer.info('nic', 'CTRL.RST: device reset');
      this.reset(true);
    }
  }

  icrRead(): number {
    return this.interrupts.icrRead();
  }

  eicrRead(): number {
    return this.interrupts.eicrRead();
  }

  interruptRegisterWritten(index: number, value: number): void {
    this.interrupts.registerWritten(index, value);
  }

  eitrWritten(vector: number): void {
    this.interrupts.eitrWritten(vector);
  }

  txTailWritten(queue: number): void {
    this.tx.tailWritten(queue);
  }

  txControlWritten(queue: number, old: number): void {
    this.tx.controlWritten(queue, old);
  }

  rxControlWritten(): void {
    // Rx needs no state beyond its registers; enabling simply makes RDH..RDT usable.
  }

  ringGeometryWritten(index: number, _value: number, old: number): void {
    const offset = index << 2;
    const tx = offset >= 0xe000;
    const q = (offset - (tx ? 0xe000 : 0xc000)) >> 6;
    const ctl = this.regs.get(tx ? R.TXDCTL(q) : R.RXDCTL(q));
    if (ctl & (tx ? R.TXDCTL_ENABLE : R.RXDCTL_ENABLE)) {
      // I210-DS p.457: program base/length/head only while the queue is disabled.
      this.regs.r[index] = old;
      this.bus?.tracer.warn(
        'nic',
        `ring register 0x${offset.toString(16)} written while queue ${q} enabled (ignored)`,
      );
    }
  }

  txGlobalChanged(): void {
    this.tx.globalChanged();
  }

  rateLimiterRead(): number {
    return this.tx.limiter.config[this.regs.get(R.RTTDQSEL) & 3];
  }

  rateLimiterWritten(value: number): void {
    const q = this.regs.get(R.RTTDQSEL) & 3;
    this.regs.r[RTTBCNRC_INDEX] = value >>> 0;
    this.tx.limiter.configure(q, value, this.link.bps, this.bus?.scheduler.now ?? 0);
    this.tx.kick();
  }

  burstWritten(queue: number): void {
    this.tx.limiter.setDepth(queue, this.regs.get(R.TXQBURST(queue)), this.bus?.scheduler.now ?? 0);
  }

  floorWritten(queue: number): void {
    this.tx.floorWritten(queue, this.regs.get(R.TXQMIN(queue)), this.link.bps);
  }

  eerdWritten(value: number): void {
    if ((value & R.EERD_START) === 0) return;
    const addr = (value >>> R.EERD_ADDR_SHIFT) & 0x3fff;
    const data = addr < this.eeprom.length ? this.eeprom[addr] : 0xffff;
    this.regs.set(R.EERD, (data << R.EERD_DATA_SHIFT) | (addr << R.EERD_ADDR_SHIFT) | R.EERD_DONE);
  }

  mdicWritten(value: number): void {
    let data = value & R.MDIC_DATA_MASK;
    if (value & R.MDIC_OP_READ) {
      const reg = (value >>> R.MDIC_REG_SHIFT) & 0x1f;
      // BMSR: link status (b2) and autoneg complete (b5) follow the simulated link.
      data = reg === R.PHY_BMSR ? (this.link.up ? 0x796d : 0x7949) : 0;
    }
    this.regs.set(R.MDIC, ((value & ~R.MDIC_DATA_MASK & ~(1 << 30)) | data | R.MDIC_READY) >>> 0);
  }
}
