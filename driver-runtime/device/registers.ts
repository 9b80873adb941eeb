/**
 * SIM-I2xx register map: byte offsets into BAR0 and bit constants.
 *
 * Names and offsets follow the Intel I210 (igb) family as recorded in
 * /work/shared/reference/nic-model.md (§1.2-1.8, sourced from Linux e1000_regs.h and QEMU
 * igb_regs.h); the proposed SIM-I2xx spec is nic-model §6. Anything marked OURS has no
 * real-device equivalent and is a NetLanes extension.
 */

/** BAR0 is 128 KiB of 32-bit registers (nic-model §1.1, QEMU igb.c). */
export const BAR0_SIZE = 128 * 1024;

// ---- Global control / status (nic-model §1.2) ----
export const CTRL = 0x00000;
export const STATUS = 0x00008;
export const EECD = 0x00010;
export const EERD = 0x00014;
export const CTRL_EXT = 0x00018;
export const MDIC = 0x00020;
export const VET = 0x00038;

export const CTRL_FD = 1 << 0;
export const CTRL_SLU = 1 << 6;
/** Self-clearing full device reset (§6.2). EITR survives it (I210-DS p.427). */
export const CTRL_RST = 1 << 26;
/** VLAN mode enable: strip 802.1Q tags on Rx and report them in the descriptor. */
export const CTRL_VME = 1 << 30;

export const STATUS_FD = 1 << 0;
export const STATUS_LU = 1 << 1;
/** Transmission paused by a received XOFF frame (igc bit; SIM-I2xx §6.2). */
export const STATUS_TXOFF = 1 << 4;
export const STATUS_SPEED_SHIFT = 6;
export const STATUS_SPEED_1000 = 2 << STATUS_SPEED_SHIFT;
/** 2.5 Gb/s indication (I225, nic-model §1.1). */
export const STATUS_2G5 = 1 << 22;
/** OURS: 10 Gb/s indication (no igb/igc equivalent). SPEED field still reads 1000. */
export const STATUS_10G = 1 << 23;
export const STATUS_GIO_MASTER_ENABLE = 1 << 19;

export const EERD_START = 1 << 0;
export const EERD_DONE = 1 << 1;
export const EERD_ADDR_SHIFT = 2;
export const EERD_DATA_SHIFT = 16;

export const MDIC_DATA_MASK = 0xffff;
export const MDIC_REG_SHIFT = 16;
export const MDIC_OP_READ = 1 << 27;
export const MDIC_READY = 1 << 28;
/** PHY register 1 (BMSR): link status bit 2, autoneg complete bit 5. */
export const PHY_BMSR = 1;

// ---- Interrupts (nic-model §1.4) ----
export const ICR = 0x000c0;
export const ITR = 0x000c4;
export const ICS = 0x000c8;
export const IMS = 0x000d0;
export const IMC = 0x000d8;
export const IAM = 0x000e0;

export const ICR_TXDW = 1 << 0;
export const ICR_TXQE = 1 << 1;
export const ICR_LSC = 1 << 2;
export const ICR_RXDMT0 = 1 << 4;
export const ICR_RXO = 1 << 6;
export const ICR_RXDW = 1 << 7;
/** DMA out of sync: SIM-I2xx uses it for every Tx DMA error fault (§6.7). */
export const ICR_DOUTSYNC = 1 << 28;
export const ICR_INT_ASSERTED = 1 << 31;
/** Causes that go to the "other" MSI-X vector (IVAR_MISC) in MSI-X mode. Queue causes use IVAR. */
export const ICR_OTHER_CAUSES = ICR_LSC | ICR_RXDMT0 | ICR_RXO | ICR_DOUTSYNC;

export const GPIE = 0x01514;
export const GPIE_NSICR = 1 << 0;
export const GPIE_MSIX_MODE = 1 << 4;
export const GPIE_EIAME = 1 << 30;
export const GPIE_PBA = 1 << 31;

export const EICS = 0x01520;
export const EIMS = 0x01524;
export const EIMC = 0x01528;
export const EIAC = 0x0152c;
export const EIAM = 0x01530;
export const EICR = 0x01580;

/** Per-vector throttle (I210: 5 vectors). Interval bits 14:2 in 1 µs units (I210-DS p.427). */
export const EITR_BASE = 0x01680;
export const EITR = (v: number): number => EITR_BASE + 4 * v;
export const EITR_INTERVAL_MASK = 0x7ffc;
export const EITR_INTERVAL_SHIFT = 2;
export const EITR_UNIT_NS = 1000;

/**
 * IVAR0..1 (82580/I210 layout): register index = queue >> 1. Even queue: Rx vector in bits 7:0,
 * Tx vector in 15:8. Odd queue: Rx in 23:16, Tx in 31:24. Each byte = vector | IVAR_VALID.
 */
export const IVAR0 = 0x01700;
export const IVAR = (n: number): number => IVAR0 + 4 * n;
/** IVAR_MISC: "other causes" vector in bits 15:8 (| IVAR_VALID). */
export const IVAR_MISC = 0x01740;
export const IVAR_VALID = 0x80;

/** 5 MSI-X vectors: 0..3 = queue pair n, 4 = other (I210, nic-model §6.1). */
export const MSIX_VECTORS = 5;
export const OTHER_VECTOR = 4;

// ---- Rx / Tx control ----
export const RCTL = 0x00100;
export const RCTL_EN = 1 << 1;
export const RCTL_SBP = 1 << 2;
export const RCTL_UPE = 1 << 3;
export const RCTL_MPE = 1 << 4;
export const RCTL_LPE = 1 << 5;
export const RCTL_MO_SHIFT = 12;
export const RCTL_BAM = 1 << 15;
export const RCTL_BSIZE_SHIFT = 16;
export const RCTL_SECRC = 1 << 26;

export const TCTL = 0x00400;
export const TCTL_EXT = 0x00404;
export const TIPG = 0x00410;
export const TCTL_EN = 1 << 1;
/** Pad short packets to 60 bytes (64 with FCS). */
export const TCTL_PSP = 1 << 3;

export const RXPBS = 0x02404;
export const TXPBS = 0x03404;
export const DTXMXPKTSZ = 0x0355c;

// ---- Tx arbitration (nic-model §1.6, §6.2) ----
export const TQAVCTRL = 0x03570;
/** 0 = legacy FIFO; 1 = use the TXSCHED mode below. */
export const TQAVCTRL_TRANSMIT_MODE = 1 << 0;
export const TQAVCTRL_DATATRANARB = 1 << 8;
/** I225 TXARB: slot k (k=0 highest) owned by queue in bits 2k+1:2k. */
export const TXARB = 0x03354;
export const TQAVCC = (n: number): number => 0x3004 + 0x40 * n;
export const TQAVHC = (n: number): number => 0x300c + 0x40 * n;

// ---- 82576-style per-queue rate limiter (nic-model §1.6) ----
export const RTTDQSEL = 0x03604;
export const RTTBCNRM = 0x03690;
export const RTTBCNRC = 0x036b0;
export const RTTBCNRC_RS_ENA = 1 << 31;
/** Rate factor = link rate / queue rate in 14.14 fixed point (RF_INT 27:14, RF_DEC 13:0). */
export const RTTBCNRC_RF_MASK = 0x0fffffff;
export const RTTBCNRC_RF_ONE = 1 << 14;

// ---- Statistics (nic-model §1.8): all clear-on-read, saturating; octets include FCS ----
export const STATS_FIRST = 0x04000;
export const STATS_LAST = 0x04104;
export const CRCERRS = 0x04000;
export const RXERRC = 0x0400c;
export const MPC = 0x04010;
export const RLEC = 0x04040;
export const XONRXC = 0x04048;
export const XONTXC = 0x0404c;
export const XOFFRXC = 0x04050;
export const XOFFTXC = 0x04054;
export const PRC64 = 0x0405c;
export const GPRC = 0x04074;
export const BPRC = 0x04078;
export const MPRC = 0x0407c;
export const GPTC = 0x04080;
export const GORCL = 0x04088;
export const GORCH = 0x0408c;
export const GOTCL = 0x04090;
export const GOTCH = 0x04094;
export const RNBC = 0x040a0;
export const RUC = 0x040a4;
export const ROC = 0x040ac;
export const TORL = 0x040c0;
export const TORH = 0x040c4;
export const TOTL = 0x040c8;
export const TOTH = 0x040cc;
export const TPR = 0x040d0;
export const TPT = 0x040d4;
/** PTC64, PTC127, PTC255, PTC511, PTC1023, PTC1522 follow at +4 each. */
export const PTC64 = 0x040d8;
export const MPTC = 0x040f0;
export const BPTC = 0x040f4;
export const IAC = 0x04100;
/** The 64-bit octet counters: low half, then high half; reading the high half clears both. */
export const STATS_64BIT_LOW = [GORCL, GOTCL, TORL, TOTL] as const;

// ---- Rx filtering and RSS (nic-model §1.7) ----
export const RXCSUM = 0x05000;
export const RLPML = 0x05004;
export const RFCTL = 0x05008;
export const MTA_BASE = 0x05200;
export const MTA = (n: number): number => MTA_BASE + 4 * n;
export const MTA_COUNT = 128;
export const RAL = (n: number): number => 0x05400 + 8 * n;
export const RAH = (n: number): number => 0x05404 + 8 * n;
export const RA_COUNT = 16;
export const RAH_AV = 1 << 31;
export const VLAPQF = 0x055b0;
export const VFTA_BASE = 0x05600;
export const MRQC = 0x05818;
/** MRQC bits 2:0 = 010: RSS on. */
export const MRQC_ENABLE_MASK = 0x7;
export const MRQC_ENABLE_RSS = 0x2;
export const MRQC_TCPV4 = 1 << 16;
export const MRQC_IPV4 = 1 << 17;
export const MRQC_IPV6 = 1 << 20;
export const MRQC_TCPV6 = 1 << 21;
export const MRQC_UDPV4 = 1 << 22;
export const MRQC_UDPV6 = 1 << 23;
/** 32 registers x 4 one-byte entries = 128 entries; the low 2 bits of an entry pick the queue. */
export const RETA_BASE = 0x05c00;
export const RETA_COUNT = 32;
/** 10 registers = 40-byte Toeplitz key, byte 0 in bits 7:0 of RSSRK0. */
export const RSSRK_BASE = 0x05c80;
export const RSSRK_COUNT = 10;

// ---- Per-queue rings (nic-model §1.3), stride 0x40 ----
export const NUM_QUEUES = 4;
export const RDBAL = (n: number): number => 0x0c000 + 0x40 * n;
export const RDBAH = (n: number): number => 0x0c004 + 0x40 * n;
export const RDLEN = (n: number): number => 0x0c008 + 0x40 * n;
export const SRRCTL = (n: number): number => 0x0c00c + 0x40 * n;
export const RDH = (n: number): number => 0x0c010 + 0x40 * n;
export const RXCTL = (n: number): number => 0x0c014 + 0x40 * n;
export const RDT = (n: number): number => 0x0c018 + 0x40 * n;
export const RXDCTL = (n: number): number => 0x0c028 + 0x40 * n;
export const RQDPC = (n: number): number => 0x0c030 + 0x40 * n;

export const TDBAL = (n: number): number => 0x0e000 + 0x40 * n;
export const TDBAH = (n: number): number => 0x0e004 + 0x40 * n;
export const TDLEN = (n: number): number => 0x0e008 + 0x40 * n;
export const TDH = (n: number): number => 0x0e010 + 0x40 * n;
export const TXCTL = (n: number): number => 0x0e014 + 0x40 * n;
export const TDT = (n: number): number => 0x0e018 + 0x40 * n;
export const TXDCTL = (n: number): number => 0x0e028 + 0x40 * n;
export const TDWBAL = (n: number): number => 0x0e038 + 0x40 * n;
export const TDWBAH = (n: number): number => 0x0e03c + 0x40 * n;

/** Legacy alias blocks for queues 0..3 (stride 0x100), same storage as the 0xC000/0xE000 blocks. */
export const RX_ALIAS_BASE = 0x02800;
export const TX_ALIAS_BASE = 0x03800;

export const RING_BASE_ALIGN_MASK = 0xffffff80;
/** RDLEN/TDLEN: bytes, multiple of 128, max 0x80000 (I210-DS p.457). */
export const RING_LEN_MASK = 0x000fff80;
export const RING_INDEX_MASK = 0xffff;
export const DESCRIPTOR_BYTES = 16;

/** TXDCTL.ENABLE / RXDCTL.ENABLE: both bit 25 (I210-DS p.458-459; nic-model §1.3). */
export const TXDCTL_ENABLE = 1 << 25;
export const RXDCTL_ENABLE = 1 << 25;
/** TXDCTL.WTHRESH 20:16: completed descriptors gathered before a write-back (I210-DS p.459). */
export const TXDCTL_WTHRESH_SHIFT = 16;
export const TXDCTL_WTHRESH_MASK = 0x1f;
/** TXDCTL.SWFLSH (bit 26): software asks for the waiting write-backs now (I210-DS p.459). */
export const TXDCTL_SWFLSH = 1 << 26;
/**
 * OURS — TXDCTL.TSWB (bit 28), "timestamp write-back". When set, the write-back of an EOP
 * descriptor that has RS stores into qword0 (bytes 0..7, little-endian) the virtual time in
 * integer ns (Math.round) at which the frame's first byte after preamble/SFD went on the wire
 * (IEEE 1588 convention); qword1 still gets DD. Drivers use it for enqueue-to-wire latency.
 */
export const TXDCTL_TSWB = 1 << 28;

/** SRRCTL: BSIZEPACKET 6:0 in 1 KiB units; DESCTYPE 27:25 (001 = advanced one buffer); RDMTS 24:20 (x16 descriptors). */
export const SRRCTL_BSIZEPKT_MASK = 0x7f;
export const SRRCTL_RDMTS_SHIFT = 20;
export const SRRCTL_RDMTS_MASK = 0x1f;
export const SRRCTL_DESCTYPE_ADV_ONEBUF = 1 << 25;
export const SRRCTL_DROP_EN = 1 << 31;

// ---- OURS: Tx scheduler block (nic-model §6.2), above every igb offset ----
/** TXSCHED bits 1:0: 0 FIFO, 1 strict priority (TXARB), 2 DRR, 3 strict-over-DRR. Used only when TQAVCTRL.TRANSMIT_MODE=1. */
export const TXSCHED = 0x1f000;
export const TXSCHED_FIFO = 0;
export const TXSCHED_SP = 1;
export const TXSCHED_DRR = 2;
export const TXSCHED_SP_DRR = 3;
/** DRR quantum in frame bytes (frame + FCS, no preamble/IFG); 0 = queue is strict (SP-over-DRR) / never served (DRR). */
export const TXQWRR = (n: number): number => 0x1f010 + 4 * n;
/** Token-bucket depth in wire bytes. Default TXQBURST_DEFAULT. */
export const TXQBURST = (n: number): number => 0x1f020 + 4 * n;
/**
 * OURS — TXQMIN(n), starvation guard ("floor"): a guaranteed minimum share of the link for Tx
 * queue n, in the spirit of CAKE's tins (Bulk >= 1/16 of the link) and mqprio min_rate.
 * Encoding = RTTBCNRC's: b31 TXQMIN_ENABLE, b27:0 = link rate / floor rate in 14.14 fixed point
 * (integer 27:14, fraction 13:0), so 16 << 14 = 1/16 of the link. b30:28 reserved (read 0).
 * 0, or a zero factor, = no floor. Reset 0.
 *
 * Semantics (SP, DRR and SP-over-DRR; FIFO ignores floors):
 * - each queue with a floor has a credit bucket in WIRE bytes (frame + FCS + 8 preamble/SFD +
 *   12 IFG, the rate limiter's unit) that fills at the floor rate while the queue is backlogged
 *   (a complete fetched packet, TXDCTL.ENABLE set, not hung; rate-limited, paused or link-down
 *   time counts), is capped at TXQMIN_CREDIT_CAP bytes (NOT TXQBURST), and is debited by every
 *   frame the queue starts, whatever picked it, never going below 0;
 * - at each arbitration decision an eligible queue whose credit >= its head frame's wire bytes
 *   is "under its floor" and is served first (several: lowest TXARB slot); otherwise the
 *   configured mode decides. Floor service does not touch DRR deficits or the DRR round;
 * - the rate limiter still gates eligibility, so a floor never lifts a queue above RTTBCNRC;
 * - rewriting TXQMIN(n) while enabled keeps the credit (new rate from the write on); enabling
 *   starts the bucket empty, disabling clears it; CTRL.RST clears all floors.
 * Floors summing to < 1 are each met in the long run; a floor above the link (factor < 1.0)
 * makes the queue effectively top priority.
 */
export const TXQMIN = (n: number): number => 0x1f030 + 4 * n;
export const TXQMIN_ENABLE = 1 << 31;
export const TXQMIN_RF_MASK = 0x0fffffff;
export const TXQMIN_RF_ONE = 1 << 14;
/** Writable bits of TXQMIN (b30:28 reserved). */
export const TXQMIN_WRITABLE = 0x8fffffff;
/**
 * Floor credit cap, wire bytes: two maximum frames (9728 + FCS 4 + preamble 8 + IFG 12) x 2.
 * Fixed rather than TXQBURST(n) because a head frame qualifies only when credit >= its size:
 * a cap below a jumbo frame (a small TXQBURST tuned for the shaper) would silently disable the
 * floor, and one extra frame absorbs the non-preemptive wait behind another queue's frame.
 */
export const TXQMIN_CREDIT_CAP = 2 * (9728 + 4 + 8 + 12);
/**
 * Per-Tx-queue statistics, all clear-on-read and saturating:
 * +0x0 TQPC packets; +0x4 TQSTALL shaper stalls (times the queue had a ready frame but no tokens);
 * +0x8/+0xC TQBCL/TQBCH octets incl. FCS (reading TQBCH clears both halves).
 */
export const TQSTAT = (n: number): number => 0x1f100 + 0x10 * n;
export const TQPC = (n: number): number => TQSTAT(n);
export const TQSTALL = (n: number): number => TQSTAT(n) + 0x4;
export const TQBCL = (n: number): number => TQSTAT(n) + 0x8;
export const TQBCH = (n: number): number => TQSTAT(n) + 0xc;

// ---- Descriptors (nic-model §1.5) ----
/** Command bits as seen in dword 2 of legacy and advanced Tx descriptors. */
export const TXD_CMD_EOP = 1 << 24;
export const TXD_CMD_IFCS = 1 << 25;
export const TXD_CMD_RS = 1 << 27;
export const TXD_CMD_DEXT = 1 << 29;
export const TXD_CMD_VLE = 1 << 30;
export const TXD_DTYP_SHIFT = 20;
export const TXD_DTYP_MASK = 0xf;
/** DTYP field values (compare with `(dword2 >>> TXD_DTYP_SHIFT) & TXD_DTYP_MASK`). */
export const TXD_DTYP_CONTEXT = 0x2;
export const TXD_DTYP_DATA = 0x3;
export const TXD_LEN_MASK = 0xffff;
/** DD: bit 0 of byte 12 (legacy STA) and bit 0 of dword 3 (advanced write-back status). */
export const TXD_STA_DD = 1;
/** Advanced data descriptor olinfo IDX (context slot) bit 4. */
export const TXD_OLINFO_IDX_SHIFT = 4;
/** Max bytes of one Tx packet / descriptor on I210 (DTXMXPKTSZ default, I210-DS p.286). */
export const MAX_TX_PACKET = 9728;

/** Advanced Rx write-back: dword2 status bits. */
export const RXD_STAT_DD = 1 << 0;
export const RXD_STAT_EOP = 1 << 1;
export const RXD_STAT_VP = 1 << 3;
/** Advanced Rx write-back: dword0 packet type bits (82575 layout) above the 4-bit RSS type. */
export const RXD_PKTTYPE_IPV4 = 0x10;
export const RXD_PKTTYPE_IPV6 = 0x40;
export const RXD_PKTTYPE_TCP = 0x100;
export const RXD_PKTTYPE_UDP = 0x200;
/** RSS type codes in dword0 bits 3:0. */
export const RSS_TYPE_NONE = 0;
export const RSS_TYPE_TCPV4 = 1;
export const RSS_TYPE_IPV4 = 2;
export const RSS_TYPE_TCPV6 = 3;
export const RSS_TYPE_IPV6 = 5;
export const RSS_TYPE_UDPV4 = 7;
export const RSS_TYPE_UDPV6 = 8;
