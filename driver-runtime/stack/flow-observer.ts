import type { AppIdentity } from '../abi/app-identity.ts';

/**
 * One flow as the OS's flow observer reports it (on a Mac, a Network Extension filter's flow
 * report: the 5-tuple and the source app's signing identity). The stack reports flows to the
 * app's side, never to the driver; the app decides what the driver is told.
 */
export interface FlowReport {
  /** Unique for the life of the stack. */
  flowId: number;
  /** IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP. */
  protocol: number;
  localIp: number;
  remoteIp: number;
  /** UDP/TCP port; for ICMP echo, the echo id. */
  localPort: number;
  /** UDP/TCP port; 0 for ICMP echo. */
  remotePort: number;
  identity: AppIdentity;
}

export interface FlowObserver {
  /** A flow opened (before its first packet is sent). */
  flowOpened(report: FlowReport, nowNs: number): void;
  /** A flow closed (its app stopped). */
  flowClosed(flowId: number, nowNs: number): void;
}
