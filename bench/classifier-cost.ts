import { Scheduler } from '../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime } from '../driver-runtime/kit/runtime.ts';
import { OSObject, out } from '../driver-runtime/kit/os-object.ts';
import { IOUserNetworkPacketBufferPool } from '../driver-runtime/networking/packet-buffer-pool.ts';
import { RuleClassifier, ServiceClassClassifier } from '../driver-runtime/driver/classifier.ts';
import { StatsView } from '../driver-runtime/abi/stats-layout.ts';
import { LATENCY_BUCKETS, latencyBucket } from '../driver-runtime/abi/latency-buckets.ts';

/** ns per packet of the per-packet classification and per-app accounting steps, in isolation. */
export function classifierCost(iterations: number): {
  serviceClassNs: number;
  rulesNs: number;
  accountingNs: number;
} {
  const runtime = createRuntime(new Scheduler(), new HostMemory({ size: 16 << 20 }));
  return withRuntime(runtime, () => {
    const owner = new OSObject();
    const p = out<IOUserNetworkPacketBufferPool>();
    IOUserNetworkPacketBufferPool.Create(owner, 'bench', 4096, 4096, 2048, p);
    const pool = p.value!;
    for (let h = 0; h < 4096; h++) {
      pool.appId[h] = 1 + (h % 200);
      pool.serviceClass[h] = (h % 10) * 100;
    }
    const byClass = new ServiceClassClassifier();
    const byRule = new RuleClassifier();
    const table = new Uint8Array(256).fill(255);
    for (let a = 0; a < 256; a += 3) table[a] = a % 4;
    byRule.apply(table, 1);
    const time = (fn: (h: number) => number): number => {
      let sink = 0;
      for (let i = 0; i < 100_000; i++) sink += fn(i & 4095);
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) sink += fn(i & 4095);
      const ns = ((performance.now() - t0) * 1e6) / iterations;
      if (sink === -1) console.log(sink);
      return ns;
    };
    const buffer = new ArrayBuffer(new StatsView(new ArrayBuffer(1 << 22), 0, 256).layout.bytes);
    const view = new StatsView(buffer, 0, 256);
    const account = (h: number): number => {
      const app = pool.appId[h];
      view.app.txPackets[app]++;
      view.app.txBytes[app] += 1514;
      view.latency[app * LATENCY_BUCKETS + latencyBucket(1000 + h * 7)]++;
      return app;
    };
    const result = {
      serviceClassNs: time((h) => byClass.classify(pool, h)),
      rulesNs: time((h) => byRule.classify(pool, h)),
      accountingNs: time(account),
    };
    pool.release();
    owner.release();
    return result;
  });
}
