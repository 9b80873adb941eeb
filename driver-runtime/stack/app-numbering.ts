import type { AppIdentity } from '../abi/app-identity.ts';
import type { AppConfig } from './traffic-profile.ts';

/**
 * The one place apps get their numbers: app i of a configuration list is app id i + 1
 * (0 is the system). The host stack numbers its apps with this; anyone who needs the
 * identities of a scenario's apps before a stack exists (the CLI's --explain) asks it too.
 */
export function identitiesFor(configs: readonly AppConfig[]): AppIdentity[] {
  return configs.map((config, i) => ({
    appId: i + 1,
    name: config.name,
    bundleId: config.bundleId,
    executablePath: config.executablePath,
    pid: config.pid,
    serviceClass: config.serviceClass,
    ...(config.teamId !== undefined ? { teamId: config.teamId } : {}),
  }));
}
