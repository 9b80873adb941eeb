import {
  kIOReturnBadArgument,
  kIOReturnNoMemory,
  kIOReturnNoResources,
  kIOReturnSuccess,
  type IOReturn,
} from '../kit/io-return.ts';
import { OSObject, type Out } from '../kit/os-object.ts';
import { IOBufferMemoryDescriptor } from '../memory/buffer-memory-descriptor.ts';
import { out } from '../kit/os-object.ts';

/** Packet state, one byte per handle. */
export const PACKET_FREE = 0;
export const PACKET_ALLOCATED = 1;

/** Per-packet flag bits (OURS: our own layout of the packet's boolean metadata). */
export const PACKET_FLAG_TIMESTAMP_REQUESTED = 0x01;
export const PACKET_FLAG_TIMESTAMP_VALID = 0x02;
export const PACKET_FLAG_LINK_MULTICAST = 0x04;
export const PACKET_FLAG_LINK_BROADCAST = 0x08;

/** OURS: default headroom so a driver can prepend a link header without moving data. */
export const DEFAULT_DATA_OFFSET = 64;

/**
 * IOUserNetworkPacketBufferPool: `packetCount` packets over one contiguous block of host
 * memory of `bufferCount × bufferSize` bytes (one buffer per packet here). A packet is an
 * integer handle; its metadata lives in a structure of typed arrays, laid out like
 * rte_mbuf — fields written on every packet apart from the rarely used ones.
 *
 * Handles come from a LIFO free stack (cache-warm reuse); `DeallocatePacket` of a packet
 * that is not allocated is refused, so a double free is caught, not silently corrupting.
 *
 * OURS: one buffer per packet; `Create`'s limits (1..65536 packets, bufferCount ≥
 * packetCount, buffers of 64 B..64 KiB, name shorter than 1024 like the real char[1024],
 * memory 4 KiB-aligned) and kIOReturnBadArgument for an access to a packet not allocated.
 */
export class IOUserNetworkPacketBufferPool extends OSObject {
  readonly name: string;
  readonly packetCount: number;
  readonly bufferCount: number;
  readonly bufferSize: number;
  readonly memory: IOBufferMemoryDescriptor;
  /** Offset of buffer 0 in host memory; buffer h starts at `baseOffset + h * bufferSize`. */
  readonly baseOffset: number;
  /** Physical address of buffer 0. */
  readonly basePhys: number;

  // Hot fields: touched for every packet on Tx and Rx.
  readonly dataOffset: Uint16Array;
  readonly dataLength: Uint32Array;
  readonly state: Uint8Array;
  readonly flags: Uint8Array;
  /** OS service class (kIOUserNetworkServiceClass*). */
  readonly serviceClass: Uint16Array;
  // Colder fields.
  readonly linkHeaderLength: Uint8Array;
  readonly headroom: Uint8Array;
  readonly direction: Uint8Array;
  /** Timestamp (ns): set by the driver from the NIC's wire time on Tx, arrival on Rx. */
  readonly timestamp: Float64Array;
  readonly completionStatus: Uint32Array;

  private readonly freeStack: Int32Array;
  private freeTop: number;
  /** Failed allocations (pool exhausted). */
  allocationFailures = 0;
  /**
   * OURS: how many times each packet has been allocated. A user that wrote a buffer at its
   * n-th allocation knows, at the (n+1)-th, that no one else has had it since.
   */
  readonly allocations: Float64Array;

  private constructor(
    owner: OSObject,
    name: string,
    packetCount: number,
    bufferCount: number,
    bufferSize: number,
    memory: IOBufferMemoryDescriptor,
  ) {
    super(owner.runtime);
    this.name = name;
    this.packetCount = packetCount;
    this.bufferCount = bufferCount;
    this.bufferSize = bufferSize;
    this.memory = memory;
    this.baseOffset = memory.offset;
    this.basePhys = memory.physicalAddress();
    this.dataOffset = new Uint16Array(packetCount);
    this.dataLength = new Uint32Array(packetCount);
    this.state = new Uint8Array(packetCount);
    this.flags = new Uint8Array(packetCount);
    this.serviceClass = new Uint16Array(packetCount);
    this.linkHeaderLength = new Uint8Array(packetCount);
    this.headroom = new Uint8Array(packetCount);
    this.direction = new Uint8Array(packetCount);
    this.timestamp = new Float64Array(packetCount);
    this.completionStatus = new Uint32Array(packetCount);
    this.freeStack = new Int32Array(packetCount);
    this.allocations = new Float64Array(packetCount);
    for (let i = 0; i < packetCount; i++) this.freeStack[i] = packetCount - 1 - i;
    this.freeTop = packetCount;
  }

  static Create(
    owner: OSObject,
    name: string,
    packetCount: number,
    bufferCount: number,
    bufferSize: number,
    pool: Out<IOUserNetworkPacketBufferPool>,
  ): IOReturn {
    const valid =
      Number.isInteger(packetCount) &&
      Number.isInteger(bufferCount) &&
      Number.isInteger(bufferSize) &&
      packetCount > 0 &&
      packetCount <= 0x10000 &&
      bufferCount >= packetCount &&
      bufferSize >= 64 &&
      bufferSize <= 65536 &&
      name.length < 1024;
    if (!valid) return kIOReturnBadArgument;
    const memory = out<IOBufferMemoryDescriptor>();
    const ret = IOBufferMemoryDescriptor.Create(0, bufferCount * bufferSize, 4096, memory);
    if (ret !== kIOReturnSuccess) return ret === kIOReturnNoMemory ? kIOReturnNoMemory : ret;
    pool.value = new IOUserNetworkPacketBufferPool(
      owner,
      name,
      packetCount,
      bufferCount,
      bufferSize,
      memory.value!,
    );
    return kIOReturnSuccess;
  }

  GetPacketCount(count: Out<number>): IOReturn {
    count.value = this.packetCount;
    return kIOReturnSuccess;
  }

  GetBufferCount(count: Out<number>): IOReturn {
    count.value = this.bufferCount;
    return kIOReturnSuccess;
  }

  CopyMemoryDescriptor(memory: Out<IOBufferMemoryDescriptor>): IOReturn {
    memory.value = this.memory.retain();
    return kIOReturnSuccess;
  }

  /** Packets currently allocated (leak checks: 0 after a clean shutdown). */
  get inUse(): number {
    return this.packetCount - this.freeTop;
  }

  get available(): number {
    return this.freeTop;
  }

  /** System-side allocation (the stack fills Tx packets and posts Rx buffers). Returns -1 when empty. */
  allocatePacket(): number {
    if (this.freeTop === 0) {
      this.allocationFailures++;
      return -1;
    }
    const h = this.freeStack[--this.freeTop];
    this.claim(h);
    return h;
  }

  /** A packet leaving the free stack: allocated, with fresh metadata. */
  private claim(h: number): void {
    this.allocations[h]++;
    this.state[h] = PACKET_ALLOCATED;
    this.dataOffset[h] = DEFAULT_DATA_OFFSET;
    this.dataLength[h] = 0;
    this.flags[h] = 0;
    this.linkHeaderLength[h] = 0;
    this.completionStatus[h] = 0;
  }

  /** Burst allocation: fills `handles[0..n)`; returns how many it got (may be fewer). */
  allocatePackets(handles: Int32Array, n: number): number {
    const got = n < this.freeTop ? n : this.freeTop;
    if (got < n) this.allocationFailures++;
    const freeStack = this.freeStack;
    let top = this.freeTop;
    for (let i = 0; i < got; i++) {
      const h = freeStack[--top];
      this.claim(h);
      handles[i] = h;
    }
    this.freeTop = top;
    return got;
  }

  DeallocatePacket(handle: number): IOReturn {
    if (!this.isValidHandle(handle) || this.state[handle] !== PACKET_ALLOCATED) return kIOReturnBadArgument;
    this.state[handle] = PACKET_FREE;
    this.freeStack[this.freeTop++] = handle;
    return kIOReturnSuccess;
  }

  /** `DeallocatePacket` for each handle, in order, in one loop (an Int32Array holds integers only). */
  DeallocatePackets(handles: Int32Array, count: number): IOReturn {
    let ret: IOReturn = kIOReturnSuccess;
    const state = this.state;
    const freeStack = this.freeStack;
    const packetCount = this.packetCount;
    let top = this.freeTop;
    for (let i = 0; i < count; i++) {
      const h = handles[i];
      if (h < 0 || h >= packetCount || state[h] !== PACKET_ALLOCATED) {
        ret = kIOReturnBadArgument;
        continue;
      }
      state[h] = PACKET_FREE;
      freeStack[top++] = h;
    }
    this.freeTop = top;
    return ret;
  }

  isValidHandle(handle: number): boolean {
    return Number.isInteger(handle) && handle >= 0 && handle < this.packetCount;
  }

  isAllocated(handle: number): boolean {
    return this.isValidHandle(handle) && this.state[handle] === PACKET_ALLOCATED;
  }

  /** Offset in host memory of the packet's buffer (not of its data). */
  bufferOffset(handle: number): number {
    return this.baseOffset + handle * this.bufferSize;
  }

  /** Offset in host memory of the first data byte. */
  dataStart(handle: number): number {
    return this.baseOffset + handle * this.bufferSize + this.dataOffset[handle];
  }

  /** Physical (DMA) address of the first data byte. */
  dataPhys(handle: number): number {
    return this.basePhys + handle * this.bufferSize + this.dataOffset[handle];
  }

  // ---- IOUserNetworkPacket accessors (PascalCase, DriverKit 19/20), by handle ----

  GetDataLength(handle: number, length: Out<number>): IOReturn {
    if (!this.isAllocated(handle)) return kIOReturnBadArgument;
    length.value = this.dataLength[handle];
    return kIOReturnSuccess;
  }

  SetDataLength(handle: number, length: number): IOReturn {
    if (!this.isAllocated(handle) || length < 0 || this.dataOffset[handle] + length > this.bufferSize) {
      return kIOReturnBadArgument;
    }
    this.dataLength[handle] = length;
    return kIOReturnSuccess;
  }

  GetDataOffset(handle: number, offset: Out<number>): IOReturn {
    if (!this.isAllocated(handle)) return kIOReturnBadArgument;
    offset.value = this.dataOffset[handle];
    return kIOReturnSuccess;
  }

  SetDataOffset(handle: number, offset: number): IOReturn {
    if (!this.isAllocated(handle) || offset < 0 || offset + this.dataLength[handle] > this.bufferSize) {
      return kIOReturnBadArgument;
    }
    this.dataOffset[handle] = offset;
    return kIOReturnSuccess;
  }

  GetLinkHeaderLength(handle: number, length: Out<number>): IOReturn {
    if (!this.isAllocated(handle)) return kIOReturnBadArgument;
    length.value = this.linkHeaderLength[handle];
    return kIOReturnSuccess;
  }

  SetLinkHeaderLength(handle: number, length: number): IOReturn {
    if (!this.isAllocated(handle) || length < 0 || length > 255) return kIOReturnBadArgument;
    this.linkHeaderLength[handle] = length;
    return kIOReturnSuccess;
  }

  GetHeadroom(handle: number, headroom: Out<number>): IOReturn {
    if (!this.isAllocated(handle)) return kIOReturnBadArgument;
    headroom.value = this.headroom[handle];
    return kIOReturnSuccess;
  }

  SetHeadroom(handle: number, headroom: number): IOReturn {
    if (!this.isAllocated(handle) || headroom < 0 || headroom > 255) return kIOReturnBadArgument;
    this.headroom[handle] = headroom;
    return kIOReturnSuccess;
  }

  /** The packet's offset within the pool memory. */
  GetMemorySegmentOffset(handle: number, offset: Out<number>): IOReturn {
    if (!this.isValidHandle(handle)) return kIOReturnBadArgument;
    offset.value = handle * this.bufferSize;
    return kIOReturnSuccess;
  }

  getTimestamp(handle: number): number {
    return this.timestamp[handle];
  }

  setTimestamp(handle: number, timeNs: number): void {
    this.timestamp[handle] = timeNs;
    this.flags[handle] |= PACKET_FLAG_TIMESTAMP_VALID;
  }

  isTimestampRequested(handle: number): boolean {
    return (this.flags[handle] & PACKET_FLAG_TIMESTAMP_REQUESTED) !== 0;
  }

  getServiceClass(handle: number): number {
    return this.serviceClass[handle];
  }

  setCompletionStatus(handle: number, status: IOReturn): void {
    this.completionStatus[handle] = status;
  }

  /** Whether the pool can still hand out a packet (kIOReturnNoResources otherwise). */
  checkAvailable(): IOReturn {
    return this.freeTop > 0 ? kIOReturnSuccess : kIOReturnNoResources;
  }

  protected override free(): void {
    this.memory.release();
  }
}
