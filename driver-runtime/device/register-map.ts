/**
 * Declarative SIM-I2xx register table (nic-model §6.2) and sparse reset values.
 * Every driver-visible register has exactly one row; behaviour beyond plain storage is a hook.
 */
import {
  buildRegisterTable,
  RF_COR,
  RF_HIGH64,
  RF_HOOK_ONLY,
  RF_LOW64,
  RF_RO,
  RF_W1C,
  RF_WO,
  type RegisterEntry,
  type RegisterHooks,
  type RegisterTable,
} from './register-file.ts';
import * as R from './registers.ts';

/** Default token-bucket depth: two maximum frames on the wire (9728 + FCS 4 + preamble 8 + IFG 12). */
export const TXQBURST_DEFAULT = 2 * (R.MAX_TX_PACKET + 4 + 8 + 12);
/** TXARB reset: slot k owned by queue k (I210 Qav order, queue 0 highest) [M: I225 reset value not read]. */
export const TXARB_RESET = 0b11_10_01_00;

const queueOf = (index: number, base: number): number => ((index << 2) - base) >> 6;
const interrupt = (h: RegisterHooks, i: number, v: number): void => h.interruptRegisterWritten(i, v);

function statistics(): RegisterEntry[] {
  const rows: RegisterEntry[] = [];
  const low64 = new Set<number>(R.STATS_64BIT_LOW);
  for (let off = R.STATS_FIRST; off <= R.STATS_LAST; off += 4) {
    if (low64.has(off)) rows.push({ reg: off, flags: RF_RO | RF_LOW64 });
    else if (low64.has(off - 4)) rows.push({ reg: off, flags: RF_RO | RF_HIGH64 });
    else rows.push({ reg: off, flags: RF_RO | RF_COR });
  }
  return rows;
}

function queueRegisters(): RegisterEntry[] {
  const rows: RegisterEntry[] = [];
  for (let n = 0; n < R.NUM_QUEUES; n++) {
    const rxAlias = (off: number): number[] => [R.RX_ALIAS_BASE + 0x100 * n + (off - 0xc000)];
    const txAlias = (off: number): number[] => [R.TX_ALIAS_BASE + 0x100 * n + (off - 0xe000)];
    const geometry = (mask: number) => ({
      mask,
      write: (h: RegisterHooks, i: number, v: number, old: number) => h.ringGeometryWritten(i, v, old),
    });
    rows.push(
      { reg: R.RDBAL(n), aliases: rxAlias(0xc000), ...geometry(R.RING_BASE_ALIGN_MASK) },
      { reg: R.RDBAH(n), aliases: rxAlias(0xc004), ...geometry(0xffffffff) },
      { reg: R.RDLEN(n), aliases: rxAlias(0xc008), ...geometry(R.RING_LEN_MASK) },
      { reg: R.SRRCTL(n), aliases: rxAlias(0xc00c) },
      { reg: R.RDH(n), aliases: rxAlias(0xc010), ...geometry(R.RING_INDEX_MASK) },
      { reg: R.RXCTL(n) },
      { reg: R.RDT(n), aliases: rxAlias(0xc018), mask: R.RING_INDEX_MASK },
      {
        reg: R.RXDCTL(n),
        aliases: rxAlias(0xc028),
        write: (h, i, _v, old) => h.rxControlWritten(queueOf(i, 0xc000), old),
      },
      { reg: R.RQDPC(n), flags: RF_RO | RF_COR },
      { reg: R.TDBAL(n), aliases: txAlias(0xe000), ...geometry(R.RING_BASE_ALIGN_MASK) },
      { reg: R.TDBAH(n), aliases: txAlias(0xe004), ...geometry(0xffffffff) },
      { reg: R.TDLEN(n), aliases: txAlias(0xe008), ...geometry(R.RING_LEN_MASK) },
      { reg: R.TDH(n), aliases: txAlias(0xe010), ...geometry(R.RING_INDEX_MASK) },
      { reg: R.TXCTL(n) },
      {
        reg: R.TDT(n),
        aliases: txAlias(0xe018),
        mask: R.RING_INDEX_MASK,
        write: (h, i) => h.txTailWritten(queueOf(i, 0xe000)),
      },
      {
        reg: R.TXDCTL(n),
        aliases: txAlias(0xe028),
        write: (h, i, _v, old) => h.txControlWritten(queueOf(i, 0xe000), old),
      },
      { reg: R.TDWBAL(n) },
      { reg: R.TDWBAH(n) },
      { reg: R.TQAVCC(n) },
      { reg: R.TQAVHC(n) },
      { reg: R.TXQWRR(n), write: (h) => h.txGlobalChanged() },
      { reg: R.TXQBURST(n), write: (h) => h.burstWritten(n) },
      { reg: R.TXQMIN(n), mask: R.TXQMIN_WRITABLE, write: (h) => h.floorWritten(n) },
      { reg: R.TQPC(n), flags: RF_RO | RF_COR },
      { reg: R.TQSTALL(n), flags: RF_RO | RF_COR },
      { reg: R.TQBCL(n), flags: RF_RO | RF_LOW64 },
      { reg: R.TQBCH(n), flags: RF_RO | RF_HIGH64 },
    );
  }
  return rows;
}

export const REGISTER_MAP: readonly RegisterEntry[] = [
  { reg: R.CTRL, selfClear: R.CTRL_RST, write: (h, _i, v) => h.ctrlWritten(v) },
  { reg: R.STATUS, flags: RF_RO },
  { reg: R.EECD },
  { reg: R.EERD, flags: RF_HOOK_ONLY, write: (h, _i, v) => h.eerdWritten(v) },
  { reg: R.CTRL_EXT },
  { reg: R.MDIC, flags: RF_HOOK_ONLY, write: (h, _i, v) => h.mdicWritten(v) },
  { reg: R.VET, mask: 0xffff },
  // Interrupts (nic-model §1.4, §6.5).
  { reg: R.ICR, flags: RF_W1C, read: (h) => h.icrRead(), write: interrupt },
  { reg: R.ITR },
  { reg: R.ICS, flags: RF_WO, write: interrupt },
  { reg: R.IMS, flags: RF_HOOK_ONLY, write: interrupt },
  { reg: R.IMC, flags: RF_WO, write: interrupt },
  { reg: R.IAM },
  { reg: R.GPIE, write: interrupt },
  { reg: R.EICS, flags: RF_WO, write: interrupt },
  { reg: R.EIMS, flags: RF_HOOK_ONLY, write: interrupt },
  { reg: R.EIMC, flags: RF_WO, write: interrupt },
  { reg: R.EIAC, mask: (1 << R.MSIX_VECTORS) - 1 },
  { reg: R.EIAM, mask: (1 << R.MSIX_VECTORS) - 1 },
  { reg: R.EICR, flags: RF_W1C, read: (h) => h.eicrRead(), write: interrupt },
  {
    reg: R.EITR_BASE,
    count: R.MSIX_VECTORS,
    mask: R.EITR_INTERVAL_MASK | 0x80000000,
    write: (h, i, v) => h.eitrWritten(((i << 2) - R.EITR_BASE) >> 2, v),
  },
  { reg: R.IVAR0, count: 2, write: interrupt },
  { reg: R.IVAR_MISC, write: interrupt },
  // Rx / Tx control.
  { reg: R.RCTL },
  { reg: R.TCTL, write: (h) => h.txGlobalChanged() },
  { reg: R.TCTL_EXT },
  { reg: R.TIPG },
  { reg: R.RXPBS },
  { reg: R.TXPBS },
  { reg: R.DTXMXPKTSZ },
  { reg: R.TQAVCTRL, write: (h) => h.txGlobalChanged() },
  { reg: R.TXARB, mask: 0xff, write: (h) => h.txGlobalChanged() },
  { reg: R.RTTDQSEL, mask: 0x3 },
  { reg: R.RTTBCNRM },
  {
    reg: R.RTTBCNRC,
    flags: RF_HOOK_ONLY,
    read: (h) => h.rateLimiterRead(),
    write: (h, _i, v) => h.rateLimiterWritten(v),
  },
  { reg: R.TXSCHED, mask: 0x3, write: (h) => h.txGlobalChanged() },
  ...statistics(),
  // Rx filters and RSS (nic-model §1.7).
  { reg: R.RXCSUM },
  { reg: R.RLPML },
  { reg: R.RFCTL },
  { reg: R.MTA_BASE, count: R.MTA_COUNT },
  { reg: R.RAL(0), count: R.RA_COUNT, stride: 8 },
  { reg: R.RAH(0), count: R.RA_COUNT, stride: 8, mask: 0x903fffff },
  { reg: R.VLAPQF },
  { reg: R.VFTA_BASE, count: 128 },
  { reg: R.MRQC },
  { reg: R.RETA_BASE, count: R.RETA_COUNT },
  { reg: R.RSSRK_BASE, count: R.RSSRK_COUNT },
  ...queueRegisters(),
];

/** Sparse reset values (QEMU igb_mac_reg_init where known; others documented in place). */
export const RESET_VALUES: readonly (readonly [number, number])[] = [
  [R.VET, 0x8100],
  // QEMU: PSP | CT 0xF | COLD 0x40.
  [R.TCTL, R.TCTL_PSP | (0xf << 4) | (0x40 << 12)],
  [R.TIPG, 0x08 | (0x04 << 10) | (0x06 << 20)],
  // 9728 bytes in 64-byte units (I210 default max Tx packet).
  [R.DTXMXPKTSZ, R.MAX_TX_PACKET / 64],
  [R.TXARB, TXARB_RESET],
  [R.RTTBCNRM, 0x14],
  ...[0, 1, 2, 3].map((n) => [R.SRRCTL(n), R.SRRCTL_DESCTYPE_ADV_ONEBUF | 2] as const),
  ...[0, 1, 2, 3].map((n) => [R.TXQBURST(n), TXQBURST_DEFAULT] as const),
  // TXQMIN(n) (OURS starvation guard) resets to 0 = no floor, like every unlisted register.
];

export const REGISTER_TABLE: RegisterTable = buildRegisterTable(REGISTER_MAP, RESET_VALUES);
