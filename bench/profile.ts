import { Session } from 'node:inspector/promises';
import { Machine } from '../driver-runtime/host/machine.ts';
import { txScenario } from './scenarios.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface LayerShare {
  layer: string;
  share: number;
  nsPerPacket: number;
}

export interface ProfileResult {
  packets: number;
  nsPerPacket: number;
  layers: LayerShare[];
}

/** What a sample's source file says about its layer: the `driver-runtime/` folder, or GC. */
function layerOf(node: ProfileNode): string | null {
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  const m = /driver-runtime\/([^/]+)\//.exec(url);
  return m ? m[1] : null;
}

/**
 * Where the time goes on the Tx 64 B path, by layer: V8's sampling CPU profiler (through the
 * inspector, in this process) over `virtualNs` of the steady state, self time summed by the
 * `driver-runtime/` folder of each function (device = NIC model, driver, stack, peer = link
 * partner, …) and scaled to the profiled run's ns per packet. Idle, start-up and the
 * harness are left out; the profiler itself slows the run a little.
 */
export async function profileByLayer(virtualNs: number): Promise<ProfileResult> {
  const m = Machine.boot({ scenario: txScenario('10g', 60), verifyChecksums: false });
  m.run(20e6);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const before = m.partner.counters.fromNicFrames;
  const t0 = performance.now();
  m.run(virtualNs);
  const wallMs = performance.now() - t0;
  const packets = m.partner.counters.fromNicFrames - before;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  m.shutdown();

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const layer = layerOf(byId.get(id)!);
    if (layer === null) return;
    const dt = profile.timeDeltas[i];
    time.set(layer, (time.get(layer) ?? 0) + dt);
    total += dt;
  });
  const nsPerPacket = (wallMs * 1e6) / packets;
  const layers = [...time]
    .map(([layer, t]) => ({ layer, share: t / total, nsPerPacket: (nsPerPacket * t) / total }))
    .sort((a, b) => b.share - a.share);
  return { packets, nsPerPacket, layers };
}

export function profileReport(r: ProfileResult): string {
  const rows = r.layers
    .filter((l) => l.share >= 0.005)
    .map(
      (l) =>
        `  ${l.layer.padEnd(12)} ${(100 * l.share).toFixed(1).padStart(5)} %  ${l.nsPerPacket.toFixed(0).padStart(4)} ns`,
    );
  return [
    `profile by layer, Tx 64 B @ 10g (self time; ${r.nsPerPacket.toFixed(0)} ns/packet while profiled, ${r.packets} packets):`,
    ...rows,
  ].join('\n');
}
