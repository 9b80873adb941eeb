import * as R from './hw-regs.ts';
import type { Mmio } from './mmio.ts';

const ETHERNET_OVERHEAD = 18; // header 14 + FCS 4
const VLAN_BYTES = 4;
const MIN_MTU = 68;
/** MTA: 128 × 32 bits = the 4096-bit multicast hash table. */
const MTA_WORDS = 128;

/**
 * Receive filters and the MTU (igb_set_rx_mode, igb_change_mtu): promiscuous and
 * all-multicast in RCTL, the multicast hash in MTA, the long-packet limit in RLPML. Every
 * change is written in place, without a reset, so traffic keeps flowing (the io-pkt lesson);
 * the state is kept here so it is written again after every reset.
 */
export class RxFilters {
  private mtuBytes = 1500;
  private promiscuous = false;
  private allMulticast = false;
  private multicast: Uint8Array[] = [];

  constructor(private readonly bufferSize: number) {}

  get mtu(): number {
    return this.mtuBytes;
  }

  /** The largest MTU a receive buffer holds (with a VLAN tag and the FCS). */
  get maxMtu(): number {
    return this.bufferSize - ETHERNET_OVERHEAD - VLAN_BYTES;
  }

  /** False when `mtu` is out of range (nothing changes). */
  setMtu(mtu: number, mmio: Mmio | null): boolean {
    if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > this.maxMtu) return false;
    this.mtuBytes = mtu;
    if (mmio) {
      mmio.wr32(R.RLPML, this.longPacketLimit());
      this.writeRctl(mmio);
    }
    return true;
  }

  setPromiscuous(enable: boolean, mmio: Mmio | null): void {
    this.promiscuous = enable;
    if (mmio) this.writeRctl(mmio);
  }

  setAllMulticast(enable: boolean, mmio: Mmio | null): void {
    this.allMulticast = enable;
    if (mmio) this.writeRctl(mmio);
  }

  /** False when the list is malformed (nothing changes). */
  setMulticast(addresses: readonly Uint8Array[], count: number, mmio: Mmio | null): boolean {
    if (!Number.isInteger(count) || count < 0 || count > addresses.length) return false;
    const list = addresses.slice(0, count);
    if (list.some((a) => !(a instanceof Uint8Array) || a.length !== 6)) return false;
    this.multicast = list.map((a) => a.slice());
    if (mmio) this.writeMulticastTable(mmio);
    return true;
  }

  /** RLPML: the longest frame accepted, with a VLAN tag and the FCS. */
  longPacketLimit(): number {
    return this.mtuBytes + ETHERNET_OVERHEAD + VLAN_BYTES;
  }

  /** RCTL bits for the filters (the enable and fixed bits are the caller's). */
  flags(): number {
    return (
      (this.promiscuous ? R.RCTL_UPE | R.RCTL_MPE : 0) |
      (this.allMulticast ? R.RCTL_MPE : 0) |
      (this.mtuBytes > 1500 ? R.RCTL_LPE : 0)
    );
  }

  /** Writes RCTL with the receiver enabled (call only while the interface is enabled). */
  writeRctl(mmio: Mmio): void {
    if (mmio.removed) return;
    mmio.wr32(R.RCTL, R.RCTL_EN | R.RCTL_BAM | R.RCTL_SECRC | this.flags());
  }

  /** The 4096-bit multicast hash (MTA) from the list; also written after every reset. */
  writeMulticastTable(mmio: Mmio): void {
    if (mmio.removed) return;
    const table = new Uint32Array(MTA_WORDS);
    for (const a of this.multicast) {
      // RCTL.MO = 00: hash = DA[47:36], i.e. bits 4..15 of the last two bytes.
      const hash = ((a[4] >>> 4) | (a[5] << 4)) & 0xfff;
      table[(hash >>> 5) & 0x7f] |= 1 << (hash & 0x1f);
    }
    for (let i = 0; i < MTA_WORDS; i++) mmio.wr32(R.MTA(i), table[i]);
  }
}
