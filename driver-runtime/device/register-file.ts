/**
 * The BAR0 register file: a Uint32Array indexed by offset / 4 (QEMU's `mac[]`), reached only
 * through one dispatch table built at module load from the declarative entries in
 * register-map.ts. Generic semantics (masks, read-only, write-1-to-clear, clear-on-read,
 * saturating counters, 64-bit pairs, self-clearing bits) live here; side effects are hooks
 * into the core (RegisterHooks), like igb_core.c's readops/writeops tables.
 */
import type { DeviceTrace } from './bus-port.ts';
import { BAR0_SIZE } from './registers.ts';

export const REG_COUNT = BAR0_SIZE >>> 2;

/** Register is known (has an entry). Set by the table builder. */
export const RF_KNOWN = 1 << 0;
/** Writes are ignored with a "write to read-only" warning. */
export const RF_RO = 1 << 1;
/** A write clears the bits written as 1. */
export const RF_W1C = 1 << 2;
/** A read returns the value and clears it (statistics). */
export const RF_COR = 1 << 3;
/** Low half of a 64-bit counter: plain read, cleared together with the high half. */
export const RF_LOW64 = 1 << 4;
/** High half of a 64-bit counter: reading it clears both halves (QEMU read_clr8). */
export const RF_HIGH64 = 1 << 5;
/** Write-only command register (ICS, IMC, EICS, EIMC): nothing stored, reads return 0. */
export const RF_WO = 1 << 6;
/** The write hook owns storage entirely (e.g. IMS sets bits, RTTBCNRC is banked). */
export const RF_HOOK_ONLY = 1 << 7;

/** Side effects the core implements; hooks receive the register index (offset / 4). */
export interface RegisterHooks {
  ctrlWritten(value: number): void;
  icrRead(): number;
  eicrRead(): number;
  interruptRegisterWritten(index: number, value: number): void;
  eitrWritten(vector: number, value: number): void;
  txTailWritten(queue: number): void;
  txControlWritten(queue: number, old: number): void;
  rxControlWritten(queue: number, old: number): void;
  /** Base/length/head of a ring: stored only while the queue is disabled (I210-DS p.457). */
  ringGeometryWritten(index: number, value: number, old: number): void;
  txGlobalChanged(): void;
  rateLimiterRead(): number;
  rateLimiterWritten(value: number): void;
  burstWritten(queue: number): void;
  /** TXQMIN(n) (OURS): queue n's floor changed. */
  floorWritten(queue: number): void;
  eerdWritten(value: number): void;
  mdicWritten(value: number): void;
}

export type ReadHook = (dev: RegisterHooks, index: number) => number;
export type WriteHook = (dev: RegisterHooks, index: number, value: number, old: number) => void;

/** One declarative table row; `count`/`stride` expand register arrays. */
export interface RegisterEntry {
  reg: number;
  count?: number;
  /** Byte stride between array elements (default 4). */
  stride?: number;
  /** Writable bits (default all). */
  mask?: number;
  flags?: number;
  /** Bits cleared right after the write hook ran (self-clearing commands such as CTRL.RST). */
  selfClear?: number;
  /** Extra offsets that alias this register (legacy queue-register aliases). */
  aliases?: readonly number[];
  read?: ReadHook;
  write?: WriteHook;
}

/** The dispatch table, one slot per 32-bit register. */
export interface RegisterTable {
  flags: Uint8Array;
  mask: Uint32Array;
  selfClear: Uint32Array;
  /** Canonical storage index for aliases; equals the index otherwise. */
  canonical: Int32Array;
  read: (ReadHook | undefined)[];
  write: (WriteHook | undefined)[];
  /** Sparse reset values: [index, value] pairs. */
  resetIndex: Int32Array;
  resetValue: Uint32Array;
}

export function buildRegisterTable(
  entries: readonly RegisterEntry[],
  resetValues: readonly (readonly [number, number])[],
): RegisterTable {
  const table: RegisterTable = {
    flags: new Uint8Array(REG_COUNT),
    mask: new Uint32Array(REG_COUNT),
    selfClear: new Uint32Array(REG_COUNT),
    canonical: new Int32Array(REG_COUNT),
    read: new Array<ReadHook | undefined>(REG_COUNT).fill(undefined),
    write: new Array<WriteHook | undefined>(REG_COUNT).fill(undefined),
    resetIndex: new Int32Array(resetValues.length),
    resetValue: new Uint32Array(resetValues.length),
  };
  for (let i = 0; i < REG_COUNT; i++) table.canonical[i] = i;
  for (const e of entries) {
    const count = e.count ?? 1;
    const stride = e.stride ?? 4;
    for (let k = 0; k < count; k++) {
      const index = (e.reg + k * stride) >>> 2;
      table.flags[index] = RF_KNOWN | (e.flags ?? 0);
      table.mask[index] = (e.mask ?? 0xffffffff) >>> 0;
      table.selfClear[index] = (e.selfClear ?? 0) >>> 0;
      table.read[index] = e.read;
      table.write[index] = e.write;
    }
    for (const alias of e.aliases ?? []) {
      const a = alias >>> 2;
      const target = e.reg >>> 2;
      table.flags[a] = table.flags[target];
      table.mask[a] = table.mask[target];
      table.selfClear[a] = table.selfClear[target];
      table.read[a] = e.read;
      table.write[a] = e.write;
      table.canonical[a] = target;
    }
  }
  resetValues.forEach(([offset, value], i) => {
    table.resetIndex[i] = offset >>> 2;
    table.resetValue[i] = value >>> 0;
  });
  return table;
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(5, '0');

export class RegisterFile {
  /** Raw storage; the core reads and updates state registers (TDH, ICR, ...) directly. */
  readonly r = new Uint32Array(REG_COUNT);
  tracer: DeviceTrace | null = null;

  constructor(
    private readonly table: RegisterTable,
    private hooks: RegisterHooks | null = null,
  ) {}

  bind(hooks: RegisterHooks): void {
    this.hooks = hooks;
  }

  /** Guest read of a 32-bit register at a byte offset. Unknown offsets read 0 and trace. */
  read(offset: number): number {
    const t = this.table;
    const index = offset >>> 2;
    const flags = index < REG_COUNT ? t.flags[index] : 0;
    if ((flags & RF_KNOWN) === 0) {
      this.tracer?.log('debug', 'nic', `unknown register read ${hex(offset)}`);
      return 0;
    }
    if (flags & RF_WO) return 0;
    const hook = t.read[index];
    if (hook !== undefined && this.hooks !== null) return hook(this.hooks, index) >>> 0;
    const c = t.canonical[index];
    const value = this.r[c];
    if (flags & RF_COR) this.r[c] = 0;
    if (flags & RF_HIGH64) {
      this.r[c] = 0;
      this.r[c - 1] = 0;
    }
    return value;
  }

  /** Guest write of a 32-bit register at a byte offset. */
  write(offset: number, value: number): void {
    const t = this.table;
    const index = offset >>> 2;
    const flags = index < REG_COUNT ? t.flags[index] : 0;
    value >>>= 0;
    if ((flags & RF_KNOWN) === 0) {
      this.tracer?.log('debug', 'nic', `unknown register write ${hex(offset)} = 0x${value.toString(16)}`);
      return;
    }
    if (flags & RF_RO) {
      this.tracer?.warn('nic', `write to read-only register ${hex(offset)} = 0x${value.toString(16)}`);
      return;
    }
    const c = t.canonical[index];
    const old = this.r[c];
    if (flags & RF_W1C) this.r[c] = old & ~value;
    else if ((flags & (RF_WO | RF_HOOK_ONLY)) === 0) this.store(c, value);
    const hook = t.write[index];
    if (hook !== undefined && this.hooks !== null) hook(this.hooks, c, value, old);
    const sc = t.selfClear[index];
    if (sc !== 0) this.r[c] &= ~sc;
  }

  /** Stores `value` through the register's writable mask. */
  store(index: number, value: number): void {
    const m = this.table.mask[index];
    this.r[index] = (this.r[index] & ~m) | (value & m);
  }

  /** Loads reset values; indexes for which `keep` returns true keep their contents. */
  reset(keep: (index: number) => boolean): void {
    const t = this.table;
    for (let i = 0; i < REG_COUNT; i++) if (!keep(i)) this.r[i] = 0;
    for (let k = 0; k < t.resetIndex.length; k++) {
      const i = t.resetIndex[k];
      if (!keep(i)) this.r[i] = t.resetValue[k];
    }
  }

  /** Saturating 32-bit counter increment (QEMU inc_reg_if_not_full). */
  inc(offset: number, by = 1): void {
    const i = offset >>> 2;
    const v = this.r[i] + by;
    this.r[i] = v > 0xffffffff ? 0xffffffff : v;
  }

  /**
   * Adds to a 64-bit counter pair (low at `lowOffset`, high at +4), saturating at 2^64-1:
   * min(value + by, 2^64-1) for any `by` below 2^53 (a stretch's sum as well as one frame).
   */
  add64(lowOffset: number, by: number): void {
    const i = lowOffset >>> 2;
    const low = this.r[i] + by;
    if (low <= 0xffffffff) {
      this.r[i] = low;
      return;
    }
    const carry = Math.floor(low / 0x1_0000_0000);
    const high = this.r[i + 1] + carry;
    if (high > 0xffffffff) {
      this.r[i] = 0xffffffff;
      this.r[i + 1] = 0xffffffff;
      return;
    }
    this.r[i] = low - carry * 0x1_0000_0000;
    this.r[i + 1] = high;
  }

  get(offset: number): number {
    return this.r[offset >>> 2];
  }

  set(offset: number, value: number): void {
    this.r[offset >>> 2] = value >>> 0;
  }
}
