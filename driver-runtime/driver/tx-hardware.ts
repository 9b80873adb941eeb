import type { IOTimerDispatchSource } from '../kit/timer-source.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import type {
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from '../networking/packet-queue.ts';
import type { StatsView } from '../abi/stats-layout.ts';
import type { CaptureWriter, RingStateWriter } from './client-regions.ts';
import type { Mmio } from './mmio.ts';
import type { TxRing } from './tx-ring.ts';

/** What the Tx path works on once Start has made it; the driver owns and releases it. */
export interface TxHardware {
  readonly mmio: Mmio;
  readonly pool: IOUserNetworkPacketBufferPool;
  readonly txs: IOUserNetworkTxSubmissionQueue;
  readonly txc: IOUserNetworkTxCompletionQueue;
  readonly rings: readonly TxRing[];
  readonly view: StatsView;
  readonly shaperTimer: IOTimerDispatchSource;
  readonly capture: CaptureWriter;
  readonly ringState: RingStateWriter;
}
