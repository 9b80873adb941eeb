/**
 * The bare-skeleton reference for `npm run bench -- --only paths`: the Tx path's data
 * structures with none of the model's logic, so our figure can be read as a ratio to "what
 * the same rings, pool and doorbell cost in this JavaScript engine on this machine now".
 *
 * What it keeps, per packet, in the same shapes as the real path:
 * - a packet pool of integer handles (LIFO free stack, per-handle metadata in typed arrays,
 *   one buffer per handle in host memory), as `IOUserNetworkPacketBufferPool`;
 * - the stack allocates a handle and builds a frame in its buffer (Ethernet/IPv4/UDP header,
 *   IP id and checksum patched) — only in the "touching bytes" variant;
 * - a submission ring of handles (Int32Array), drained by the driver in bursts of 32;
 * - the driver posts one 16-byte descriptor per packet into a descriptor ring in host memory
 *   and writes the doorbell once per burst;
 * - the device fetches each descriptor, computes the frame's wire time from an integer bit
 *   count, reads the frame (the link partner checks its destination MAC and EtherType in the
 *   touching variant), writes DD back;
 * - the driver reaps DD descriptors and frees the handles back to the pool in one batch.
 *
 * What it leaves out is everything the model is for: classification, per-app queues, CoDel,
 * rate limits, the arbiter, statistics registers, interrupts, the event scheduler, latency
 * histograms, the peer's protocol handling.
 */
import { HostMemory } from '../driver-runtime/sim/host-memory.ts';

const BURST = 32;
const RING = 1024;
const POOL = 4096;
const BUFFER = 2048;
const DESC = 16;

export interface SkeletonResult {
  /** Handles, rings and descriptors only. */
  bareNs: number;
  /** The same, plus building the frame in its buffer and the peer reading its header. */
  touchNs: number;
  packets: number;
}

class Skeleton {
  private readonly mem = new HostMemory({ size: 16 * 1024 * 1024 });
  private readonly u8 = this.mem.u8;
  private readonly u32 = this.mem.u32;
  private readonly poolBase = this.mem.allocate(POOL * BUFFER);
  private readonly ringBase = this.mem.allocate(RING * DESC);
  private readonly free = new Int32Array(POOL);
  private freeCount = POOL;
  private readonly dataLength = new Uint32Array(POOL);
  private readonly submit = new Int32Array(RING);
  private subHead = 0;
  private subTail = 0;
  /** Software ring: handle per descriptor slot. */
  private readonly swRing = new Int32Array(RING);
  private tdh = 0;
  private tdt = 0;
  private clean = 0;
  private readonly freed = new Int32Array(BURST * 2);
  private epochBits = 0;
  lastEnd = 0;
  sent = 0;
  accepted = 0;
  private ipId = 0;

  constructor(private readonly touch: boolean) {
    for (let i = 0; i < POOL; i++) this.free[i] = POOL - 1 - i;
  }

  /** The stack: one burst of packets into the submission ring. */
  private produce(n: number, frameBytes: number): void {
    const u8 = this.u8;
    for (let i = 0; i < n; i++) {
      const h = this.free[--this.freeCount];
      this.dataLength[h] = frameBytes;
      if (this.touch) {
        const o = this.poolBase + h * BUFFER;
        // Ethernet + IPv4 + UDP header: addresses and lengths, then IP id and checksum.
        for (let b = 0; b < 12; b++) u8[o + b] = 0x10 + b;
        u8[o + 12] = 0x08;
        u8[o + 13] = 0x00;
        u8[o + 14] = 0x45;
        u8[o + 16] = (frameBytes - 14) >> 8;
        u8[o + 17] = (frameBytes - 14) & 0xff;
        const id = (this.ipId = (this.ipId + 1) & 0xffff);
        u8[o + 18] = id >> 8;
        u8[o + 19] = id & 0xff;
        u8[o + 23] = 17;
        const sum = ~(0x4500 + frameBytes + id + 0x4011) & 0xffff;
        u8[o + 24] = sum >> 8;
        u8[o + 25] = sum & 0xff;
      }
      this.submit[this.subTail] = h;
      this.subTail = (this.subTail + 1) & (RING - 1);
    }
  }

  /** The driver: drain the submission ring, post descriptors, one doorbell. */
  private post(): void {
    const u32 = this.u32;
    let t = this.tdt;
    while (this.subHead !== this.subTail && ((t + 1) & (RING - 1)) !== this.clean) {
      const h = this.submit[this.subHead];
      this.subHead = (this.subHead + 1) & (RING - 1);
      const w = (this.ringBase + t * DESC) >>> 2;
      u32[w] = this.poolBase + h * BUFFER;
      u32[w + 1] = 0;
      u32[w + 2] = this.dataLength[h] | (1 << 24); // EOP
      u32[w + 3] = 0;
      this.swRing[t] = h;
      t = (t + 1) & (RING - 1);
    }
    this.tdt = t; // the doorbell
  }

  /** The device: fetch, time, hand the frame to the peer, write back DD. */
  private transmit(): void {
    const u32 = this.u32;
    const u8 = this.u8;
    while (this.tdh !== this.tdt) {
      const w = (this.ringBase + this.tdh * DESC) >>> 2;
      const addr = u32[w];
      const len = u32[w + 2] & 0xffff;
      this.epochBits += (len + 4 + 20) * 8;
      this.lastEnd = this.epochBits / 10;
      if (this.touch) {
        if (u8[addr] === 0x10 && u8[addr + 12] === 0x08 && u8[addr + 13] === 0 && u8[addr + 23] === 17)
          this.accepted++;
      } else {
        this.accepted++;
      }
      u32[w + 3] = 1; // DD
      this.tdh = (this.tdh + 1) & (RING - 1);
      this.sent++;
    }
  }

  /** The driver: reap DD descriptors, free handles in one batch. */
  private reap(): void {
    const u32 = this.u32;
    let n = 0;
    while (this.clean !== this.tdh) {
      const w = (this.ringBase + this.clean * DESC) >>> 2;
      if ((u32[w + 3] & 1) === 0) break;
      u32[w + 3] = 0;
      this.freed[n++] = this.swRing[this.clean];
      this.clean = (this.clean + 1) & (RING - 1);
      if (n === this.freed.length) {
        this.release(n);
        n = 0;
      }
    }
    this.release(n);
  }

  private release(n: number): void {
    for (let i = 0; i < n; i++) this.free[this.freeCount++] = this.freed[i];
  }

  run(packets: number, frameBytes: number): void {
    for (let done = 0; done < packets; done += BURST) {
      this.produce(BURST, frameBytes);
      this.post();
      this.transmit();
      this.reap();
    }
  }
}

function timed(touch: boolean, packets: number, frameBytes: number): number {
  const s = new Skeleton(touch);
  s.run(packets / 4, frameBytes); // warm up
  const t0 = performance.now();
  s.run(packets, frameBytes);
  const ns = (performance.now() - t0) * 1e6;
  if (s.accepted !== s.sent) throw new Error('skeleton: peer refused a frame');
  return ns / packets;
}

/** Best of `rounds` (the least disturbed run on a shared machine), per variant. */
export function skeletonReference(frameBytes: number, packets = 2_000_000, rounds = 5): SkeletonResult {
  let bareNs = Infinity;
  let touchNs = Infinity;
  for (let i = 0; i < rounds; i++) {
    bareNs = Math.min(bareNs, timed(false, packets, frameBytes));
    touchNs = Math.min(touchNs, timed(true, packets, frameBytes));
  }
  return { bareNs, touchNs, packets };
}
