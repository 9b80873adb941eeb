/**
 * Who sends: an application with the identity macOS reports for it (Little Snitch / NetLimiter
 * style: display name, bundle id, executable path, pid, signing team) and the service class
 * its sockets use. The one identity type: the host stack (which numbers its apps), the rules
 * (which match them) and every client read the same record.
 */
export interface AppIdentity {
  /** The host stack's number for the app: 1..N; 0 is the system (ARP, echo replies). */
  readonly appId: number;
  readonly name: string;
  readonly bundleId: string;
  readonly executablePath: string;
  readonly pid: number;
  readonly teamId?: string;
  /** The OS service class its sockets use (kIOUserNetworkServiceClass*). */
  readonly serviceClass: number;
}

/** appId of stack-originated traffic (ARP, echo replies) and of unmatched receive traffic. */
export const SYSTEM_APP_ID = 0;
