/** Public API of the host stack and its synthetic apps (the link partner is in peer/). */
export { HostStack, type HostStackOptions } from './host-stack.ts';
export type { AppStats, StackAccounting } from './app-stats.ts';
export { StackCounters } from './stack-counters.ts';
export { App, AppCounters, type AppHost } from './apps/app.ts';
export { BULK_BURST } from './apps/bulk-app.ts';
export { SYSTEM_APP_ID, type AppIdentity } from '../abi/app-identity.ts';
export { SYSTEM_IDENTITY } from './system-identity.ts';
export type {
  AppConfig,
  TrafficProfile,
  TrafficKind,
  ConstantProfile,
  BurstyProfile,
  BulkProfile,
  ReceiveProfile,
  PingProfile,
} from './traffic-profile.ts';
export { LatencyHistogram, HISTOGRAM_BUCKETS, type LatencySummary } from './latency-histogram.ts';
export {
  SERVICE_CLASS_KEYS,
  SERVICE_CLASS_VALUE,
  serviceClassName,
  serviceClassDscp,
  type ServiceClassName,
} from './service-class.ts';
export {
  parseScenario,
  appConfigsFromScenario,
  scenarioSchema,
  ScenarioError,
  type Scenario,
  type ScenarioApp,
} from './scenario.ts';
export { identitiesFor } from './app-numbering.ts';
