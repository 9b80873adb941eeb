import type { Scheduler } from '../sim/scheduler.ts';
import type { RegisteredQueues } from '../networking/ethernet.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import type { App, AppCounters } from './apps/app.ts';
import type { StackCounters } from './stack-counters.ts';

/**
 * What the parts of the host stack share (its `struct ifnet`): the interface's pool and
 * queues, host memory, the apps and the counters. HostStack implements it; the Tx path,
 * the control protocols and the Rx demux each take it.
 */
export interface StackCore {
  readonly scheduler: Scheduler;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly queues: RegisteredQueues;
  /** Host memory, where pool buffers live. */
  readonly mem: Uint8Array;
  readonly counters: StackCounters;
  /** The system's own counters (app 0: ARP, echo replies). */
  readonly systemCounters: AppCounters;
  /** Apps by index; app i has appId i + 1. */
  readonly apps: readonly App[];
  readonly hostMac: number;
  readonly hostIp: number;
  readonly peerIp: number;
  /** Tx submission queue enabled and the link reported active. */
  interfaceUp(): boolean;
}
