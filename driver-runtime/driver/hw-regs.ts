/**
 * The driver's own copy of the register header (the driver never imports the device
 * model, as a real dext cannot): offsets and bits of the SIM-I2xx NIC, which follows the
 * Intel I210 (igb) layout — see nic-model.md §1.2–§1.5 and §6.
 */

// Global registers (BAR0 byte offsets).
export const CTRL = 0x00000;
export const STATUS = 0x00008;
export const CTRL_EXT = 0x00018;
export const ICR = 0x000c0;
export const ICS = 0x000c8;
export const IMS = 0x000d0;
export const IMC = 0x000d8;
export const RCTL = 0x00100;
export const TCTL = 0x00400;
export const GPIE = 0x01514;
export const EICS = 0x01520;
export const EIMS = 0x01524;
export const EIMC = 0x01528;
export const EIAC = 0x0152c;
export const EIAM = 0x01530;
export const EICR = 0x01580;
export const EITR = (vector: number): number => 0x01680 + 4 * vector;
export const IVAR0 = 0x01700;
export const IVAR_MISC = 0x01740;
export const RLPML = 0x05004;
export const MTA = (n: number): number => 0x05200 + 4 * n;
export const RAL = (n: number): number => 0x05400 + 8 * n;
export const RAH = (n: number): number => 0x05404 + 8 * n;
export const TXARB = 0x03354;
export const TQAVCTRL = 0x03570;
export const RTTDQSEL = 0x03604;
export const RTTBCNRC = 0x036b0;
// OURS: the SIM-I2xx Tx scheduler block (nic-model §6.2), above every igb offset.
/** OURS: arbitration mode (FIFO, strict priority, DRR, strict over DRR). */
export const TXSCHED = 0x1f000;
/** OURS: DRR quantum in bytes per queue. */
export const TXQWRR = (q: number): number => 0x1f010 + 4 * q;
/** OURS: frames a queue may send per arbitration turn. */
export const TXQBURST = (q: number): number => 0x1f020 + 4 * q;
/** OURS: guaranteed minimum rate (starvation guard): enable b31 | link/min in 14.14 fixed point. */
export const TXQMIN = (q: number): number => 0x1f030 + 4 * q;
export const TXQMIN_ENABLE = 1 << 31;

// Per-queue ring registers (stride 0x40).
export const RDBAL = (q: number): number => 0x0c000 + 0x40 * q;
export const RDBAH = (q: number): number => 0x0c004 + 0x40 * q;
export const RDLEN = (q: number): number => 0x0c008 + 0x40 * q;
export const SRRCTL = (q: number): number => 0x0c00c + 0x40 * q;
export const RDH = (q: number): number => 0x0c010 + 0x40 * q;
export const RDT = (q: number): number => 0x0c018 + 0x40 * q;
export const RXDCTL = (q: number): number => 0x0c028 + 0x40 * q;
export const RQDPC = (q: number): number => 0x0c030 + 0x40 * q;
export const TDBAL = (q: number): number => 0x0e000 + 0x40 * q;
export const TDBAH = (q: number): number => 0x0e004 + 0x40 * q;
export const TDLEN = (q: number): number => 0x0e008 + 0x40 * q;
export const TDH = (q: number): number => 0x0e010 + 0x40 * q;
export const TDT = (q: number): number => 0x0e018 + 0x40 * q;
export const TXDCTL = (q: number): number => 0x0e028 + 0x40 * q;

// Statistics (clear on read; 64-bit octet pairs clear when the high half is read).
export const CRCERRS = 0x04000;
export const RXERRC = 0x0400c;
export const MPC = 0x04010;
export const XOFFRXC = 0x04050;
export const GPRC = 0x04074;
export const GPTC = 0x04080;
export const GORCL = 0x04088;
export const GORCH = 0x0408c;
export const GOTCL = 0x04090;
export const GOTCH = 0x04094;
export const RNBC = 0x040a0;
export const TPR = 0x040d0;
export const TPT = 0x040d4;

// CTRL bits.
export const CTRL_SLU = 1 << 6;
export const CTRL_RST = 1 << 26;
// STATUS bits.
export const STATUS_FD = 1 << 0;
export const STATUS_LU = 1 << 1;
export const STATUS_TXOFF = 1 << 4;
export const STATUS_SPEED_SHIFT = 6;
export const STATUS_SPEED_MASK = 0x3 << 6;
/** 2.5 Gb/s indication (I225's STATUS bit 22). */
export const STATUS_2G5 = 1 << 22;
/** OURS: 10 Gb/s (the SPEED field reads 1000 at 2.5G and 10G, as on I225). */
export const STATUS_10G = 1 << 23;
export const CTRL_EXT_DRV_LOAD = 1 << 28;
// ICR causes.
export const ICR_TXDW = 1 << 0;
export const ICR_LSC = 1 << 2;
export const ICR_RXDMT0 = 1 << 4;
export const ICR_RXO = 1 << 6;
export const ICR_RXDW = 1 << 7;
export const ICR_DOUTSYNC = 1 << 28;
// RCTL / TCTL.
export const RCTL_EN = 1 << 1;
export const RCTL_UPE = 1 << 3;
export const RCTL_MPE = 1 << 4;
export const RCTL_LPE = 1 << 5;
export const RCTL_BAM = 1 << 15;
export const RCTL_SECRC = 1 << 26;
export const TCTL_EN = 1 << 1;
export const TCTL_PSP = 1 << 3;
// GPIE.
export const GPIE_MSIX_MODE = 1 << 4;
export const GPIE_EIAME = 1 << 30;
export const GPIE_PBA = 1 << 31;
// IVAR entries.
export const IVAR_VALID = 0x80;
// Ring control.
export const TXDCTL_ENABLE = 1 << 25;
/** WTHRESH 20:16: completed descriptors the NIC gathers before writing them back. */
export const TXDCTL_WTHRESH_SHIFT = 16;
/** OURS: write the SFD wire time (ns) into qword0 of each RS|EOP descriptor on write-back. */
export const TXDCTL_TSWB = 1 << 28;
export const RXDCTL_ENABLE = 1 << 25;
export const SRRCTL_DESCTYPE_ADV_ONEBUF = 0x02000000;
export const SRRCTL_DROP_EN = 1 << 31;
export const RAH_AV = 1 << 31;
// Tx arbitration.
export const TQAVCTRL_TRANSMIT_MODE = 1 << 0;
export const TQAVCTRL_DATATRANARB = 1 << 8;
// OURS: TXSCHED modes.
export const TXSCHED_FIFO = 0;
export const TXSCHED_SP = 1;
export const TXSCHED_DRR = 2;
export const TXSCHED_SP_DRR = 3;
export const RTTBCNRC_RS_ENA = 1 << 31;

// Advanced Tx descriptors (16 bytes): dword2 = DCMD 31:24 | DTYP 23:20 | length; dword3 = olinfo.
export const TXD_DTYP_SHIFT = 20;
export const TXD_DTYP_CONTEXT = 0x2;
export const TXD_DTYP_DATA = 0x3;
export const TXD_CMD_EOP = 1 << 24;
export const TXD_CMD_IFCS = 1 << 25;
export const TXD_CMD_RS = 1 << 27;
export const TXD_CMD_DEXT = 1 << 29;
export const TXD_CMD_VLE = 1 << 30;
export const TXD_STA_DD = 1 << 0;
export const TXD_PAYLEN_SHIFT = 14;
/** olinfo IDX (bit 4): which of the two context slots a data descriptor uses. */
export const TXD_OLINFO_IDX_SHIFT = 4;
/** Context descriptor dword0: VLAN tag (TCI) in bits 31:16. */
export const TXD_CTX_VLAN_SHIFT = 16;
/** 802.1Q TCI: PCP in bits 15:13, DEI 12, VID 11:0. */
export const VLAN_PCP_SHIFT = 13;
export const ETHERTYPE_VLAN = 0x8100;
// Advanced Rx descriptor write-back: dword2 status_error, dword3 length | vlan << 16.
export const RXD_STAT_DD = 1 << 0;
export const RXD_STAT_EOP = 1 << 1;
export const RXD_STAT_VP = 1 << 3;
export const RXD_ERR_MASK = 0xff000000;

export const DESCRIPTOR_BYTES = 16;
export const NUM_QUEUES = 4;
/** MSI-X vectors: 0-3 queue pairs, 4 other causes (link, errors). */
export const OTHER_VECTOR = 4;
export const ALL_ONES = 0xffffffff;
