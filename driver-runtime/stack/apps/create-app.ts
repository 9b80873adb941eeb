/** Makes the App subclass for a config's traffic kind. */
import type { Prng } from '../../sim/prng.ts';
import type { AppIdentity } from '../../abi/app-identity.ts';
import type { AppConfig } from '../traffic-profile.ts';
import type { App, AppHost } from './app.ts';
import { BulkApp } from './bulk-app.ts';
import { BurstyApp } from './bursty-app.ts';
import { ConstantApp } from './constant-app.ts';
import { PingApp } from './ping-app.ts';
import { ReceiveApp } from './receive-app.ts';

export function createApp(host: AppHost, identity: AppIdentity, config: AppConfig, prng: Prng): App {
  switch (config.traffic.kind) {
    case 'constant':
      return new ConstantApp(host, identity, config);
    case 'bursty':
      return new BurstyApp(host, identity, config, prng);
    case 'bulk':
      return new BulkApp(host, identity, config);
    case 'receive':
      return new ReceiveApp(host, identity, config);
    case 'ping':
      return new PingApp(host, identity, config);
  }
}
