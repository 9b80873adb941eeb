/**
 * The stack's Rx demux takes plain datagrams by a fixed-offset check instead of the full
 * parse: two demuxes, one with the shortcut and one without, see the same frames (valid UDP
 * and TCP to our host, then the same with header bytes, lengths and offsets disturbed, some to
 * another host or port) and must end with the same counters, per app and for the stack.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RxDemux } from '../../driver-runtime/stack/rx-demux.ts';
import { StackCounters } from '../../driver-runtime/stack/stack-counters.ts';
import type { StackCore } from '../../driver-runtime/stack/stack-core.ts';
import type { ControlProtocols } from '../../driver-runtime/stack/control-protocols.ts';
import type { App } from '../../driver-runtime/stack/apps/app.ts';
import { buildPlainFrame, plainFrameSpecs } from '../support/plain-frames.ts';
import { parseMac } from '../../driver-runtime/net/mac.ts';
import { parseIpv4 } from '../../driver-runtime/net/ipv4-address.ts';

const HOST_MAC = '3c:22:fb:10:20:31';
const HOST_IP = '10.0.0.2';
const PORTS = [5001, 5002];

interface Rig {
  demux: RxDemux;
  mem: Uint8Array;
  counters: StackCounters;
  apps: { rx: number[]; latencies: number[] }[];
  control: { arp: number; echo: number };
}

function rig(fastPath: boolean): Rig {
  const mem = new Uint8Array(4096);
  const counters = new StackCounters();
  const apps = PORTS.map((port) => {
    const record = { rx: [0, 0], latencies: [] as number[] };
    const app = {
      identity: { name: `sink${port}`, pid: port },
      profile: { kind: 'receive', dstPort: port },
      counters: {
        get rxPackets() {
          return record.rx[0];
        },
        set rxPackets(v: number) {
          record.rx[0] = v;
        },
        get rxBytes() {
          return record.rx[1];
        },
        set rxBytes(v: number) {
          record.rx[1] = v;
        },
      },
      rxLatency: { record: (ns: number) => record.latencies.push(ns) },
    };
    return { app, record };
  });
  const core = {
    mem,
    hostMac: parseMac(HOST_MAC),
    hostIp: parseIpv4(HOST_IP),
    counters,
    apps: apps.map((a) => a.app),
  } as unknown as StackCore;
  const control = { arp: 0, echo: 0 };
  const protocols = {
    arpReceived: () => control.arp++,
    echoRequestReceived: () => control.echo++,
  } as unknown as ControlProtocols;
  const demux = new RxDemux(core, protocols, false);
  demux.fastPath = fastPath;
  apps.forEach((a, i) =>
    demux.register(a.app as unknown as App, i, apps.map((x) => x.app) as unknown as App[]),
  );
  return { demux, mem, counters, apps: apps.map((a) => a.record), control };
}

describe('stack Rx demux fast path', () => {
  it('delivers the same frames to the same apps as the full parse', () => {
    const endpoints = {
      dstMac: HOST_MAC,
      otherMac: '3c:22:fb:10:20:32',
      dstIp: HOST_IP,
      srcMac: 'a4:91:b1:00:00:02',
      srcIp: '10.0.0.1',
    };
    fc.assert(
      fc.property(fc.array(plainFrameSpecs([...PORTS, 5003]), { minLength: 1, maxLength: 40 }), (frames) => {
        const fast = rig(true);
        const full = rig(false);
        for (const [k, f] of frames.entries()) {
          const { buf, len } = buildPlainFrame(f, endpoints);
          for (const r of [fast, full]) {
            r.mem.set(buf.subarray(0, 2048 - 64), 64);
            r.demux.receiveFrame(64 + f.offset, len, 1000 * k, k % 2 === 0 ? 1000 * k - 50 : NaN);
          }
        }
        expect({ ...fast.counters }).toEqual({ ...full.counters });
        expect(fast.apps).toEqual(full.apps);
        expect(fast.control).toEqual(full.control);
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
