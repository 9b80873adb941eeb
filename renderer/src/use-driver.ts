/**
 * The page's live view of the driver: connect, open the NetLanes user client, map its
 * statistics (a replica kept fresh by main) and turn counters into rates a few times a second.
 * When the dext restarts, it opens again.
 */
import { useEffect, useState } from 'react';
import { NetLanesClient } from '../../ipc/netlanes-client.ts';
import type { DriverInfo } from '../../driver-runtime/abi/netlanes-abi.ts';
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { H_UPDATED_AT_NS, StatsView } from '../../driver-runtime/abi/stats-layout.ts';
import { connect } from './connection.ts';

/** How often figures refresh (UI.md: live numbers a few times a second). */
const REFRESH_MS = 500;

export interface LaneFigures {
  txBps: number;
  queuedBytes: number;
  drops: number;
}

export interface DriverView {
  state: 'connecting' | 'live' | 'restarting' | 'failed';
  error?: string;
  info?: DriverInfo;
  lanes: LaneFigures[];
}

const idle = (): LaneFigures[] => [0, 1, 2, 3].map(() => ({ txBps: 0, queuedBytes: 0, drops: 0 }));

export function useDriver(): DriverView {
  const [view, setView] = useState<DriverView>({ state: 'connecting', lanes: idle() });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const open = async () => {
      const iokit = await connect();
      const start = async () => {
        clearInterval(timer);
        const nl = await NetLanesClient.open(iokit);
        const info = await nl.info();
        const mapped = await nl.map(MemoryType.Stats);
        const stats = () => new StatsView(mapped.bytes.buffer, mapped.bytes.byteOffset, info.appSlots);
        let last = { at: 0, bytes: [0, 0, 0, 0] };
        timer = setInterval(() => {
          const s = stats();
          const at = s.header.getFloat64(H_UPDATED_AT_NS, true);
          const bytes = [0, 1, 2, 3].map((q) => s.queue.txBytes[q]);
          const dt = (at - last.at) / 1e9;
          const lanes = [0, 1, 2, 3].map((q) => ({
            txBps: dt > 0 && last.at > 0 ? ((bytes[q] - last.bytes[q]) * 8) / dt : 0,
            queuedBytes: s.queue.swQueueBytes[q] + s.queue.ringInflightBytes[q],
            drops: s.queue.drops[q],
          }));
          if (dt > 0) last = { at, bytes };
          if (!stopped) setView({ state: 'live', info, lanes });
        }, REFRESH_MS);
        if (!stopped) setView({ state: 'live', info, lanes: idle() });
      };
      iokit.onRestarted(() => void start());
      iokit.onTerminated(() => !stopped && setView((v) => ({ ...v, state: 'restarting' })));
      await start();
    };
    open().catch((e: unknown) => {
      if (!stopped)
        setView({ state: 'failed', error: e instanceof Error ? e.message : String(e), lanes: idle() });
    });
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return view;
}
