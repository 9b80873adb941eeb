/**
 * Traffic profiles in simulation units (ns, bits/s, bytes). Scenario files use µs and are
 * converted by `appConfigsFromScenario`. `packetBytes` is always the Ethernet frame length
 * without FCS (VLAN tag included), the number the pool's dataLength holds; rates count
 * those bytes.
 */

interface ProfileBase {
  /** First send (or flow start) relative to stack start, ns; apps also wait for ARP. */
  startNs: number;
  /** When the app stops, ns after stack start (Infinity = until `HostStack.stop()`). */
  stopNs: number;
  packetBytes: number;
  srcPort: number;
  dstPort: number;
}

/** Interactive constant rate (voice/video call, game): one packet every packetBytes·8/rateBps, paced. */
export interface ConstantProfile extends ProfileBase {
  kind: 'constant';
  protocol: 'udp' | 'tcp';
  rateBps: number;
}

/** Web-like: bursts of `burstPackets` packets, exponential gaps (mean `meanGapNs`) between bursts. */
export interface BurstyProfile extends ProfileBase {
  kind: 'bursty';
  protocol: 'udp' | 'tcp';
  burstPackets: number;
  meanGapNs: number;
}

/** Greedy upload with backpressure: at most `sndbufBytes` of its packets outstanding. */
export interface BulkProfile extends ProfileBase {
  kind: 'bulk';
  protocol: 'udp' | 'tcp';
  sndbufBytes: number;
}

/** Download/stream: the link partner sources a flow at `rateBps` toward `dstPort` on the host. */
export interface ReceiveProfile extends ProfileBase {
  kind: 'receive';
  protocol: 'udp' | 'tcp';
  rateBps: number;
}

/** ICMP echo requests every `intervalNs`; RTT measured on reply. Ports unused. */
export interface PingProfile extends ProfileBase {
  kind: 'ping';
  protocol: 'icmp';
  intervalNs: number;
}

export type TrafficProfile = ConstantProfile | BurstyProfile | BulkProfile | ReceiveProfile | PingProfile;
export type TrafficKind = TrafficProfile['kind'];

/** One application to run on a HostStack. */
export interface AppConfig {
  name: string;
  bundleId: string;
  executablePath: string;
  pid: number;
  teamId?: string;
  /** kIOUserNetworkServiceClass* value. */
  serviceClass: number;
  /** 802.1Q PCP for a priority tag on its frames; -1/undefined = untagged. */
  vlanPcp?: number;
  traffic: TrafficProfile;
}
