import { SYSTEM_APP_ID, type AppIdentity } from '../abi/app-identity.ts';
import { kIOUserNetworkServiceClassCTL } from '../networking/constants.ts';

/** The system's identity, reported as app 0: the stack's own ARP and echo replies (class CTL). */
export const SYSTEM_IDENTITY: AppIdentity = {
  appId: SYSTEM_APP_ID,
  name: 'kernel_task',
  bundleId: 'com.apple.kernel',
  executablePath: '/System/Library/Kernels/kernel',
  pid: 0,
  serviceClass: kIOUserNetworkServiceClassCTL,
};
