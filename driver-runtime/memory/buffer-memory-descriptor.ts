import { currentRuntime } from '../kit/runtime.ts';
import {
  kIOReturnBadArgument,
  kIOReturnNoMemory,
  kIOReturnSuccess,
  type IOReturn,
} from '../kit/io-return.ts';
import { OSObject, type Out } from '../kit/os-object.ts';
import { HostMemory, PAGE_SIZE } from '../sim/host-memory.ts';

export const kIOMemoryDirectionIn = 0x1;
export const kIOMemoryDirectionOut = 0x2;
export const kIOMemoryDirectionInOut = 0x3;
/**
 * OURS: a buffer clients may map (IOConnectMapMemory64). It gets an arena of its own — a
 * SharedArrayBuffer holding exactly its pages — so a mapping exposes its bytes and nothing
 * else of host memory, and a worker can share it with the main thread. Not for DMA: its
 * physical addresses are outside host memory, so the device would refuse them.
 */
export const kIOMemoryMapClientShared = 0x1000;
const CLIENT_SHARED_PHYS_BASE = 0;

/** One physically contiguous piece of a descriptor, as the device sees it. */
export interface IOAddressSegment {
  address: number;
  length: number;
}

/** IOMemoryDescriptor: a range of host memory with a length. */
export class IOMemoryDescriptor extends OSObject {
  protected constructor(
    readonly memory: HostMemory,
    /** Offset of the first byte in host memory. */
    readonly offset: number,
    protected length: number,
    private readonly parent: IOMemoryDescriptor | null,
  ) {
    super();
    parent?.retain();
  }

  GetLength(): number {
    return this.length;
  }

  /** A view over the descriptor's bytes (the dext's mapping of it). */
  bytes(): Uint8Array {
    return this.memory.u8.subarray(this.offset, this.offset + this.length);
  }

  /** Physical address of the first byte. */
  physicalAddress(): number {
    return this.memory.physOf(this.offset);
  }

  /**
   * OURS: IODMACommand::PrepareForDMA folded into the descriptor. Host memory is physically
   * contiguous here, so a descriptor is always one segment.
   */
  PrepareForDMA(segments: IOAddressSegment[]): IOReturn {
    segments.length = 0;
    segments.push({ address: this.physicalAddress(), length: this.length });
    return kIOReturnSuccess;
  }

  /**
   * IOMemoryDescriptor::CreateSubMemoryDescriptor: a range of this one, keeping it alive.
   * OURS: an instance method here; DriverKit's is static and takes the parent as an argument.
   */
  CreateSubMemoryDescriptor(
    _options: number,
    offset: number,
    length: number,
    out: Out<IOMemoryDescriptor>,
  ): IOReturn {
    if (offset < 0 || length < 0 || offset + length > this.length) return kIOReturnBadArgument;
    out.value = new IOMemoryDescriptor(this.memory, this.offset + offset, length, this);
    return kIOReturnSuccess;
  }

  protected override free(): void {
    this.parent?.release();
  }
}

/** IOBufferMemoryDescriptor: owns its host memory; freed with the last reference. */
export class IOBufferMemoryDescriptor extends IOMemoryDescriptor {
  private readonly capacity: number;

  private constructor(memory: HostMemory, offset: number, capacity: number) {
    super(memory, offset, capacity, null);
    this.capacity = capacity;
  }

  /**
   * OURS: options are ignored; capacity must be a positive integer (kIOReturnBadArgument
   * otherwise); alignment 0 means 64 bytes and no allocation is aligned to less than 64.
   */
  static Create(
    options: number,
    capacity: number,
    alignment: number,
    out: Out<IOBufferMemoryDescriptor>,
  ): IOReturn {
    if (!Number.isInteger(capacity) || capacity <= 0) return kIOReturnBadArgument;
    const align = alignment > 0 ? alignment : 64;
    if ((align & (align - 1)) !== 0) return kIOReturnBadArgument;
    const memory =
      (options & kIOMemoryMapClientShared) !== 0
        ? new HostMemory({
            size: Math.ceil(capacity / PAGE_SIZE) * PAGE_SIZE,
            physBase: CLIENT_SHARED_PHYS_BASE,
            shared: true,
          })
        : currentRuntime().memory;
    const offset = memory.allocate(capacity, Math.max(align, 64));
    if (offset < 0) return kIOReturnNoMemory;
    out.value = new IOBufferMemoryDescriptor(memory, offset, capacity);
    return kIOReturnSuccess;
  }

  /** True for a kIOMemoryMapClientShared buffer: its bytes are the whole of their own shared buffer. */
  get clientShared(): boolean {
    return this.memory.physBase === CLIENT_SHARED_PHYS_BASE;
  }

  GetCapacity(): number {
    return this.capacity;
  }

  SetLength(length: number): IOReturn {
    if (length < 0 || length > this.capacity) return kIOReturnBadArgument;
    this.length = length;
    return kIOReturnSuccess;
  }

  /** GetAddressRange: the dext-side mapping (offset into host memory) and length. */
  GetAddressRange(range: { address: number; length: number }): IOReturn {
    range.address = this.offset;
    range.length = this.length;
    return kIOReturnSuccess;
  }

  protected override free(): void {
    this.memory.release(this.offset);
    super.free();
  }
}
