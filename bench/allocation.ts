import { Session } from 'node:inspector/promises';
import { Machine } from '../driver-runtime/host/machine.ts';
import { txScenario } from './scenarios.ts';

interface SamplingNode {
  selfSize: number;
  children?: SamplingNode[];
}

/**
 * Bytes allocated per packet in steady state on the Tx 64 B path, garbage included: V8's
 * sampling heap profiler with objects collected by GC kept in the profile. Heap growth after
 * a GC (the table's column) only shows what is retained; this shows what is churned.
 */
export async function allocationPerPacket(virtualNs: number): Promise<number> {
  const m = Machine.boot({ scenario: txScenario('10g', 60), verifyChecksums: false });
  m.run(20e6);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // includeObjectsCollectedBy*: Node 20's types predate them; V8 accepts them.
  const sampling = {
    samplingInterval: 256,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  };
  await session.post('HeapProfiler.startSampling', sampling);
  const before = m.partner.counters.fromNicFrames;
  m.run(virtualNs);
  const packets = m.partner.counters.fromNicFrames - before;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as {
    profile: { head: SamplingNode };
  };
  session.disconnect();
  m.shutdown();
  let bytes = 0;
  const walk = (n: SamplingNode): void => {
    bytes += n.selfSize;
    for (const c of n.children ?? []) walk(c);
  };
  walk(profile.head);
  return bytes / packets;
}
