/** Public API of the host stack, its synthetic apps and the link partner. */
export { HostStack, type HostStackOptions } from './host-stack.ts';
export type { AppStats, StackAccounting } from './app-stats.ts';
export { StackCounters } from './stack-counters.ts';
export { App, AppCounters, type AppHost } from './apps/app.ts';
export { BULK_BURST } from './apps/bulk-app.ts';
export { SYSTEM_APP_ID, SYSTEM_IDENTITY, type AppIdentity } from './app-identity.ts';
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
  LinkPartner,
  PartnerCounters,
  type LinkPartnerOptions,
  type WirePeer,
  type WireReceiver,
} from './link-partner.ts';
export type { RxFlowSource, RxFlowSpec } from './rx-flow.ts';
export { WireTap } from './wire-tap.ts';
export { buildFlowTemplate, type FlowFrameOptions, type FlowProtocol } from './flow-frames.ts';
export {
  FRAME_INVALID,
  FRAME_ARP,
  FRAME_IPV4_UDP,
  FRAME_IPV4_TCP,
  FRAME_IPV4_ICMP,
  FRAME_OTHER,
  parseFrameKind,
} from './frame-kind.ts';
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
