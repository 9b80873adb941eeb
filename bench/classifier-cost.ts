import { Scheduler } from '../driver-runtime/sim/scheduler.ts';
import { HostMemory } from '../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime } from '../driver-runtime/kit/runtime.ts';
import { OSObject, out } from '../driver-runtime/kit/os-object.ts';
import { IOUserNetworkPacketBufferPool } from '../driver-runtime/networking/packet-buffer-pool.ts';
import { PacketClassifier } from '../driver-runtime/driver/classifier.ts';
import { StatsView } from '../driver-runtime/abi/stats-layout.ts';
import { LATENCY_BUCKETS, latencyBucket } from '../driver-runtime/abi/latency-buckets.ts';
import { buildUdpFrame } from '../driver-runtime/net/frame-builder.ts';
import { parseIpv4 } from '../driver-runtime/net/ipv4-address.ts';

const FLOWS = 200;
const HOST = parseIpv4('10.0.0.2');
const PEER = parseIpv4('10.0.0.1');

/**
 * ns per packet of the per-packet classification and per-app accounting steps, in isolation:
 * the flow-table lookup a real dext can do (parse the 5-tuple, hash, probe) against the
 * per-packet app id the simulator used to hand the driver, and the service-class fold alone.
 */
export function classifierCost(iterations: number): {
  serviceClassNs: number;
  appIdNs: number;
  flowTableNs: number;
  accountingNs: number;
} {
  const runtime = createRuntime(new Scheduler(), new HostMemory({ size: 16 << 20 }));
  return withRuntime(runtime, () => {
    const owner = new OSObject();
    const p = out<IOUserNetworkPacketBufferPool>();
    IOUserNetworkPacketBufferPool.Create(owner, 'bench', 4096, 4096, 2048, p);
    const pool = p.value!;
    const u8 = runtime.memory.u8;
    const classifier = new PacketClassifier(256, 4096);
    const appId = new Uint16Array(4096);
    const queueByApp = new Uint8Array(256).fill(255);
    for (let f = 0; f < FLOWS; f++) {
      classifier.flows.upsert(17, HOST, PEER, 40000 + f, 443, 1 + f, f, 0);
      if (f % 3 === 0) {
        classifier.setQueue(1 + f, f % 4);
        queueByApp[1 + f] = f % 4;
      }
    }
    classifier.commit(1);
    for (let h = 0; h < 4096; h++) {
      const f = h % FLOWS;
      pool.dataLength[h] = buildUdpFrame(u8, pool.dataStart(h), {
        srcMac: 0x3c22fb102031,
        dstMac: 0xa491b1000002,
        srcIp: HOST,
        dstIp: PEER,
        srcPort: 40000 + f,
        dstPort: 443,
        payloadLength: 22,
      });
      pool.serviceClass[h] = (h % 10) * 100;
      appId[h] = 1 + f;
    }
    const time = (fn: (h: number) => number): number => {
      let sink = 0;
      for (let i = 0; i < 100_000; i++) sink += fn(i & 4095);
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) sink += fn(i & 4095);
      const ns = ((performance.now() - t0) * 1e6) / iterations;
      if (sink === -1) console.log(sink);
      return ns;
    };
    const view = new StatsView(
      new ArrayBuffer(new StatsView(new ArrayBuffer(1 << 22), 0, 256).layout.bytes),
      0,
      256,
    );
    const account = (h: number): number => {
      const app = appId[h];
      view.app.txPackets[app]++;
      view.app.txBytes[app] += 1514;
      view.latency[app * LATENCY_BUCKETS + latencyBucket(1000 + h * 7)]++;
      return app;
    };
    const byAppId = (h: number): number => {
      const q = queueByApp[appId[h]];
      return q !== 255 ? q : classifier.queueForClass(pool.serviceClass[h]);
    };
    const byFlow = (h: number): number => classifier.queueOf(classifier.slotOf(u8, pool, h, 0), pool, h);
    const result = {
      serviceClassNs: time((h) => classifier.queueForClass(pool.serviceClass[h])),
      appIdNs: time(byAppId),
      flowTableNs: time(byFlow),
      accountingNs: time(account),
    };
    pool.release();
    owner.release();
    return result;
  });
}
