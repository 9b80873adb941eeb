/**
 * "Why does no packet flow?" — the checks a driver developer runs by hand on a new dext,
 * answered from the objects themselves, each finding naming the object at fault: the
 * interface not enabled, the link never reported or reported down, a submission queue with no
 * data-available handler or disabled, the pool exhausted, the submission queue full, a ring
 * with work and no progress, the device gone.
 */
import { kIOUserNetworkLinkStatusActive, kIOUserNetworkLinkStatusInvalid } from '../networking/constants.ts';
import type { IOUserNetworkPacketBufferPool } from '../networking/packet-buffer-pool.ts';
import type { IOUserNetworkPacketQueue } from '../networking/packet-queue.ts';
import { FINDING_CODES, SEVERITY_ERROR, SEVERITY_WARNING, type FindingRecord } from '../abi/netlanes-abi.ts';
import type { TxRing } from './tx-ring.ts';

/** A ring with work pending and no reap for this long is stalled (OURS: 100 ms). */
const STALL_NS = 100e6;

export function finding(
  severity: number,
  code: (typeof FINDING_CODES)[number],
  object: string,
  message: string,
): FindingRecord {
  return { severity, code: FINDING_CODES.indexOf(code), object, message };
}

export interface BringUpState {
  started: boolean;
  enabled: boolean;
  removed: boolean;
  /** The status last passed to ReportLinkStatus (Invalid if never). */
  reportedLink: number;
  /** STATUS.LU as the device reads now. */
  deviceLinkUp: boolean;
  txSubmission: IOUserNetworkPacketQueue | null;
  rxSubmission: IOUserNetworkPacketQueue | null;
  pool: IOUserNetworkPacketBufferPool | null;
  txRings: readonly TxRing[];
  nowNs: number;
}

export function bringUpFindings(s: BringUpState): FindingRecord[] {
  const found: FindingRecord[] = [];
  if (s.removed) {
    found.push(
      finding(
        SEVERITY_ERROR,
        'device-removed',
        'IOPCIDevice',
        'the device is gone (all-ones reads): nothing reaches it',
      ),
    );
    return found;
  }
  if (!s.started || s.txSubmission === null || s.pool === null) {
    found.push(
      finding(
        SEVERITY_ERROR,
        'interface-disabled',
        'NetLanesDriver',
        'the driver has not started: no queues or pool',
      ),
    );
    return found;
  }
  if (!s.enabled)
    found.push(
      finding(
        SEVERITY_ERROR,
        'interface-disabled',
        'NetLanesDriver',
        'SetInterfaceEnable(true) has not been called (ifconfig down)',
      ),
    );
  if (s.reportedLink === kIOUserNetworkLinkStatusInvalid)
    found.push(
      finding(
        SEVERITY_ERROR,
        'link-not-reported',
        'IOUserNetworkEthernet',
        'ReportLinkStatus was never called: the system treats the link as down',
      ),
    );
  else if (s.reportedLink !== kIOUserNetworkLinkStatusActive)
    found.push(
      finding(
        SEVERITY_ERROR,
        'link-down',
        'IOUserNetworkEthernet',
        s.deviceLinkUp
          ? 'the link is up at the device but reported inactive'
          : 'the link is down (STATUS.LU clear): check the cable and partner',
      ),
    );
  for (const [name, q] of [
    ['TxSubmissionQueue', s.txSubmission],
    ['RxSubmissionQueue', s.rxSubmission],
  ] as const) {
    if (q === null) continue;
    if (!q.hasConsumer)
      found.push(
        finding(
          SEVERITY_ERROR,
          'no-data-available-handler',
          name,
          'no data-available handler: nothing dequeues what the stack submits',
        ),
      );
    if (!q.isEnabled)
      found.push(
        finding(SEVERITY_ERROR, 'queue-disabled', name, 'the queue is disabled: every enqueue is refused'),
      );
  }
  if (s.pool.available === 0)
    found.push(
      finding(
        SEVERITY_WARNING,
        'pool-exhausted',
        'IOUserNetworkPacketBufferPool',
        `all ${s.pool.packetCount} packets are in use`,
      ),
    );
  if (s.txSubmission.freeSpace === 0)
    found.push(
      finding(
        SEVERITY_WARNING,
        'submission-queue-full',
        'TxSubmissionQueue',
        'full: the driver is not draining it',
      ),
    );
  for (const ring of s.txRings) {
    if (ring.pending > 0 && s.nowNs - ring.lastProgressNs > STALL_NS)
      found.push(
        finding(
          SEVERITY_WARNING,
          'ring-stalled',
          `TxRing[${ring.queueIndex}]`,
          `${ring.pending} descriptors pending, none reaped for ${((s.nowNs - ring.lastProgressNs) / 1e6).toFixed(0)} ms`,
        ),
      );
  }
  return found;
}
