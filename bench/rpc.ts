/**
 * Round trips of the one protocol, as its clients make them: an async struct method
 * (SetRuleSet with a small rule set: the call, then its completion) and a sync struct method
 * (GetInfo), each sequentially (one call at a time: p50/p99 of the round trip) and pipelined
 * (many in flight: calls per second). Three carriers:
 *
 * - in-process: a NetLanesClient over an in-memory carrier to a broker over a LocalKernel in
 *   this thread, stepped (the shape of the tests: no pacer, a call's completion is delivered
 *   before its answer);
 * - main ↔ worker: the app as it runs (AppCore with the dext in its worker thread, in real
 *   time): a client of the app's own over an in-memory carrier to the broker, which reaches the
 *   dext by postMessage;
 * - WebSocket: the same app served by the web server on 127.0.0.1, a `ws` client with the
 *   token (what `npm run netlanes` does). The client runs in this process, so its encoding and
 *   decoding share the main thread with the server's.
 */
import WebSocket from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryPair } from '../ipc/memory-pair.ts';
import { SocketCarrier } from '../ipc/byte-carrier.ts';
import { IOKitClient } from '../ipc/iokit-client.ts';
import { NetLanesClient } from '../ipc/netlanes-client.ts';
import { Broker } from '../main/broker/broker.ts';
import { AppCore } from '../main/app-core.ts';
import { SOCKET_PATH, WebServer } from '../main/web/web-server.ts';
import { LocalKernel } from '../driver-runtime/host/kernel-port.ts';
import { APP_ENTITLEMENTS } from '../driver-runtime/host/driver-client.ts';
import { fileScenario } from './scenarios.ts';

export interface Distribution {
  calls: number;
  p50Us: number;
  p99Us: number;
  callsPerSec: number;
}

/** The goals: p50 round trip main ↔ worker and over the WebSocket; pipelined calls per second. */
export const RPC_GOALS = { workerP50Us: 50, socketP50Us: 1000, callsPerSec: 20_000 } as const;

export type CarrierId = 'in-process' | 'worker' | 'websocket';

export interface RpcResult {
  carrierId: CarrierId;
  carrier: string;
  method: string;
  sequential: Distribution;
  /** `inFlight` calls outstanding at all times; latency is each call's own round trip under that load. */
  pipelined: Distribution & { inFlight: number };
}

export interface RpcOptions {
  /** Wall time per measured run, ms (sequential and pipelined each). */
  runMs: number;
  inFlight: number;
}

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function distribution(samplesMs: number[], elapsedMs: number): Distribution {
  const sorted = Float64Array.from(samplesMs).sort();
  return {
    calls: sorted.length,
    p50Us: quantile(sorted, 0.5) * 1000,
    p99Us: quantile(sorted, 0.99) * 1000,
    callsPerSec: (sorted.length / elapsedMs) * 1000,
  };
}

async function sequential(call: () => Promise<unknown>, runMs: number): Promise<Distribution> {
  const samples: number[] = [];
  const t0 = performance.now();
  const end = t0 + runMs;
  let now = t0;
  while (now < end) {
    const start = now;
    await call();
    now = performance.now();
    samples.push(now - start);
  }
  return distribution(samples, now - t0);
}

async function pipelined(
  call: () => Promise<unknown>,
  runMs: number,
  inFlight: number,
): Promise<Distribution & { inFlight: number }> {
  const samples: number[] = [];
  const t0 = performance.now();
  const end = t0 + runMs;
  const lane = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      await call();
      samples.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { ...distribution(samples, performance.now() - t0), inFlight };
}

const RULES = JSON.stringify({
  version: 1,
  rules: [{ id: 'bench', match: { bundleId: 'bench.rpc' }, priority: 'high', enabled: true }],
});

async function measureClient(
  carrierId: CarrierId,
  carrier: string,
  nl: NetLanesClient,
  o: RpcOptions,
): Promise<RpcResult[]> {
  let generation = 1000;
  const methods: [string, () => Promise<unknown>][] = [
    ['SetRuleSet (async struct)', () => nl.setRuleSet(++generation, RULES)],
    ['GetInfo (sync struct)', () => nl.info()],
  ];
  const results: RpcResult[] = [];
  for (const [method, call] of methods) {
    await sequential(call, Math.min(300, o.runMs)); // warm up (JIT, both sides)
    const seq = await sequential(call, o.runMs);
    const pipe = await pipelined(call, o.runMs, o.inFlight);
    results.push({ carrierId, carrier, method, sequential: seq, pipelined: pipe });
  }
  return results;
}

async function inProcess(o: RpcOptions): Promise<RpcResult[]> {
  const kernel = new LocalKernel({ scenario: fileScenario('home-office') });
  const broker = new Broker(kernel);
  const [clientSide, brokerSide] = memoryPair();
  broker.attach(brokerSide, { name: 'bench', entitlements: APP_ENTITLEMENTS });
  const nl = await NetLanesClient.open(new IOKitClient(clientSide));
  try {
    return await measureClient('in-process', 'in-process (LocalKernel, stepped)', nl, o);
  } finally {
    await nl.close();
    await broker.dispose();
    await kernel.dispose();
  }
}

/** The app's main side with the dext in its worker, and the web server in front of it. */
export async function startApp(): Promise<{ core: AppCore; server: WebServer; stop: () => Promise<void> }> {
  const core = await AppCore.start({ scenario: fileScenario('home-office'), worker: true });
  // The web server serves the renderer build too; the benchmark only uses its socket.
  const staticDir = mkdtempSync(path.join(tmpdir(), 'netlanes-bench-'));
  const server = new WebServer(core, { staticDir });
  await server.listen();
  return {
    core,
    server,
    stop: async () => {
      await server.close();
      await core.dispose();
      rmSync(staticDir, { recursive: true, force: true });
    },
  };
}

/** A tool's connection over the web server's socket, as `npm run netlanes` makes it. */
export async function socketClient(server: WebServer): Promise<{ io: IOKitClient; nl: NetLanesClient }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${SOCKET_PATH}?token=${server.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const io = new IOKitClient(new SocketCarrier(ws));
  await io.hello('bench');
  return { io, nl: await NetLanesClient.open(io) };
}

export async function rpcRoundTrips(o: RpcOptions): Promise<RpcResult[]> {
  const results = await inProcess(o);
  const app = await startApp();
  try {
    const local = await app.core.connect('bench');
    results.push(...(await measureClient('worker', 'main ↔ worker (AppCore, in-memory carrier)', local, o)));
    await local.close();
    const remote = await socketClient(app.server);
    results.push(...(await measureClient('websocket', 'WebSocket (127.0.0.1, msgpack)', remote.nl, o)));
    await remote.nl.close();
    remote.io.close();
  } finally {
    await app.stop();
  }
  return results;
}
