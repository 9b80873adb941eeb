/**
 * The recorder: a user client of the driver like any other. It maps the live statistics
 * region (IOConnectMapMemory64, memory type Stats) and once a second reads each accounting
 * slot's counters straight from the mapping — typed-array views made once over the replica's
 * buffer, nothing copied per sample — turns them into per-app deltas and hands one row per
 * app that moved to the store, which writes them in one transaction.
 */
import { MemoryType } from '../../driver-runtime/abi/netlanes-abi.ts';
import { StatsView } from '../../driver-runtime/abi/stats-layout.ts';
import type { AppIdentity } from '../../driver-runtime/abi/app-identity.ts';
import type { MappedMemory } from '../../ipc/replica.ts';
import type { NetLanesClient } from '../../ipc/netlanes-client.ts';
import type { Sample } from './history-writer.ts';

export interface RecorderSource {
  /** A new user client of the driver. */
  connect(name: string): Promise<NetLanesClient>;
  /** The accounting slots the app's agent gave, with their identities. */
  apps(): { slot: number; identity: AppIdentity }[];
}

export interface RecorderSink {
  /** The store's id for an app (recording it when new). */
  appId(identity: AppIdentity): number;
  /** One second's rows. */
  record(second: number, samples: Sample[]): void;
}

export interface LatestRate {
  name: string;
  /** Bytes sent and received in the last second. */
  bytes: number;
  queue: number;
}

const COUNTERS = ['txBytes', 'rxBytes', 'txPackets', 'rxPackets'] as const;
const DROPS = ['dropQueueFull', 'dropAqm', 'dropCap', 'dropCompletionFull', 'dropAborted'] as const;

export class Recorder {
  private client: NetLanesClient | null = null;
  private memory: MappedMemory | null = null;
  private view: StatsView | null = null;
  /** Counter values at the last sample, per slot: [tx bytes, rx bytes, tx packets, rx packets, drops]. */
  private last = new Float64Array(0);
  private reopening: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastSecond = -1;
  /** Samples written and failures met (the UI's store status). */
  readonly counts = { samples: 0, rows: 0, failures: 0 };
  lastError: string | null = null;
  /** The last second's apps that moved, busiest first (the tray's "top apps"). */
  latest: LatestRate[] = [];

  constructor(
    private readonly source: RecorderSource,
    private readonly sink: RecorderSink,
  ) {}

  /** Opens the connection and the mapping; with `everyMs`, samples on a timer. */
  async start(everyMs?: number, now: () => number = Date.now): Promise<void> {
    await this.open();
    if (everyMs !== undefined) this.timer = setInterval(() => this.sample(now()), everyMs);
  }

  /**
   * One sample at wall time `nowMs`: per slot, what moved since the last one (since the dext
   * started, for the first sample of a connection: it opens as the dext boots). Returns the rows written.
   */
  sample(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.lastSecond) return 0;
    if (this.memory === null || !this.memory.isAttached || this.view === null) {
      this.reopen();
      return 0;
    }
    const view = this.view;
    this.lastSecond = second;
    const samples: Sample[] = [];
    const latest: LatestRate[] = [];
    for (const { slot, identity } of this.source.apps()) {
      if (slot <= 0 || slot >= view.layout.appCapacity) continue;
      const base = slot * 5;
      const now = [
        ...COUNTERS.map((c) => view.app[c][slot]),
        DROPS.reduce((sum, c) => sum + view.app[c][slot], 0),
      ];
      // Counters only grow within one dext's life; a smaller value means a new dext: count from 0.
      const restarted = now[0] < this.last[base] || now[1] < this.last[base + 1];
      const delta = now.map((v, i) => (restarted ? v : v - this.last[base + i]));
      for (let i = 0; i < 5; i++) this.last[base + i] = now[i];
      if (delta.every((d) => d === 0)) continue;
      latest.push({ name: identity.name, bytes: delta[0] + delta[1], queue: view.app.currentQueue[slot] });
      samples.push({
        appId: this.sink.appId(identity),
        txBytes: delta[0],
        rxBytes: delta[1],
        txPackets: delta[2],
        rxPackets: delta[3],
        drops: delta[4],
      });
    }
    this.latest = latest.sort((a, b) => b.bytes - a.bytes);
    if (samples.length === 0) return 0;
    try {
      this.sink.record(second, samples);
      this.counts.samples++;
      this.counts.rows += samples.length;
      this.lastError = null;
    } catch (e) {
      // Disk full, a locked file…: the app keeps running; the UI shows the store's state.
      this.counts.failures++;
      this.lastError = e instanceof Error ? e.message : String(e);
    }
    return samples.length;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.reopening?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    this.memory = null;
    this.view = null;
    await c?.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const client = await this.source.connect('recorder');
    const info = await client.info();
    const memory = await client.map(MemoryType.Stats);
    this.client = client;
    this.memory = memory;
    this.view = new StatsView(memory.bytes.buffer, memory.bytes.byteOffset, info.appSlots);
    this.last = new Float64Array(info.appSlots * 5);
    this.lastSecond = -1;
  }

  /** The dext went away (its mapping detached): open again once it is back. */
  private reopen(): void {
    if (this.reopening !== null) return;
    const old = this.client;
    this.client = null;
    this.memory = null;
    this.view = null;
    void old?.close().catch(() => undefined);
    this.reopening = this.open()
      .catch((e: unknown) => {
        this.lastError = e instanceof Error ? e.message : String(e);
      })
      .finally(() => {
        this.reopening = null;
      });
  }
}
