/**
 * `npm run netlanes -- <command>`: the command-line client of a running NetLanes (the app or
 * web mode). It speaks the same protocol as the window, over the instance's WebSocket, with
 * the token from a file only this user can read.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { SocketCarrier } from '../../ipc/byte-carrier.ts';
import { IOKitClient } from '../../ipc/iokit-client.ts';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { StatsView } from '../../driver-runtime/abi/stats-layout.ts';
import { appLatency } from '../../driver-runtime/abi/stats-reader.ts';
import type { RegistryNode } from '../../driver-runtime/host/io-registry.ts';
import { PRIORITY_LEVELS } from '../../driver-runtime/rules/rule-types.ts';
import { readInstance } from '../web/instance-file.ts';
import { SOCKET_PATH } from '../web/web-server.ts';
import type { AppRow } from '../app-requests.ts';
import { LabClient } from '../../ipc/lab-client.ts';
import { LAB_LINK_SPEEDS_MBPS } from '../../driver-runtime/abi/lab-abi.ts';
import * as F from './netlanes-format.ts';
import {
  STORE_COMMANDS,
  STORE_HELP,
  StoreUsageError,
  parseSince,
  runStoreCommand,
} from './netlanes-store.ts';

export const NETLANES_HELP = `npm run netlanes -- <command> [options]

Talks to a running NetLanes (npm start, or npm run start:web) on this machine.

Commands:
  status                         the interface, as ifconfig prints it, and the driver's state
  apps                           every application seen, its lane and why, bytes and p99 latency
  flows                          the driver's flow table: connections, their app and lane
  set <app> <lane> [--cap RATE]  give an app a lane: highest, high, normal or low; RATE like 100M
  stats [--watch]                counters as netstat -I prints them, per queue; --watch every second
  diagnose                       why packets would not flow right now
  ioreg                          the I/O Registry: PCI device → driver → user clients
  lab                            the simulated machine: virtual time, pacing, link, workload
  fault <spec>                   inject a fault into the simulated NIC, e.g. link-flap@0ms+200ms
  link <speed>                   move the cable to a port of another speed: 1g, 2.5g or 10g
  scenario <name>                reboot the simulated machine with another workload
                                 (home-office, contention, busy-desk)
${STORE_HELP}

Exit status: 0 done, 1 the instance refused or failed, 2 bad command or arguments.`;

class UsageError extends Error {}

/** "100M", "2.5G", "500k", "8000" → bits per second. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text);
  if (!m) throw new UsageError(`--cap ${text}: a rate such as 100M, 2.5G or 500k`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bps = Math.round(Number(m[1]) * scale);
  if (bps < 8000 || bps > 100e9) throw new UsageError(`--cap ${text}: must be 8k..100G`);
  return bps;
}

async function connect(): Promise<{ io: IOKitClient; nl: NetLanesClient }> {
  const instance = readInstance();
  const ws = new WebSocket(`ws://127.0.0.1:${instance.port}${SOCKET_PATH}?token=${instance.token}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) =>
      reject(new Error(`cannot reach NetLanes on port ${instance.port}: ${e.message}`)),
    );
  });
  const io = new IOKitClient(new SocketCarrier(ws));
  await io.hello('netlanes-cli');
  return { io, nl: await NetLanesClient.open(io) };
}

const LAB_COMMANDS = new Set(['lab', 'fault', 'link', 'scenario']);
const SPEED_WORDS: Record<string, number> = { '1g': 1000, '2.5g': 2500, '10g': 10000 };

/** The lab's commands: they open the NetLanesLab service, not the driver. */
async function runLab(command: string, rest: string[]): Promise<string> {
  const arg = rest[0];
  if (command !== 'lab' && (rest.length !== 1 || !arg))
    throw new UsageError(`${command}: one argument (see --help)`);
  const mbps = command === 'link' ? (SPEED_WORDS[arg.toLowerCase()] ?? Number(arg)) : 0;
  if (command === 'link' && !(LAB_LINK_SPEEDS_MBPS as readonly number[]).includes(mbps))
    throw new UsageError(`link: "${arg}" is not 1g, 2.5g or 10g`);
  const { io } = await connect();
  try {
    const lab = await LabClient.open(io);
    switch (command) {
      case 'fault':
        return `injected ${arg} at virtual ${((await lab.injectFault(arg)) / 1e6).toFixed(3)} ms`;
      case 'link':
        await lab.setLinkSpeed(mbps);
        return `link renegotiating at ${arg}`;
      case 'scenario':
        await lab.switchScenario(arg);
        return `rebooting the simulated machine with ${arg}`;
      default:
        return F.labText(await lab.status());
    }
  } finally {
    io.close();
  }
}

async function run(
  command: string,
  rest: string[],
  values: { cap?: string; watch?: boolean; since?: string },
): Promise<string | null> {
  if (command === 'set') {
    const [app, lane] = rest;
    if (!app || !lane) throw new UsageError('set <app> <lane>: name the app and a lane');
    if (!(PRIORITY_LEVELS as readonly string[]).includes(lane))
      throw new UsageError(`set: lane "${lane}" must be one of ${PRIORITY_LEVELS.join(', ')}`);
    const capBps = values.cap === undefined ? undefined : parseRate(values.cap);
    const { io } = await connect();
    await io.appRequest('setApp', {
      app: /^\d+$/.test(app) ? Number(app) : app,
      priority: lane,
      ...(capBps ? { capBps } : {}),
    });
    io.close();
    return `${app} → ${lane}${capBps ? ` (capped at ${F.rate(capBps)})` : ''}`;
  }
  if (LAB_COMMANDS.has(command)) return runLab(command, rest);
  if (STORE_COMMANDS.has(command)) {
    if (command === 'usage') parseSince(values.since ?? '24h'); // a bad span is a usage error before connecting
    const { io } = await connect();
    try {
      return await runStoreCommand(io, command, rest, values.since);
    } finally {
      io.close();
    }
  }
  const { io, nl } = await connect();
  try {
    switch (command) {
      case 'status':
        return F.statusText(await nl.info(), await nl.stats());
      case 'diagnose':
        return F.findingsText(await nl.diagnose());
      case 'ioreg':
        return F.ioregText((await io.registry()) as RegistryNode[]);
      case 'flows': {
        const apps = (await io.appRequest('apps', null)) as AppRow[];
        const name = (slot: number) =>
          apps.find((a) => a.slot === slot)?.name ?? (slot === 0 ? 'system' : `slot ${slot}`);
        return F.flowsText(await nl.flows(), name);
      }
      case 'apps': {
        const info = await nl.info();
        const apps = (await io.appRequest('apps', null)) as AppRow[];
        const mapped = await nl.map(MemoryType.Stats);
        const view = new StatsView(mapped.bytes.buffer, mapped.bytes.byteOffset, info.appSlots);
        return F.appsText(
          apps.map((a) => ({
            ...a,
            txBytes: view.app.txBytes[a.slot],
            rxBytes: view.app.rxBytes[a.slot],
            latency: appLatency(view, a.slot),
          })),
        );
      }
      case 'stats': {
        const info = await nl.info();
        if (!values.watch) return F.statsText(info, await nl.stats());
        let last = await nl.stats();
        for (;;) {
          await new Promise((r) => setTimeout(r, 1000));
          const now = await nl.stats();
          const tx = now.queueBytes.map((b, q) => (b - last.queueBytes[q]) * 8);
          console.log(`${F.statsText(info, now, { tx })}\n`);
          last = now;
        }
      }
      default:
        throw new UsageError(`unknown command "${command}" (see --help)`);
    }
  } finally {
    if (!values.watch) io.close();
  }
}

/** Runs one command line; returns the exit status (0 done, 1 refused or failed, 2 bad usage). */
export async function runNetlanes(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        cap: { type: 'string' },
        watch: { type: 'boolean' },
        since: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    console.error(`netlanes: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    console.log(NETLANES_HELP);
    return parsed.values.help ? 0 : 2;
  }
  try {
    const out = await run(command, rest, parsed.values);
    if (out !== null) console.log(out);
    return 0;
  } catch (e) {
    console.error(`netlanes: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof UsageError || e instanceof StoreUsageError ? 2 : 1;
  }
}
