/** Stats snapshots handed out by the HostStack (control path: these allocate). */
import type { AppIdentity } from '../abi/app-identity.ts';
import type { AppCounters } from './apps/app.ts';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.ts';
import { serviceClassName, type ServiceClassName } from './service-class.ts';
import type { TrafficKind } from './traffic-profile.ts';

/** One app's identity, counters (all AppCounters fields) and latency summaries. */
export interface AppStats extends AppCounters {
  appId: number;
  name: string;
  bundleId: string;
  executablePath: string;
  pid: number;
  teamId?: string;
  serviceClass: number;
  serviceClassName: ServiceClassName;
  kind: TrafficKind | 'system';
  /** Packets a bulk app holds, refused by a full queue (see host-stack.ts). */
  heldPackets: number;
  /** Ping round-trip times, ns (empty for other kinds). */
  rtt: LatencySummary;
  /** Rx wait, ns: stack reap time − driver receive timestamp (empty when nothing received). */
  rxLatency: LatencySummary;
}

/**
 * Conservation totals over apps and the system. After stop and drain:
 * sent = enqueued + drops, enqueued = onWire + errors, inFlight = held = 0.
 */
export interface StackAccounting {
  sent: number;
  enqueued: number;
  onWire: number;
  errors: number;
  drops: number;
  inFlight: number;
  held: number;
}

const EMPTY = new LatencyHistogram();

/**
 * The stack's view of one app. Its Tx latency is not here: the driver measures every packet
 * once (enqueue to wire) in its statistics region, and reports read it from there.
 */
export function snapshotAppStats(
  id: AppIdentity,
  kind: TrafficKind | 'system',
  c: AppCounters,
  rtt: LatencyHistogram | null,
  rxLatency: LatencyHistogram | null,
  held: number,
): AppStats {
  return {
    ...c,
    appId: id.appId,
    name: id.name,
    bundleId: id.bundleId,
    executablePath: id.executablePath,
    pid: id.pid,
    ...(id.teamId !== undefined ? { teamId: id.teamId } : {}),
    serviceClass: id.serviceClass,
    serviceClassName: serviceClassName(id.serviceClass),
    kind,
    heldPackets: held,
    rtt: (rtt ?? EMPTY).summary(),
    rxLatency: (rxLatency ?? EMPTY).summary(),
  };
}
