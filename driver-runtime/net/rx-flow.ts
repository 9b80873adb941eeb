/** The seam between receive apps and whoever sources their traffic (the link partner). */
import type { FlowProtocol } from './flow-frames.ts';

export interface RxFlowSpec {
  /** For the partner's counters and logs. */
  appId: number;
  protocol: Exclude<FlowProtocol, 'icmp'>;
  /** Port on the partner (the server side, e.g. 443). */
  srcPort: number;
  /** Port on the host the app listens on. */
  dstPort: number;
  /** Ethernet frame length without FCS. */
  packetBytes: number;
  rateBps: number;
  /** 802.1Q PCP of the flow's frames, or -1 for untagged. */
  vlanPcp: number;
  dscp: number;
}

export interface RxFlowSource {
  /** Starts sourcing a flow toward the host; returns its id. */
  startFlow(spec: RxFlowSpec): number;
  stopFlow(flowId: number): void;
}
