/**
 * Base of the synthetic applications. An app decides *when* and *how many* packets to
 * send; the HostStack (its `AppHost`) builds them from the app's frame template, tags them
 * with the app's id and service class, and submits them. Timers are scheduler events with
 * the app itself as handler, so nothing is allocated per packet or per tick.
 */
import type { EventHandler, EventId, Scheduler } from '../../sim/scheduler.ts';
import { NO_EVENT } from '../../sim/scheduler.ts';
import type { AppIdentity } from '../../abi/app-identity.ts';
import type { FlowTemplate } from '../../net/flow-template.ts';
import { LatencyHistogram } from '../latency-histogram.ts';
import type { AppConfig, TrafficProfile } from '../traffic-profile.ts';

/** What an app may ask of the stack. */
export interface AppHost {
  readonly scheduler: Scheduler;
  /**
   * Builds up to `n` packets for `app` and submits them; returns how many the Tx submission
   * queue accepted. Refused packets are dropped and counted, or, for apps that hold on a
   * full queue (bulk), kept in `app.held` and retried first on the next call.
   */
  transmit(app: App, n: number): number;
  /** Asks the link partner to source the app's receive flow; returns the flow id. */
  startRxFlow(app: App): number;
  stopRxFlow(flowId: number): void;
  /** Interface enabled and link not reported down. */
  interfaceUp(): boolean;
  /** The app started or stopped sending (the stack reports its flow opening or closing). */
  appActivated(app: App, now: number): void;
  appDeactivated(app: App, now: number): void;
}

/** Per-app counters; plain number fields mutated in place. */
export class AppCounters {
  /** Packets the app generated and handed to the stack (= enqueued + drops). */
  txSent = 0;
  txSentBytes = 0;
  /** Accepted by the Tx submission queue. */
  txEnqueued = 0;
  txEnqueuedBytes = 0;
  /** Came back on Tx completion with success status (on the wire). */
  txCompleted = 0;
  txCompletedBytes = 0;
  /** Came back on Tx completion with an error status (driver/NIC dropped it). */
  txErrors = 0;
  txDropQueueFull = 0;
  txDropPoolEmpty = 0;
  txDropInterfaceDown = 0;
  /** Held packets freed unsent when the app stopped (bulk only; not counted in txSent). */
  txUnsentAtStop = 0;
  /** Times a bulk app found its send buffer, the queue or the pool full and waited. */
  txStalls = 0;
  /** Enqueued and not yet returned, plus held. */
  outstandingPackets = 0;
  outstandingBytes = 0;
  maxOutstandingBytes = 0;
  rxPackets = 0;
  rxBytes = 0;
  pingSent = 0;
  pingReplies = 0;
  pingLateOrUnknown = 0;
}

export abstract class App implements EventHandler {
  readonly identity: AppIdentity;
  readonly config: AppConfig;
  readonly profile: TrafficProfile;
  readonly serviceClass: number;
  readonly counters = new AppCounters();
  /** Ping round-trip times. */
  readonly rtt = new LatencyHistogram();
  /** Rx wait: stack reap time − the driver's receive timestamp (UDP/TCP frames of this app). */
  readonly rxLatency = new LatencyHistogram();
  /** Built by the stack once the peer MAC is known. */
  template: FlowTemplate | null = null;
  /** Packets refused by a full queue, kept for retry (only when `holdsOnFull`). */
  readonly held: Int32Array;
  heldCount = 0;
  readonly holdsOnFull: boolean = false;
  /** IPv4 ID of the next packet. */
  ipId = 0;
  active = false;
  /** Absolute stop time, ns (set by the stack before activation); ticks are not armed past it. */
  stopAt = Infinity;
  /** Receive flow at the partner, or -1. */
  flowId = -1;
  protected timer: EventId = NO_EVENT;
  private streamSeq = 1;

  constructor(
    protected readonly host: AppHost,
    identity: AppIdentity,
    config: AppConfig,
    holdCapacity = 0,
  ) {
    this.identity = identity;
    this.config = config;
    this.profile = config.traffic;
    this.serviceClass = config.serviceClass;
    this.held = new Int32Array(holdCapacity);
    this.ipId = (identity.pid * 7919) & 0xffff;
  }

  get appId(): number {
    return this.identity.appId;
  }

  /** Starts sending (the stack calls this at start time, once ARP has resolved). */
  activate(now: number): void {
    if (this.active) return;
    this.active = true;
    this.host.appActivated(this, now);
    this.onActivate(now);
  }

  /** Stops sending; packets already submitted still complete. */
  deactivate(now: number): void {
    if (!this.active) return;
    this.active = false;
    if (this.timer !== NO_EVENT) this.host.scheduler.cancel(this.timer);
    this.timer = NO_EVENT;
    this.onDeactivate(now);
    this.host.appDeactivated(this, now);
  }

  /** Timer tick. (The stack, not the app, schedules the stop at `stopAt`.) */
  onEvent(): void {
    this.timer = NO_EVENT;
    if (this.active) this.tick();
  }

  /**
   * Sequence value stamped into the next packet: by default the byte-stream (TCP) sequence,
   * from 1 and advanced by the template's payload per packet (UDP ignores it); the ping app
   * overrides it with the ICMP echo sequence.
   */
  nextSequence(_now: number): number {
    const seq = this.streamSeq;
    this.streamSeq = (seq + (this.template?.payloadLength ?? 0)) >>> 0;
    return seq;
  }

  /** The stack freed Tx resources (completions reaped, queue space back). */
  wake(_now: number): void {}

  /** Some of this app's packets came back with an error status (dropped before the wire). */
  lossReported(_now: number): void {}

  /** An ICMP echo reply for this app arrived. */
  echoReply(_seq: number, _now: number): void {}

  protected abstract onActivate(now: number): void;
  protected onDeactivate(_now: number): void {}
  /** Timer tick; the time is `host.scheduler.now` (not passed: a float64 argument is boxed). */
  protected tick(): void {}

  protected arm(at: number): void {
    this.timer = this.host.scheduler.schedule(at, this, 0);
  }

  /** Arms the next tick at `next`, or stops the app if that is not before its stop time. */
  protected armOrStop(next: number): void {
    if (next < this.stopAt) this.arm(next);
    else this.deactivate(this.host.scheduler.now);
  }
}
