/**
 * Register conformance, table-driven (like `ethtool -t` reg test / nic-model §6.8).
 *
 * Every expected offset, bit, mask and reset value below is a LITERAL copied from the
 * reference (nic-model.md, section cited per row; OURS registers from the driver-facing spec
 * driver-runtime/device/README.md), never computed with the header or the model under test.
 * The first tables pin the header names to those literals; the behavioural tests after them
 * may then use the names.
 */
import { describe, expect, it } from 'vitest';
import { SimNic } from '../../driver-runtime/device/index.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import { IOService } from '../../driver-runtime/kit/io-service.ts';
import { kIOReturnSuccess } from '../../driver-runtime/kit/io-return.ts';
import { out } from '../../driver-runtime/kit/os-object.ts';
import { createRuntime } from '../../driver-runtime/kit/runtime.ts';
import { IOPCIDevice } from '../../driver-runtime/pci/io-pci-device.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { MAC, makeFrame, Rig } from './fixture.ts';

const header = R as unknown as Record<string, number | ((n: number) => number)>;
const value = (name: string): number => header[name] as number;
const family = (name: string): ((n: number) => number) => header[name] as (n: number) => number;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Byte offsets into BAR0: [name, offset, source]. */
const OFFSETS: [string, number, string][] = [
  ['CTRL', 0x00000, '§1.2'],
  ['STATUS', 0x00008, '§1.2'],
  ['EECD', 0x00010, '§1.2'],
  ['EERD', 0x00014, '§1.2'],
  ['CTRL_EXT', 0x00018, '§1.2'],
  ['MDIC', 0x00020, '§1.2'],
  ['VET', 0x00038, '§1.2'],
  ['ICR', 0x000c0, '§1.2'],
  ['ITR', 0x000c4, '§1.2'],
  ['ICS', 0x000c8, '§1.2'],
  ['IMS', 0x000d0, '§1.2'],
  ['IMC', 0x000d8, '§1.2'],
  ['IAM', 0x000e0, '§1.2'],
  ['RCTL', 0x00100, '§1.2'],
  ['TCTL', 0x00400, '§1.2'],
  ['TCTL_EXT', 0x00404, '§1.2'],
  ['TIPG', 0x00410, '§1.2'],
  ['GPIE', 0x01514, '§1.2'],
  ['EICS', 0x01520, '§1.2'],
  ['EIMS', 0x01524, '§1.2'],
  ['EIMC', 0x01528, '§1.2'],
  ['EIAC', 0x0152c, '§1.2'],
  ['EIAM', 0x01530, '§1.2'],
  ['EICR', 0x01580, '§1.2'],
  ['IVAR0', 0x01700, '§1.2'],
  ['IVAR_MISC', 0x01740, '§1.2'],
  ['RXPBS', 0x02404, '§1.2'],
  ['TXARB', 0x03354, '§1.2 (I225)'],
  ['TXPBS', 0x03404, '§1.2'],
  ['DTXMXPKTSZ', 0x0355c, '§1.2'],
  ['TQAVCTRL', 0x03570, '§1.2'],
  ['RTTDQSEL', 0x03604, '§1.6'],
  ['RTTBCNRM', 0x03690, '§1.6'],
  ['RTTBCNRC', 0x036b0, '§1.6'],
  ['CRCERRS', 0x04000, '§1.8'],
  ['RXERRC', 0x0400c, '§1.8'],
  ['MPC', 0x04010, '§1.8'],
  ['RLEC', 0x04040, '§1.8'],
  ['XONRXC', 0x04048, '§1.8'],
  ['XONTXC', 0x0404c, '§1.8'],
  ['XOFFRXC', 0x04050, '§1.8'],
  ['XOFFTXC', 0x04054, '§1.8'],
  ['PRC64', 0x0405c, '§1.8'],
  ['GPRC', 0x04074, '§1.8'],
  ['BPRC', 0x04078, '§1.8'],
  ['MPRC', 0x0407c, '§1.8'],
  ['GPTC', 0x04080, '§1.8'],
  ['GORCL', 0x04088, '§1.8'],
  ['GORCH', 0x0408c, '§1.8'],
  ['GOTCL', 0x04090, '§1.8'],
  ['GOTCH', 0x04094, '§1.8'],
  ['RNBC', 0x040a0, '§1.8'],
  ['RUC', 0x040a4, '§1.8'],
  ['ROC', 0x040ac, '§1.8'],
  ['TORL', 0x040c0, '§1.8'],
  ['TORH', 0x040c4, '§1.8'],
  ['TOTL', 0x040c8, '§1.8'],
  ['TOTH', 0x040cc, '§1.8'],
  ['TPR', 0x040d0, '§1.8'],
  ['TPT', 0x040d4, '§1.8'],
  ['PTC64', 0x040d8, '§1.8'],
  ['MPTC', 0x040f0, '§1.8'],
  ['BPTC', 0x040f4, '§1.8'],
  ['IAC', 0x04100, '§1.8'],
  ['RXCSUM', 0x05000, '§1.2'],
  ['RLPML', 0x05004, '§1.2'],
  ['RFCTL', 0x05008, '§1.2'],
  ['MTA_BASE', 0x05200, '§1.2'],
  ['VLAPQF', 0x055b0, '§1.2'],
  ['VFTA_BASE', 0x05600, '§1.2'],
  ['MRQC', 0x05818, '§1.2'],
  ['RETA_BASE', 0x05c00, '§1.2'],
  ['RSSRK_BASE', 0x05c80, '§1.2'],
  ['RX_ALIAS_BASE', 0x02800, '§1.3 (legacy alias of RDBAL0)'],
  ['TX_ALIAS_BASE', 0x03800, '§1.3 (legacy alias of TDBAL0)'],
  ['TXSCHED', 0x1f000, '§6.2 (OURS)'],
];

/** Register families: [name, { index: offset }, source]. Per-queue stride 0x40 (§1.3). */
const FAMILIES: [string, Record<number, number>, string][] = [
  ['RDBAL', { 0: 0x0c000, 1: 0x0c040, 2: 0x0c080, 3: 0x0c0c0 }, '§1.3'],
  ['RDBAH', { 0: 0x0c004, 3: 0x0c0c4 }, '§1.3'],
  ['RDLEN', { 0: 0x0c008, 3: 0x0c0c8 }, '§1.3'],
  ['SRRCTL', { 0: 0x0c00c, 3: 0x0c0cc }, '§1.3'],
  ['RDH', { 0: 0x0c010, 3: 0x0c0d0 }, '§1.3'],
  ['RXCTL', { 0: 0x0c014, 3: 0x0c0d4 }, '§1.3'],
  ['RDT', { 0: 0x0c018, 1: 0x0c058, 2: 0x0c098, 3: 0x0c0d8 }, '§1.3'],
  ['RXDCTL', { 0: 0x0c028, 3: 0x0c0e8 }, '§1.3'],
  ['RQDPC', { 0: 0x0c030, 3: 0x0c0f0 }, '§1.3'],
  ['TDBAL', { 0: 0x0e000, 1: 0x0e040, 2: 0x0e080, 3: 0x0e0c0 }, '§1.3'],
  ['TDBAH', { 0: 0x0e004, 3: 0x0e0c4 }, '§1.3'],
  ['TDLEN', { 0: 0x0e008, 3: 0x0e0c8 }, '§1.3'],
  ['TDH', { 0: 0x0e010, 3: 0x0e0d0 }, '§1.3'],
  ['TXCTL', { 0: 0x0e014, 3: 0x0e0d4 }, '§1.3'],
  ['TDT', { 0: 0x0e018, 1: 0x0e058, 2: 0x0e098, 3: 0x0e0d8 }, '§1.3'],
  ['TXDCTL', { 0: 0x0e028, 3: 0x0e0e8 }, '§1.3'],
  ['TDWBAL', { 0: 0x0e038, 3: 0x0e0f8 }, '§1.3'],
  ['TDWBAH', { 0: 0x0e03c, 3: 0x0e0fc }, '§1.3'],
  ['EITR', { 0: 0x01680, 1: 0x01684, 4: 0x01690 }, '§1.2, 5 vectors (§1.1)'],
  ['IVAR', { 0: 0x01700, 1: 0x01704 }, '§6.2 (IVAR0..1)'],
  ['MTA', { 0: 0x05200, 127: 0x053fc }, '§1.2 (MTA[0..127])'],
  ['RAL', { 0: 0x05400, 1: 0x05408, 15: 0x05478 }, '§1.2'],
  ['RAH', { 0: 0x05404, 1: 0x0540c, 15: 0x0547c }, '§1.2'],
  ['TQAVCC', { 0: 0x03004, 1: 0x03044, 3: 0x030c4 }, '§1.2 / §6.2'],
  ['TQAVHC', { 0: 0x0300c, 1: 0x0304c, 3: 0x030cc }, '§1.2 / §6.2'],
  ['TXQWRR', { 0: 0x1f010, 3: 0x1f01c }, '§6.2 (OURS)'],
  ['TXQBURST', { 0: 0x1f020, 3: 0x1f02c }, '§6.2 (OURS)'],
  ['TXQMIN', { 0: 0x1f030, 3: 0x1f03c }, 'device/README (OURS)'],
  ['TQSTAT', { 0: 0x1f100, 1: 0x1f110, 3: 0x1f130 }, '§6.2 (OURS)'],
  ['TQPC', { 0: 0x1f100, 3: 0x1f130 }, 'device/README (OURS): TQSTAT + 0'],
  ['TQSTALL', { 0: 0x1f104, 3: 0x1f134 }, 'device/README (OURS): TQSTAT + 4'],
  ['TQBCL', { 0: 0x1f108, 3: 0x1f138 }, 'device/README (OURS): TQSTAT + 8'],
  ['TQBCH', { 0: 0x1f10c, 3: 0x1f13c }, 'device/README (OURS): TQSTAT + C'],
];

/** Bits, masks, shifts and sizes: [name, value, source]. */
const BITS: [string, number, string][] = [
  ['BAR0_SIZE', 0x20000, '§1.1 (128 KiB)'],
  ['MSIX_VECTORS', 5, '§1.1'],
  ['OTHER_VECTOR', 4, '§6.1'],
  ['NUM_QUEUES', 4, '§1.1'],
  ['DESCRIPTOR_BYTES', 16, '§1.5'],
  ['MAX_TX_PACKET', 9728, '§1.5'],
  ['CTRL_FD', 0x00000001, '§1.2 CTRL b0'],
  ['CTRL_SLU', 0x00000040, '§1.2 CTRL b6'],
  ['CTRL_RST', 0x04000000, '§1.2 CTRL b26'],
  ['CTRL_VME', 0x40000000, '§1.2 CTRL b30'],
  ['STATUS_FD', 0x00000001, '§1.2 STATUS b0'],
  ['STATUS_LU', 0x00000002, '§1.2 STATUS b1'],
  ['STATUS_TXOFF', 0x00000010, '§1.2 STATUS b4'],
  ['STATUS_SPEED_SHIFT', 6, '§1.2 STATUS b7:6'],
  ['STATUS_SPEED_1000', 0x00000080, '§1.2 STATUS SPEED = 10'],
  ['STATUS_GIO_MASTER_ENABLE', 0x00080000, '§1.2 STATUS b19'],
  ['STATUS_2G5', 0x00400000, '§1.1 / §6.2 STATUS b22 (I225)'],
  ['STATUS_10G', 0x00800000, 'device/README STATUS b23 (OURS)'],
  ['EERD_START', 0x1, '§1.2 EERD b0'],
  ['EERD_DONE', 0x2, '§1.2 EERD b1'],
  ['EERD_ADDR_SHIFT', 2, '§1.2 EERD addr<<2'],
  ['EERD_DATA_SHIFT', 16, '§1.2 EERD data<<16'],
  ['MDIC_DATA_MASK', 0xffff, '§1.2 MDIC data 15:0'],
  ['MDIC_REG_SHIFT', 16, '§1.2 MDIC reg 20:16'],
  ['MDIC_OP_READ', 0x08000000, '§1.2 MDIC read b27'],
  ['MDIC_READY', 0x10000000, '§1.2 MDIC READY b28'],
  ['PHY_BMSR', 1, 'IEEE 802.3 clause 22: BMSR is PHY register 1'],
  ['ICR_TXDW', 0x00000001, '§1.4 b0'],
  ['ICR_TXQE', 0x00000002, '§1.4 b1'],
  ['ICR_LSC', 0x00000004, '§1.4 b2'],
  ['ICR_RXDMT0', 0x00000010, '§1.4 b4'],
  ['ICR_RXO', 0x00000040, '§1.4 b6'],
  ['ICR_RXDW', 0x00000080, '§1.4 b7'],
  ['ICR_DOUTSYNC', 0x10000000, '§1.4 b28'],
  ['ICR_INT_ASSERTED', 0x80000000, '§1.4 b31'],
  ['GPIE_NSICR', 0x00000001, '§1.2 GPIE b0'],
  ['GPIE_MSIX_MODE', 0x00000010, '§1.2 GPIE b4'],
  ['GPIE_EIAME', 0x40000000, '§1.2 GPIE b30'],
  ['GPIE_PBA', 0x80000000, '§1.2 GPIE b31'],
  ['EITR_INTERVAL_MASK', 0x7ffc, '§1.4 EITR interval 14:2'],
  ['EITR_INTERVAL_SHIFT', 2, '§1.4'],
  ['IVAR_VALID', 0x80, '§1.2 / §1.4'],
  ['RCTL_EN', 0x00000002, '§1.2 RCTL b1'],
  ['RCTL_SBP', 0x00000004, '§1.2 RCTL b2'],
  ['RCTL_UPE', 0x00000008, '§1.2 RCTL b3'],
  ['RCTL_MPE', 0x00000010, '§1.2 RCTL b4'],
  ['RCTL_LPE', 0x00000020, '§1.2 RCTL b5'],
  ['RCTL_MO_SHIFT', 12, '§1.2 RCTL MO 13:12'],
  ['RCTL_BAM', 0x00008000, '§1.2 RCTL b15'],
  ['RCTL_BSIZE_SHIFT', 16, '§1.2 RCTL BSIZE 17:16'],
  ['RCTL_SECRC', 0x04000000, '§1.2 RCTL b26'],
  ['TCTL_EN', 0x00000002, '§1.2 TCTL b1'],
  ['TCTL_PSP', 0x00000008, '§1.2 TCTL b3'],
  ['TQAVCTRL_TRANSMIT_MODE', 0x00000001, '§1.6 b0'],
  ['TQAVCTRL_DATATRANARB', 0x00000100, '§1.6 b8'],
  ['RTTBCNRC_RS_ENA', 0x80000000, '§1.6 b31'],
  ['RTTBCNRC_RF_MASK', 0x0fffffff, '§1.6 RF_INT 27:14 | RF_DEC 13:0'],
  ['RTTBCNRC_RF_ONE', 0x4000, '§1.6 1.0 in 14.14'],
  ['RAH_AV', 0x80000000, '§1.7 RAH b31'],
  ['MRQC_ENABLE_RSS', 0x2, '§1.7 MRQC 2:0 = 010'],
  ['MRQC_TCPV4', 0x00010000, '§1.7 b16'],
  ['MRQC_IPV4', 0x00020000, '§1.7 b17'],
  ['MRQC_IPV6', 0x00100000, '§1.7 b20'],
  ['MRQC_TCPV6', 0x00200000, 'device/README b21'],
  ['MRQC_UDPV4', 0x00400000, '§1.7 b22'],
  ['MRQC_UDPV6', 0x00800000, '§1.7 b23'],
  ['RING_BASE_ALIGN_MASK', 0xffffff80, '§1.3 128-byte aligned'],
  ['RING_LEN_MASK', 0x000fff80, '§1.3 LEN field 19:7'],
  ['RING_INDEX_MASK', 0xffff, '§1.3 TDH/TDT 16 bits'],
  ['TXDCTL_ENABLE', 0x02000000, '§1.3 b25'],
  ['RXDCTL_ENABLE', 0x02000000, '§1.3 b25'],
  ['TXDCTL_TSWB', 0x10000000, 'device/README b28 (OURS)'],
  ['SRRCTL_DESCTYPE_ADV_ONEBUF', 0x02000000, '§1.3 DESCTYPE 001'],
  ['SRRCTL_RDMTS_SHIFT', 20, '§1.3 RDMTS 24:20'],
  ['SRRCTL_DROP_EN', 0x80000000, '§1.3 b31'],
  ['TXSCHED_FIFO', 0, '§6.2'],
  ['TXSCHED_SP', 1, '§6.2'],
  ['TXSCHED_DRR', 2, '§6.2'],
  ['TXSCHED_SP_DRR', 3, '§6.2'],
  ['TXQMIN_ENABLE', 0x80000000, 'device/README b31 (OURS)'],
  ['TXQMIN_RF_ONE', 0x4000, 'device/README 14.14'],
  ['TXQMIN_WRITABLE', 0x8fffffff, 'device/README (b30:28 reserved)'],
  ['TXQMIN_CREDIT_CAP', 19504, 'device/README 2 x (9728 + 24)'],
  ['TXD_CMD_EOP', 0x01000000, '§1.5'],
  ['TXD_CMD_IFCS', 0x02000000, '§1.5'],
  ['TXD_CMD_RS', 0x08000000, '§1.5'],
  ['TXD_CMD_DEXT', 0x20000000, '§1.5'],
  ['TXD_CMD_VLE', 0x40000000, '§1.5'],
  ['TXD_DTYP_SHIFT', 20, '§1.5 DTYP 23:20'],
  ['TXD_DTYP_CONTEXT', 0x2, '§1.5 DTYP 0010'],
  ['TXD_DTYP_DATA', 0x3, '§1.5 DTYP 0011'],
  ['TXD_STA_DD', 0x1, '§1.5 STA.DD b0'],
  ['TXD_OLINFO_IDX_SHIFT', 4, '§1.5 olinfo IDX b4'],
  ['RXD_STAT_DD', 0x1, '§1.5 status b0'],
  ['RXD_STAT_EOP', 0x2, '§1.5 status b1'],
  ['RXD_STAT_VP', 0x8, '§1.5 status b3'],
  // Not in nic-model: Linux igb/e1000 E1000_RXDADV_PKTTYPE_* and E1000_RXDADV_RSSTYPE_*.
  ['RXD_PKTTYPE_IPV4', 0x10, 'igb PKTTYPE_IPV4'],
  ['RXD_PKTTYPE_IPV6', 0x40, 'igb PKTTYPE_IPV6'],
  ['RXD_PKTTYPE_TCP', 0x100, 'igb PKTTYPE_TCP'],
  ['RXD_PKTTYPE_UDP', 0x200, 'igb PKTTYPE_UDP'],
  ['RSS_TYPE_TCPV4', 1, 'igb RSSTYPE_IPV4_TCP'],
  ['RSS_TYPE_IPV4', 2, 'igb RSSTYPE_IPV4'],
  ['RSS_TYPE_TCPV6', 3, 'igb RSSTYPE_IPV6_TCP'],
  ['RSS_TYPE_IPV6', 5, 'igb RSSTYPE_IPV6'],
  ['RSS_TYPE_UDPV4', 7, 'igb RSSTYPE_IPV4_UDP'],
  ['RSS_TYPE_UDPV6', 8, 'igb RSSTYPE_IPV6_UDP'],
];

/**
 * Reset values, read at LITERAL offsets: [label, offset, value, source]. nic-model §7 notes
 * that most I210 reset values were not verified; the rows without a source are 0, the
 * register file's default for everything the spec does not preset.
 */
const RESET_VALUES: [string, number, number, string][] = [
  ['CTRL', 0x00000, 0, 'RST/SLU clear'],
  ['VET', 0x00038, 0x8100, '§1.2: VLAN EtherType 0x8100'],
  // PSP b3 | CT 0xF (b11:4) | COLD 0x40 (b21:12), QEMU igb's TCTL init (§1.2 field layout).
  ['TCTL', 0x00400, 0x000400f8, '§1.2'],
  ['RCTL', 0x00100, 0, 'Rx off'],
  // Slot k owned by queue k: 0b11_10_01_00 (I210 Qav order, queue 0 highest).
  ['TXARB', 0x03354, 0xe4, 'device/README "reset 0xE4"'],
  ['TXSCHED', 0x1f000, 0, '§6.2 FIFO'],
  ['TQAVCTRL', 0x03570, 0, '§1.6 legacy mode'],
  // 2 x (9728 + FCS 4 + preamble 8 + IFG 12) wire bytes.
  ['TXQBURST0', 0x1f020, 19504, 'device/README "default 19504"'],
  ['TXQBURST3', 0x1f02c, 19504, 'device/README "default 19504"'],
  ['TXQMIN0', 0x1f030, 0, 'device/README "reset 0"'],
  ['TXQMIN3', 0x1f03c, 0, 'device/README "reset 0"'],
  // DESCTYPE 001 = advanced one buffer (0x02000000) | BSIZEPACKET 2 KiB.
  ['SRRCTL1', 0x0c04c, 0x02000002, '§1.3 encoding'],
  // MAC 02:00:5e:10:20:30, network order: RAL = bytes 0..3 little-endian, RAH = bytes 4..5 | AV.
  ['RAL0', 0x05400, 0x105e0002, '§1.7'],
  ['RAH0', 0x05404, 0x80003020, '§1.7'],
  ['RAH1', 0x0540c, 0, 'unused filter'],
  ['TDLEN2', 0x0e088, 0, 'ring unprogrammed'],
  ['TXDCTL0', 0x0e028, 0, 'queue disabled'],
  ['GPIE', 0x01514, 0, 'legacy interrupts'],
  ['EIMS', 0x01524, 0, 'all masked'],
  ['IMS', 0x000d0, 0, 'all masked'],
  ['MRQC', 0x05818, 0, 'RSS off'],
  // 9728 B in 64-byte units (§1.6 "DTXMXPKTSZ -> (4096-1)/64"): 152.
  ['DTXMXPKTSZ', 0x0355c, 0x98, '§1.2 I210 default 9728 B'],
  ['RTTBCNRM', 0x03690, 0x14, '§1.6 (9728-byte compensation)'],
];

describe('register header matches the reference', () => {
  for (const [name, offset, source] of OFFSETS) {
    it(`${name} is at ${hex(offset)} (${source})`, () => {
      expect(value(name)).toBe(offset);
    });
  }
  for (const [name, rows, source] of FAMILIES) {
    const pairs = Object.entries(rows).map(([n, offset]) => [Number(n), offset]);
    it(`${name}(n) is at ${pairs.map(([n, o]) => `${n}: ${hex(o)}`).join(', ')} (${source})`, () => {
      for (const [n, offset] of pairs) expect(family(name)(n)).toBe(offset);
    });
  }
  for (const [name, bits, source] of BITS) {
    it(`${name} = ${hex(bits)} (${source})`, () => {
      expect(value(name) >>> 0).toBe(bits >>> 0);
    });
  }
});

describe('register file', () => {
  it('identity as a host sees it: IDs, Ethernet class, BAR0 128 KiB and BAR3 16 KiB 32-bit memory, 5 MSI-X vectors', () => {
    const runtime = createRuntime(new Scheduler(), new HostMemory({ size: 1 << 20 }));
    const pci = IOPCIDevice.createFor(runtime, new SimNic({ mac: MAC, linkSpeed: '1g' }));
    expect(pci.Open(new IOService(runtime), 0)).toBe(kIOReturnSuccess);
    const cfg = (offset: number): number => {
      const v = out<number>();
      pci.ConfigurationRead32(offset, v);
      return v.value!;
    };
    // PCI type-0 header: device ID << 16 | vendor ID at 0x00, class code in 0x0B..0x09.
    expect(cfg(0x00)).toBe(0x0210fab1);
    expect(cfg(0x08) >>> 8).toBe(0x020000);
    // BAR registers (PCI 3.0 §6.2.5.1): low nibble 0 = memory, 32-bit (b2:1 = 00), not
    // prefetchable (b3 = 0); writing all-ones reads back ~(size - 1).
    for (const [bar, probe] of [
      [0, 0xfffe0000],
      [3, 0xffffc000],
    ]) {
      expect(cfg(0x10 + 4 * bar) & 0xf).toBe(0);
      pci.ConfigurationWrite32(0x10 + 4 * bar, 0xffffffff);
      expect(cfg(0x10 + 4 * bar)).toBe(probe);
    }
    for (const bar of [1, 2, 4, 5]) expect(cfg(0x10 + 4 * bar)).toBe(0);
    // MSI-X capability (ID 0x11): Message Control bits 10:0 = table size - 1.
    const cap = out<number>();
    expect(pci.FindPCICapability(0x11, 0, cap)).toBe(kIOReturnSuccess);
    expect((cfg(cap.value!) >>> 16) & 0x7ff).toBe(4);
  });

  for (const [name, offset, reset, source] of RESET_VALUES) {
    it(`reset value ${name} @ ${hex(offset)} = ${hex(reset)} (${source})`, () => {
      const rig = new Rig();
      expect(rig.read(offset)).toBe(reset);
    });
  }

  it('MAC is readable from RAL0/RAH0 and from EEPROM words 0..2 via EERD', () => {
    const rig = new Rig();
    const words = [0, 1, 2].map((a) => {
      rig.write(R.EERD, R.EERD_START | (a << R.EERD_ADDR_SHIFT));
      const v = rig.read(R.EERD);
      expect(v & R.EERD_DONE).toBe(R.EERD_DONE);
      return v >>> R.EERD_DATA_SHIFT;
    });
    expect(words).toEqual([MAC[0] | (MAC[1] << 8), MAC[2] | (MAC[3] << 8), MAC[4] | (MAC[5] << 8)]);
  });

  // STATUS (§1.2): FD b0, LU b1, SPEED b7:6 = 10 (1000) at every gigabit speed, GIO master
  // enable b19; plus b22 at 2.5G (I225, §1.1) or b23 at 10G (OURS, device/README).
  for (const [speed, status] of [
    ['1g', 0x00080083],
    ['2.5g', 0x00480083],
    ['10g', 0x00880083],
  ] as const) {
    it(`STATUS at ${speed} link up = ${hex(status)}; link down keeps only GIO master enable`, () => {
      const rig = new Rig({ linkSpeed: speed });
      expect(rig.read(R.STATUS)).toBe(status);
      rig.nic.setLink(false);
      expect(rig.read(R.STATUS)).toBe(0x00080000);
    });
  }

  const READ_ONLY: [string, number][] = [
    ['STATUS', R.STATUS],
    ['GPTC', R.GPTC],
    ['GORCH', R.GORCH],
    ['RQDPC1', R.RQDPC(1)],
    ['TQPC0', R.TQPC(0)],
  ];
  for (const [name, offset] of READ_ONLY) {
    it(`${name} is read-only: write ignored with a warning trace`, () => {
      const rig = new Rig();
      const before = rig.read(offset);
      rig.write(offset, 0x12345678);
      expect(rig.read(offset)).toBe(before);
      const warns = rig.tracer.find(/write to read-only/);
      expect(warns).toHaveLength(1);
      expect(warns[0].level).toBe('warn');
    });
  }

  it('unknown offsets read 0 and trace "unknown register"; writes are dropped', () => {
    const rig = new Rig();
    rig.write(0x1ff00, 0xdead);
    expect(rig.read(0x1ff00)).toBe(0);
    expect(rig.tracer.find(/unknown register/)).toHaveLength(2);
  });

  it('misaligned MMIO returns 0 and traces', () => {
    const rig = new Rig();
    expect(rig.nic.mmioRead32(0, R.VET + 2)).toBe(0);
    expect(rig.tracer.find(/bad MMIO/)).toHaveLength(1);
  });

  // Writable bits: TDLEN field 19:7 (§1.3), RDT 16 bits (§1.3), TXARB 4 x 2 bits (§6.2),
  // TXQMIN b31 | b27:0 with b30:28 reserved (device/README).
  for (const [name, offset, kept] of [
    ['TDLEN0', 0x0e008, 0x000fff80],
    ['RDT2', 0x0c098, 0x0000ffff],
    ['TXARB', 0x03354, 0x000000ff],
    ['TXQMIN2', 0x1f038, 0x8fffffff],
  ] as const) {
    it(`masks writable bits: ${name} keeps ${hex(kept)} of 0xffffffff`, () => {
      const rig = new Rig();
      rig.write(offset, 0xffffffff);
      expect(rig.read(offset)).toBe(kept);
    });
  }

  it('legacy queue aliases (Tx 0x3800 + 0x100n, Rx 0x2800 + 0x100n, §1.3) reach the same storage', () => {
    const rig = new Rig();
    // TDLEN(2): alias 0x3A08, main 0xE088.
    rig.write(0x03a08, 4096);
    expect(rig.read(0x0e088)).toBe(4096);
    // RDBAL(1): main 0xC040, alias 0x2900.
    rig.write(0x0c040, 0x1000);
    expect(rig.read(0x02900)).toBe(0x1000);
  });

  it('EICR is write-1-to-clear; EICS sets it; pending-but-masked is visible', () => {
    const rig = new Rig();
    rig.write(R.GPIE, R.GPIE_MSIX_MODE);
    // One EICR bit per MSI-X vector (§1.4): vectors 1, 2 and 4.
    rig.write(R.EICS, 0b10110);
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(0b10110);
    rig.write(R.EICR, 0b00100);
    expect(rig.nic.core.interrupts.pendingMasked()).toBe(0b10010);
    expect(rig.bus.msix).toHaveLength(0);
  });

  it('ICR is clear-on-read in legacy mode, and W1C', () => {
    const rig = new Rig();
    rig.write(R.ICS, R.ICR_LSC | R.ICR_RXO);
    rig.write(R.ICR, R.ICR_RXO);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(0);
  });

  it('ICR read in MSI-X mode without NSICR and with IMS set keeps the causes', () => {
    const rig = new Rig();
    rig.write(R.GPIE, R.GPIE_MSIX_MODE);
    rig.write(R.IMS, R.ICR_RXO);
    rig.write(R.ICS, R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
    expect(rig.read(R.ICR)).toBe(R.ICR_LSC);
  });

  it('IMS sets and IMC clears mask bits; IMC reads 0', () => {
    const rig = new Rig();
    rig.write(R.IMS, R.ICR_TXDW | R.ICR_LSC);
    rig.write(R.IMS, R.ICR_RXDMT0);
    rig.write(R.IMC, R.ICR_LSC);
    expect(rig.read(R.IMS)).toBe(R.ICR_TXDW | R.ICR_RXDMT0);
    expect(rig.read(R.IMC)).toBe(0);
  });

  it('statistics are clear-on-read; 64-bit pairs clear on reading the high half', () => {
    const rig = new Rig().startHw();
    rig.send(0, makeFrame(100));
    rig.send(0, makeFrame(100));
    rig.runIdle();
    expect(rig.read(R.GPTC)).toBe(2);
    expect(rig.read(R.GPTC)).toBe(0);
    // Octets include the FCS (§1.8): 2 x (100 + 4).
    expect(rig.read(R.TOTL)).toBe(208);
    expect(rig.read(R.TOTL)).toBe(208);
    expect(rig.read(R.TOTH)).toBe(0);
    expect(rig.read(R.TOTL)).toBe(0);
  });

  it('counters saturate at 0xFFFFFFFF; 64-bit pairs carry into the high half', () => {
    const rig = new Rig();
    const regs = rig.nic.core.regs;
    regs.set(R.GPTC, 0xfffffffe);
    regs.inc(R.GPTC, 5);
    expect(rig.read(R.GPTC)).toBe(0xffffffff);
    regs.set(R.GOTCL, 0xfffffff0);
    regs.add64(R.GOTCL, 0x20);
    expect(rig.read(R.GOTCL)).toBe(0x10);
    expect(rig.read(R.GOTCH)).toBe(1);
  });

  it('a 64-bit counter takes a stretch’s sum at once as it takes each frame: min(v + sum, 2^64-1)', () => {
    const regs = new Rig().nic.core.regs;
    const value = () => regs.get(R.GOTCL) + regs.get(R.GOTCH) * 2 ** 32;
    // A carry of several units of 2^32.
    regs.set(R.GOTCL, 0xfffffff0);
    regs.set(R.GOTCH, 7);
    regs.add64(R.GOTCL, 3 * 2 ** 32 + 0x20);
    expect(value()).toBe(7 * 2 ** 32 + 0xfffffff0 + 3 * 2 ** 32 + 0x20);
    // Near the top: the sum saturates where frame-by-frame adds would.
    regs.set(R.GOTCL, 0xffffff00);
    regs.set(R.GOTCH, 0xfffffffe);
    regs.add64(R.GOTCL, 2 ** 33);
    expect([regs.get(R.GOTCL), regs.get(R.GOTCH)]).toEqual([0xffffffff, 0xffffffff]);
    regs.set(R.GOTCL, 0xffffff00);
    regs.set(R.GOTCH, 0xffffffff);
    for (let i = 0; i < 3; i++) regs.add64(R.GOTCL, 0x80);
    expect([regs.get(R.GOTCL), regs.get(R.GOTCH)]).toEqual([0xffffffff, 0xffffffff]);
  });

  it('CTRL.RST is self-clearing and resets rings, but EITR survives', () => {
    const rig = new Rig().startHw();
    rig.write(R.EITR(2), 50 << R.EITR_INTERVAL_SHIFT);
    rig.write(R.TXSCHED, R.TXSCHED_DRR);
    rig.write(R.CTRL, R.CTRL_RST | R.CTRL_SLU);
    expect(rig.read(R.CTRL) & R.CTRL_RST).toBe(0);
    expect(rig.read(R.TDLEN(0))).toBe(0);
    expect(rig.read(R.TXDCTL(0))).toBe(0);
    expect(rig.read(R.TXSCHED)).toBe(0);
    expect(rig.read(R.EITR(2))).toBe(50 << R.EITR_INTERVAL_SHIFT);
    expect(rig.read(R.RAH(0)) & R.RAH_AV).toBe(R.RAH_AV);
    // FLR / power-on reset clears EITR too.
    rig.nic.reset();
    expect(rig.read(R.EITR(2))).toBe(0);
  });

  it('CTRL.RST abandons the frame in flight', () => {
    const rig = new Rig({ linkSpeed: '1g' }).startHw();
    rig.send(0, makeFrame(1514));
    rig.run(100);
    rig.write(R.CTRL, R.CTRL_RST);
    rig.runIdle();
    expect(rig.peer.frames).toHaveLength(0);
  });

  it('MDIC PHY read of BMSR: READY, and link status / autoneg complete follow the link', () => {
    const rig = new Rig();
    // §1.2 MDIC: register 20:16, PHY address 25:21 (PHY 1 here). BMSR is IEEE 802.3 clause 22
    // register 1: link status b2 (0x4), autoneg complete b5 (0x20).
    const readBmsr = (): number => {
      rig.write(R.MDIC, R.MDIC_OP_READ | (R.PHY_BMSR << R.MDIC_REG_SHIFT) | (1 << 21));
      return rig.read(R.MDIC);
    };
    const up = readBmsr();
    expect(up & R.MDIC_READY).toBe(R.MDIC_READY);
    expect(up & 0x24).toBe(0x24);
    rig.nic.setLink(false);
    expect(readBmsr() & 0x24).toBe(0);
  });
});
