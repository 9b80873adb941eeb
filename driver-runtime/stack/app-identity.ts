/**
 * Who sends: a synthetic application with the identity macOS would report for it
 * (Little Snitch / NetLimiter style: display name, bundle id, executable path, pid, team id)
 * and the service class its sockets use. `appId` is the stack's small integer for it
 * (1..N; 0 is the system: ARP and other stack-originated packets), written into
 * `pool.appId` for every packet it sends or receives.
 */
export interface AppIdentity {
  readonly appId: number;
  readonly name: string;
  readonly bundleId: string;
  readonly executablePath: string;
  readonly pid: number;
  readonly teamId?: string;
}

/** appId of stack-originated traffic (ARP) and of unmatched receive traffic. */
export const SYSTEM_APP_ID = 0;

/** The system's identity, reported as app 0. */
export const SYSTEM_IDENTITY: AppIdentity = {
  appId: SYSTEM_APP_ID,
  name: 'kernel_task',
  bundleId: 'com.apple.kernel',
  executablePath: '/System/Library/Kernels/kernel',
  pid: 0,
};
