/**
 * Mapped memory kept fresh by the broker, at its display-frame cadence (16 ms: the broker's
 * default `frameMs`, as the app runs it; Node's timers take whole milliseconds, so "60 Hz" is
 * 62.5 Hz here):
 *
 * - delay: from a driver-side change of the statistics mapping to a client's replica holding
 *   it (its `onChange`), p50/p99 in ms. At a random phase of the frame the client calls
 *   SetAppSettings, which makes the driver stamp the generation into the region's header;
 *   the delay runs from the call's answer (the write happened just before it, in the dext) to
 *   the replica holding that generation. In-process (a stepped LocalKernel), main ↔ worker
 *   (the app, dext in its worker with real traffic) and over the WebSocket.
 * - CPU cost: process.cpuUsage (all threads) and the main thread's event-loop utilisation over
 *   windows with the mapping and without it, interleaved (off, on, off, on), as a share of one
 *   core. A 64 KiB region (the goal's size) is served by a stand-in kernel port from a
 *   SharedArrayBuffer that a writer changes every 8 ms, mirrored through the real broker,
 *   session, Mirror, in-memory carrier and replica; the real statistics mapping is measured
 *   end to end in the app (dext in its worker, real traffic).
 */
import { memoryPair } from '../ipc/memory-pair.ts';
import { IOKitClient } from '../ipc/iokit-client.ts';
import { NetLanesClient } from '../ipc/netlanes-client.ts';
import type { MappedMemory } from '../ipc/replica.ts';
import { Broker } from '../main/broker/broker.ts';
import { Mirror } from '../main/broker/mirror.ts';
import { LocalKernel, type KernelPort } from '../driver-runtime/host/kernel-port.ts';
import type { MapResult } from '../driver-runtime/host/dext-kernel.ts';
import { APP_ENTITLEMENTS } from '../driver-runtime/host/driver-client.ts';
import { MemoryType } from '../driver-runtime/abi/netlanes-abi.ts';
import { H_RULES_GENERATION, H_SEQUENCE } from '../driver-runtime/abi/stats-layout.ts';
import { Calls } from '../driver-runtime/abi/netlanes-calls.ts';
import { fileScenario } from './scenarios.ts';
import { quantile, socketClient, startApp } from './rpc.ts';

/** The goals: a change reaches the replica within one 60 Hz frame; a 64 KiB mapping costs < 5 % of a core. */
export const MAPPING_GOALS = { delayMs: 1000 / 60, cpuShare: 0.05 } as const;

export interface DelayResult {
  path: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Changes the replica did not hold within 250 ms (left out of the figures). */
  lost: number;
  /**
   * Mirror polls in the window, and those that found the region mid-write on every seqlock
   * attempt (that frame sends nothing: the change waits for the next one).
   */
  polls: number;
  busyPolls: number;
}

export interface CpuResult {
  name: string;
  regionBytes: number;
  /** Whole process (every thread), share of one core: with the mapping minus without. */
  cpuShare: number;
  /** The main thread's event-loop utilisation: with minus without. */
  mainThreadShare: number;
  /** Replica updates per second while mapped. */
  updatesPerSec: number;
  /** Mirror polls while mapped, and those that found the region mid-write on every attempt. */
  polls: number;
  busyPolls: number;
  windowMs: number;
}

export interface MappingOptions {
  /** Wall time per delay measurement, ms. */
  delayMs: number;
  /** Wall time per CPU window, ms (four windows per case: off, on, off, on). */
  cpuWindowMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Counts mirror polls and the seqlock copies that never came out whole, by wrapping the
 * Mirror's (private) copy step; null counters if it has been renamed.
 */
const mirrorCounts = { polls: 0, busy: 0 };
{
  const proto = Mirror.prototype as unknown as { copy?: () => boolean };
  const copy = proto.copy;
  if (typeof copy === 'function')
    proto.copy = function (this: unknown) {
      const whole = copy.call(this);
      mirrorCounts.polls++;
      if (!whole) mirrorCounts.busy++;
      return whole;
    };
  else mirrorCounts.polls = NaN;
}

const rulesGenerationOf = (m: MappedMemory) =>
  new DataView(m.bytes.buffer, m.bytes.byteOffset + H_RULES_GENERATION, 4).getUint32(0, true);

/**
 * At a random phase of the frame, the driver changes the statistics mapping: SetAppSettings
 * (an empty batch) stamps its generation into the region's header, under the seqlock, while
 * the call runs; the call's answer comes back right after. From that answer to the replica
 * holding the generation is the delay. The call's completion (which the dext delivers on its
 * next tick) is not waited for.
 */
async function changeDelay(
  path: string,
  nl: NetLanesClient,
  replica: MappedMemory,
  frameMs: number,
  runMs: number,
): Promise<DelayResult> {
  const samples: number[] = [];
  let lost = 0;
  const polls = mirrorCounts.polls;
  const busy = mirrorCounts.busy;
  let generation = 0x4000_0000 + Math.floor(Math.random() * 0x1000_0000);
  const end = performance.now() + runMs;
  while (performance.now() < end) {
    await sleep(Math.random() * frameMs);
    const g = ++generation;
    const seen = new Promise<boolean>((resolve) => {
      const timeout = setTimeout(() => {
        off();
        resolve(false);
      }, 250);
      const off = replica.onChange(() => {
        if (rulesGenerationOf(replica) !== g) return;
        clearTimeout(timeout);
        off();
        resolve(true);
      });
    });
    const call = Calls.setAppSettings(g, []);
    const r = await nl.iokit.IOConnectCallAsyncMethod(
      nl.connection,
      call.selector,
      [0, 0x7fff_ffff],
      call.scalarInput,
      call.structInput,
      call.scalarOutputCount,
      call.structOutputSize,
    );
    if (r.ret !== 0) throw new Error(`SetAppSettings: IOReturn 0x${(r.ret >>> 0).toString(16)}`);
    const changed = performance.now();
    // Already there if a frame fell between the write and the answer: a delay of zero.
    const already = rulesGenerationOf(replica) === g;
    if ((await seen) || already) samples.push(already ? 0 : performance.now() - changed);
    else lost++;
  }
  const sorted = Float64Array.from(samples).sort();
  return {
    path,
    samples: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    lost,
    polls: mirrorCounts.polls - polls,
    busyPolls: mirrorCounts.busy - busy,
  };
}

/** A kernel port that serves one region from a SharedArrayBuffer, for the 64 KiB case. */
class RegionPort implements KernelPort {
  constructor(readonly buffer: SharedArrayBuffer) {}
  async match(): Promise<number> {
    return 1;
  }
  async open() {
    return { ret: 0, connection: 1 };
  }
  async close(): Promise<number> {
    return 0;
  }
  async call() {
    return { ret: 0, scalarOutput: [], structOutput: null };
  }
  async map(): Promise<MapResult> {
    return { ret: 0, buffer: this.buffer, offset: 0, length: this.buffer.byteLength, readOnly: true };
  }
  async unmap(): Promise<number> {
    return 0;
  }
  async registry() {
    return [];
  }
  onNotification(): () => void {
    return () => undefined;
  }
  async dispose(): Promise<void> {}
}

/**
 * Windows without and with a mapping, interleaved; `map` starts mirroring (and returns the
 * replica), `unmap` stops it.
 */
async function cpuCost(
  name: string,
  regionBytes: number,
  windowMs: number,
  map: () => Promise<MappedMemory>,
  unmap: () => Promise<unknown>,
): Promise<CpuResult> {
  const windowOf = async () => {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await sleep(windowMs);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      cpu: (cpu.user + cpu.system) / 1000 / wall,
      elu: performance.eventLoopUtilization(elu0).utilization,
      wall,
    };
  };
  const off = { cpu: 0, elu: 0 };
  const on = { cpu: 0, elu: 0 };
  let updates = 0;
  let mappedMs = 0;
  let polls = 0;
  let busyPolls = 0;
  for (let round = 0; round < 2; round++) {
    const a = await windowOf();
    off.cpu += a.cpu / 2;
    off.elu += a.elu / 2;
    const replica = await map();
    await sleep(100); // the first (whole-region) frame is not steady state
    let n = 0;
    const stop = replica.onChange(() => n++);
    const counted = { ...mirrorCounts };
    const b = await windowOf();
    polls += mirrorCounts.polls - counted.polls;
    busyPolls += mirrorCounts.busy - counted.busy;
    stop();
    updates += n;
    mappedMs += b.wall;
    on.cpu += b.cpu / 2;
    on.elu += b.elu / 2;
    await unmap();
    await sleep(50);
  }
  return {
    name,
    regionBytes,
    cpuShare: on.cpu - off.cpu,
    mainThreadShare: on.elu - off.elu,
    updatesPerSec: (updates / mappedMs) * 1000,
    polls,
    busyPolls,
    windowMs,
  };
}

/** 64 KiB served from a SharedArrayBuffer that changes every 8 ms (every word, or one in 32). */
async function region64k(windowMs: number, everyWord: boolean): Promise<CpuResult> {
  const bytes = 64 * 1024;
  const buffer = new SharedArrayBuffer(bytes);
  const words = new Uint32Array(buffer);
  const step = everyWord ? 1 : 32;
  const writer = setInterval(() => {
    // The stats region's seqlock (H_SEQUENCE): odd while writing.
    words[H_SEQUENCE / 4]++;
    for (let i = 16; i < words.length; i += step) words[i]++;
    words[H_SEQUENCE / 4]++;
  }, 8);
  const port = new RegionPort(buffer);
  const broker = new Broker(port);
  const [clientSide, brokerSide] = memoryPair();
  broker.attach(brokerSide, { name: 'bench', entitlements: APP_ENTITLEMENTS });
  const nl = await NetLanesClient.open(new IOKitClient(clientSide));
  try {
    return await cpuCost(
      `64 KiB region, ${everyWord ? 'every word changes (one 64 KiB range a frame)' : 'one word in 32 changes (512 ranges a frame)'}`,
      bytes,
      windowMs,
      () => nl.map(MemoryType.Stats),
      () => nl.unmap(MemoryType.Stats),
    );
  } finally {
    clearInterval(writer);
    await nl.close();
    await broker.dispose();
  }
}

export interface MappingResult {
  frameMs: number;
  statsRegionBytes: number;
  delay: DelayResult[];
  cpu: CpuResult[];
}

export async function mappingBench(o: MappingOptions): Promise<MappingResult> {
  const delay: DelayResult[] = [];
  {
    const kernel = new LocalKernel({ scenario: fileScenario('home-office') });
    const broker = new Broker(kernel);
    const [clientSide, brokerSide] = memoryPair();
    broker.attach(brokerSide, { name: 'bench', entitlements: APP_ENTITLEMENTS });
    const nl = await NetLanesClient.open(new IOKitClient(clientSide));
    const stats = await nl.map(MemoryType.Stats);
    delay.push(await changeDelay('in-process (LocalKernel, stepped)', nl, stats, broker.frameMs, o.delayMs));
    await nl.close();
    await broker.dispose();
    await kernel.dispose();
  }
  const cpu = [await region64k(o.cpuWindowMs, true), await region64k(o.cpuWindowMs, false)];
  const app = await startApp();
  const frameMs = app.core.broker.frameMs;
  let statsRegionBytes = 0;
  try {
    const local = await app.core.connect('bench');
    const stats = await local.map(MemoryType.Stats);
    statsRegionBytes = stats.length;
    await sleep(300); // past the first frame and the worker's warm-up
    delay.push(
      await changeDelay('main ↔ worker (AppCore, in-memory carrier)', local, stats, frameMs, o.delayMs),
    );
    await local.unmap(MemoryType.Stats);
    const remote = await socketClient(app.server);
    const remoteStats = await remote.nl.map(MemoryType.Stats);
    await sleep(300);
    delay.push(
      await changeDelay('WebSocket (127.0.0.1, msgpack)', remote.nl, remoteStats, frameMs, o.delayMs),
    );
    await remote.nl.close();
    remote.io.close();
    cpu.push(
      await cpuCost(
        `statistics mapping (${stats.length / 1024} KiB), app with the dext in its worker`,
        stats.length,
        o.cpuWindowMs,
        () => local.map(MemoryType.Stats),
        () => local.unmap(MemoryType.Stats),
      ),
    );
    await local.close();
  } finally {
    await app.stop();
  }
  return { frameMs, statsRegionBytes, delay, cpu };
}
