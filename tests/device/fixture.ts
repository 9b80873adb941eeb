/**
 * qtest/libqos-style fixture for black-box device tests: a scheduler, host memory, a fake
 * PCI bus that records MSI-X messages, a recording wire peer, and a tiny "driver" that
 * programs the rings like igb's start-hardware and pushes Tx descriptors.
 *
 * The tiny driver (startHw, setup*Ring, txPush) plays the driver's part, so it spells the
 * hardware the way our driver does: driver/hw-regs.ts (H, read-only use). The few things that
 * header does not name (NSICR, advanced context descriptors) come from the device header (R);
 * headers-agree.test.ts keeps the two consistent.
 */
import { Tracer } from '../../driver-runtime/kit/tracer.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import type { PciBusPort } from '../../driver-runtime/pci/pci-function.ts';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import type { LinkSpeed } from '../../driver-runtime/sim/units.ts';
import { SimNic, type WirePeer } from '../../driver-runtime/device/index.ts';
import * as R from '../../driver-runtime/device/registers.ts';
import * as H from '../../driver-runtime/driver/hw-regs.ts';

export const MAC = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x20, 0x30);
export const TX_SLOT_BYTES = 2048;
/** Rx buffer per descriptor; SRRCTL.BSIZEPACKET counts 1 KiB units. */
export const RX_BUFFER_BYTES = 2048;
/** EIAC/EIMS bit per MSI-X vector: queue pairs 0..3 and the other-causes vector. */
const ALL_VECTORS = (1 << (H.OTHER_VECTOR + 1)) - 1;
/** One IVAR byte: vector number | valid. */
const ivarEntry = (vector: number): number => vector | H.IVAR_VALID;

export interface MsixRecord {
  vector: number;
  time: number;
}

export interface WireRecord {
  bytes: Uint8Array;
  sfd: number;
  time: number;
  queue: number;
}

export class FakeBus implements PciBusPort {
  readonly msix: MsixRecord[] = [];
  busMaster = true;
  constructor(
    readonly scheduler: Scheduler,
    readonly memory: HostMemory,
    readonly tracer: Tracer,
  ) {}
  busMasterEnabled(): boolean {
    return this.busMaster;
  }
  signalMsix(vector: number): void {
    this.msix.push({ vector, time: this.scheduler.now });
  }
}

export class RecordingPeer implements WirePeer {
  readonly frames: WireRecord[] = [];
  /** Optional hook run after recording (traffic generators refill from here). */
  onFrame: ((queue: number) => void) | null = null;
  constructor(private readonly scheduler: Scheduler) {}
  frameFromNic(frame: Uint8Array, offset: number, length: number, sfd: Float64Array, txQueue: number): void {
    this.frames.push({
      bytes: frame.slice(offset, offset + length),
      sfd: sfd[0],
      time: this.scheduler.now,
      queue: txQueue,
    });
    this.onFrame?.(txQueue);
  }
}

export interface RigOptions {
  linkSpeed?: LinkSpeed;
  txRingSize?: number;
  rxRingSize?: number;
  msix?: boolean;
  memorySize?: number;
}

export interface TxPushOptions {
  legacy?: boolean;
  rs?: boolean;
  eop?: boolean;
  ifcs?: boolean;
  /** Insert this VLAN TCI (legacy: descriptor VLAN field; advanced: via a context descriptor). */
  vlan?: number;
  /** Split the payload over descriptors of these lengths (gather). */
  split?: number[];
  /** Override the buffer address of the first data descriptor (DMA error tests). */
  badAddress?: number;
  /** Override the length field of the first data descriptor. */
  lengthOverride?: number;
}

export class Rig {
  readonly scheduler = new Scheduler();
  readonly memory: HostMemory;
  readonly tracer = new Tracer();
  readonly bus: FakeBus;
  readonly nic: SimNic;
  readonly peer: RecordingPeer;
  readonly txRingSize: number;
  readonly rxRingSize: number;
  readonly txRing: number[] = [];
  readonly txBuffers: number[] = [];
  readonly rxRing: number[] = [];
  readonly rxBuffers: number[] = [];
  /** Software tail per Tx queue (next_to_use). */
  readonly txTail = [0, 0, 0, 0];

  constructor(options: RigOptions = {}) {
    this.memory = new HostMemory({ size: options.memorySize ?? 16 * 1024 * 1024 });
    this.tracer.clock = () => this.scheduler.now;
    this.bus = new FakeBus(this.scheduler, this.memory, this.tracer);
    this.nic = new SimNic({ mac: MAC, linkSpeed: options.linkSpeed ?? '10g' });
    this.nic.attach(this.bus);
    this.peer = new RecordingPeer(this.scheduler);
    this.nic.connectWire(this.peer);
    this.txRingSize = options.txRingSize ?? 256;
    this.rxRingSize = options.rxRingSize ?? 64;
  }

  read(offset: number): number {
    return this.nic.mmioRead32(0, offset);
  }

  write(offset: number, value: number): void {
    this.nic.mmioWrite32(0, offset, value >>> 0);
  }

  phys(offset: number): number {
    return this.memory.physOf(offset);
  }

  /** igb start-hardware: reset, MSI-X routing (queue pair n -> vector n, other -> 4), rings, enables. */
  startHw(options: RigOptions = {}): this {
    this.write(H.CTRL, H.CTRL_RST);
    this.write(H.CTRL, H.CTRL_SLU);
    if (options.msix ?? true) {
      this.write(H.GPIE, H.GPIE_MSIX_MODE | H.GPIE_PBA | R.GPIE_NSICR);
      // IVAR0..1, one register per queue pair: Rx(2i) 7:0, Tx(2i) 15:8, Rx(2i+1) 23:16, Tx(2i+1) 31:24.
      for (const [index, even, odd] of [
        [0, 0, 1],
        [1, 2, 3],
      ]) {
        const entries = [even, even, odd, odd].map((vector, k) => ivarEntry(vector) << (8 * k));
        this.write(
          H.IVAR0 + 4 * index,
          entries.reduce((a, b) => a | b),
        );
      }
      this.write(H.IVAR_MISC, ivarEntry(H.OTHER_VECTOR) << 8);
      this.write(H.EIAC, ALL_VECTORS);
      this.write(H.EIMS, ALL_VECTORS);
    }
    this.write(H.IMS, H.ICR_LSC | H.ICR_RXO | H.ICR_DOUTSYNC | H.ICR_RXDMT0);
    for (let q = 0; q < H.NUM_QUEUES; q++) this.setupTxRing(q);
    this.write(H.TCTL, H.TCTL_EN | H.TCTL_PSP);
    for (let q = 0; q < H.NUM_QUEUES; q++) this.setupRxRing(q);
    this.write(H.RCTL, H.RCTL_EN | H.RCTL_BAM | H.RCTL_SECRC);
    return this;
  }

  setupTxRing(q: number): void {
    const n = this.txRingSize;
    const ring = this.memory.allocate(n * H.DESCRIPTOR_BYTES, 128);
    const buffers = this.memory.allocate(n * TX_SLOT_BYTES, 64);
    this.txRing[q] = ring;
    this.txBuffers[q] = buffers;
    this.write(H.TXDCTL(q), 0);
    this.write(H.TDBAL(q), this.phys(ring));
    this.write(H.TDBAH(q), 0);
    this.write(H.TDLEN(q), n * H.DESCRIPTOR_BYTES);
    this.write(H.TDH(q), 0);
    this.write(H.TDT(q), 0);
    this.txTail[q] = 0;
    this.write(H.TXDCTL(q), H.TXDCTL_ENABLE);
  }

  setupRxRing(q: number): void {
    const n = this.rxRingSize;
    const ring = this.memory.allocate(n * H.DESCRIPTOR_BYTES, 128);
    const buffers = this.memory.allocate(n * RX_BUFFER_BYTES, 64);
    this.rxRing[q] = ring;
    this.rxBuffers[q] = buffers;
    this.write(H.RXDCTL(q), 0);
    this.write(H.RDBAL(q), this.phys(ring));
    this.write(H.RDBAH(q), 0);
    this.write(H.RDLEN(q), n * H.DESCRIPTOR_BYTES);
    this.write(H.SRRCTL(q), H.SRRCTL_DESCTYPE_ADV_ONEBUF | (RX_BUFFER_BYTES >> 10));
    this.write(H.RDH(q), 0);
    for (let i = 0; i < n; i++) this.postRxDescriptor(q, i);
    this.write(H.RXDCTL(q), H.RXDCTL_ENABLE);
    this.write(H.RDT(q), n - 1);
  }

  postRxDescriptor(q: number, i: number): void {
    const d = this.rxRing[q] + i * H.DESCRIPTOR_BYTES;
    const v = this.memory.view;
    v.setUint32(d, this.phys(this.rxBuffers[q] + i * RX_BUFFER_BYTES), true);
    v.setUint32(d + 4, 0, true);
    v.setUint32(d + 8, 0, true);
    v.setUint32(d + 12, 0, true);
  }

  /** Writes descriptors for one packet on queue q (no doorbell). Returns the EOP descriptor index. */
  txPush(q: number, data: Uint8Array, o: TxPushOptions = {}): number {
    const n = this.txRingSize;
    const v = this.memory.view;
    const rs = o.rs ?? true;
    const ifcs = o.ifcs ?? true;
    const eopFlag = o.eop ?? true;
    const pieces = o.split ?? [data.length];
    let pos = 0;
    let eopIndex = -1;
    if (!o.legacy && o.vlan !== undefined) {
      // Advanced context descriptor, slot 0: VLAN in vlan_macip_lens 31:16 (nic-model §1.5).
      // The driver header has no context descriptor, hence the device header's DTYP code.
      const d = this.txRing[q] + this.txTail[q] * H.DESCRIPTOR_BYTES;
      v.setUint32(d, (o.vlan << 16) >>> 0, true);
      v.setUint32(d + 4, 0, true);
      v.setUint32(d + 8, (H.TXD_CMD_DEXT | (R.TXD_DTYP_CONTEXT << R.TXD_DTYP_SHIFT)) >>> 0, true);
      v.setUint32(d + 12, 0, true);
      this.txTail[q] = (this.txTail[q] + 1) % n;
    }
    for (let k = 0; k < pieces.length; k++) {
      const len = pieces[k];
      const slot = this.txTail[q];
      let bufOffset = this.txBuffers[q] + slot * TX_SLOT_BYTES;
      if (len > TX_SLOT_BYTES) bufOffset = this.memory.allocate(len, 64);
      this.memory.u8.set(data.subarray(pos, pos + len), bufOffset);
      pos += len;
      const last = k === pieces.length - 1;
      const d = this.txRing[q] + slot * H.DESCRIPTOR_BYTES;
      const addr = k === 0 && o.badAddress !== undefined ? o.badAddress : this.phys(bufOffset);
      const fieldLen = k === 0 && o.lengthOverride !== undefined ? o.lengthOverride : len;
      let cmd =
        (last && eopFlag ? H.TXD_CMD_EOP : 0) | (ifcs ? H.TXD_CMD_IFCS : 0) | (last && rs ? H.TXD_CMD_RS : 0);
      if (o.vlan !== undefined) cmd |= H.TXD_CMD_VLE;
      v.setUint32(d, addr % 0x1_0000_0000, true);
      v.setUint32(d + 4, Math.floor(addr / 0x1_0000_0000), true);
      if (o.legacy) {
        // Legacy: dword2 = CMD | length; dword3 = STA 3:0 ... VLAN 31:16 (qword1 63:48, §1.5).
        v.setUint32(d + 8, (cmd | fieldLen) >>> 0, true);
        v.setUint32(d + 12, ((o.vlan ?? 0) << 16) >>> 0, true);
      } else {
        v.setUint32(
          d + 8,
          (cmd | H.TXD_CMD_DEXT | (H.TXD_DTYP_DATA << H.TXD_DTYP_SHIFT) | fieldLen) >>> 0,
          true,
        );
        v.setUint32(d + 12, (data.length << H.TXD_PAYLEN_SHIFT) >>> 0, true);
      }
      this.txTail[q] = (slot + 1) % n;
      eopIndex = slot;
    }
    return eopIndex;
  }

  doorbell(q: number): void {
    this.write(H.TDT(q), this.txTail[q]);
  }

  send(q: number, data: Uint8Array, o: TxPushOptions = {}): number {
    const i = this.txPush(q, data, o);
    this.doorbell(q);
    return i;
  }

  txDescriptor(q: number, i: number): { lo: number; hi: number; d2: number; d3: number } {
    const d = this.txRing[q] + i * H.DESCRIPTOR_BYTES;
    const v = this.memory.view;
    return {
      lo: v.getUint32(d, true),
      hi: v.getUint32(d + 4, true),
      d2: v.getUint32(d + 8, true),
      d3: v.getUint32(d + 12, true),
    };
  }

  rxDescriptor(q: number, i: number): { d0: number; hash: number; status: number; d3: number } {
    const d = this.rxRing[q] + i * H.DESCRIPTOR_BYTES;
    const v = this.memory.view;
    return {
      d0: v.getUint32(d, true),
      hash: v.getUint32(d + 4, true),
      status: v.getUint32(d + 8, true),
      d3: v.getUint32(d + 12, true),
    };
  }

  rxData(q: number, i: number, length: number): Uint8Array {
    const off = this.rxBuffers[q] + i * RX_BUFFER_BYTES;
    return this.memory.u8.slice(off, off + length);
  }

  run(ns: number): void {
    this.scheduler.runUntil(this.scheduler.now + ns);
  }

  runIdle(): void {
    this.scheduler.runUntilIdle();
  }

  vectors(): number[] {
    return this.bus.msix.map((m) => m.vector);
  }
}

/** An Ethernet frame of `length` bytes (no FCS) with a recognisable pattern. */
export function makeFrame(
  length: number,
  dst: Uint8Array = Uint8Array.of(0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee),
  seed = 0,
): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set(MAC, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  for (let i = 14; i < length; i++) f[i] = (i * 7 + seed) & 0xff;
  return f;
}

/** Ethernet + IPv4 + TCP/UDP header frame for RSS tests. */
export function ipv4Frame(
  dst: Uint8Array,
  src: string,
  dstIp: string,
  sport: number,
  dport: number,
  proto: 6 | 17 = 6,
): Uint8Array {
  const f = new Uint8Array(74);
  f.set(dst, 0);
  f.set(Uint8Array.of(0x02, 0x11, 0x22, 0x33, 0x44, 0x55), 6);
  f[12] = 0x08;
  f[13] = 0x00;
  f[14] = 0x45;
  f[16] = 0;
  f[17] = 60;
  f[22] = 64;
  f[23] = proto;
  f.set(src.split('.').map(Number), 26);
  f.set(dstIp.split('.').map(Number), 30);
  f[34] = sport >> 8;
  f[35] = sport & 0xff;
  f[36] = dport >> 8;
  f[37] = dport & 0xff;
  return f;
}
