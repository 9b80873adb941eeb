/**
 * Shared setup for the driver unit tests: a real HostMemory, a DriverKit runtime, a packet
 * pool and descriptor memory made through IOBufferMemoryDescriptor, as the driver makes them
 * in Start. The tests play the device themselves by writing descriptor words.
 */
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import { OSObject, out } from '../../driver-runtime/kit/os-object.ts';
import { kIOReturnSuccess } from '../../driver-runtime/kit/io-return.ts';
import { IOBufferMemoryDescriptor } from '../../driver-runtime/memory/buffer-memory-descriptor.ts';
import { IOUserNetworkPacketBufferPool } from '../../driver-runtime/networking/packet-buffer-pool.ts';

export interface DmaFixture {
  runtime: DextRuntime;
  memory: HostMemory;
  pool: IOUserNetworkPacketBufferPool;
  /** Descriptor memory for a ring of `count` 16-byte descriptors. */
  descriptors(count: number): IOBufferMemoryDescriptor;
  /** Allocates `n` packets from the pool. */
  packets(n: number): number[];
}

/** `physBase` above 4 GiB puts every DMA address's high word to work. */
export function makeDma(poolPackets = 256, physBase = 0x8000_0000): DmaFixture {
  const memory = new HostMemory({ size: 8 << 20, physBase });
  const runtime = createRuntime(new Scheduler(), memory);
  return withRuntime(runtime, () => {
    const owner = new OSObject(runtime);
    const poolOut = out<IOUserNetworkPacketBufferPool>();
    const ret = IOUserNetworkPacketBufferPool.Create(owner, 'test', poolPackets, poolPackets, 2048, poolOut);
    if (ret !== kIOReturnSuccess) throw new Error(`pool: 0x${ret.toString(16)}`);
    const pool = poolOut.value!;
    return {
      runtime,
      memory,
      pool,
      descriptors(count: number): IOBufferMemoryDescriptor {
        const d = out<IOBufferMemoryDescriptor>();
        const r = withRuntime(runtime, () => IOBufferMemoryDescriptor.Create(0, count * 16, 128, d));
        if (r !== kIOReturnSuccess) throw new Error(`descriptors: 0x${r.toString(16)}`);
        return d.value!;
      },
      packets(n: number): number[] {
        const hs: number[] = [];
        for (let i = 0; i < n; i++) {
          const h = pool.allocatePacket();
          if (h < 0) throw new Error('pool exhausted');
          hs.push(h);
        }
        return hs;
      },
    };
  });
}

/** The four 32-bit words of descriptor `slot` of a ring whose memory is `d`. */
export function descriptorWords(memory: HostMemory, d: IOBufferMemoryDescriptor, slot: number): Uint32Array {
  return memory.u32.subarray((d.offset >>> 2) + slot * 4, (d.offset >>> 2) + slot * 4 + 4);
}
