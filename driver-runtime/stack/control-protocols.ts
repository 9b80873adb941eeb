/**
 * The stack's control protocols: ARP (resolving the peer, retrying until it answers, and
 * answering requests for our address) and ICMP echo replies. Control path — a handful of
 * packets per run — sent as system packets (app 0, service class CTL).
 */
import type { EventHandler, EventId } from '../sim/scheduler.ts';
import { NO_EVENT } from '../sim/scheduler.ts';
import { kIOUserNetworkServiceClassCTL } from '../networking/constants.ts';
import { ARP_OP_REPLY, ARP_OP_REQUEST, MAC_BROADCAST } from '../net/constants.ts';
import { writeEchoReply } from '../net/control-frames.ts';
import { buildArpFrame } from '../net/frame-builder.ts';
import type { ParsedFrame } from '../net/parsed-frame.ts';
import type { StackCore } from './stack-core.ts';
import type { TxSubmit } from './tx-submit.ts';

export class ControlProtocols {
  /** The peer's MAC once ARP resolved it, else -1. */
  peerMac = -1;
  private arpTimer: EventId = NO_EVENT;

  constructor(
    private readonly core: StackCore,
    private readonly tx: TxSubmit,
    private readonly arpRetryNs: number,
    /** Called once, when the peer's MAC is first learned. */
    private readonly peerResolved: (mac: number, now: number) => void,
  ) {}

  /** Sends the first ARP request for the peer and keeps retrying until it answers. */
  startResolving(): void {
    this.requestPeer();
    this.arpTimer = this.core.scheduler.after(this.arpRetryNs, this.arpRetryHandler, 0);
  }

  stop(): void {
    if (this.arpTimer !== NO_EVENT) this.core.scheduler.cancel(this.arpTimer);
    this.arpTimer = NO_EVENT;
  }

  /** Re-sends a pending ARP request now (the link just came up). */
  retryNow(): void {
    if (this.peerMac < 0 && this.core.interfaceUp()) this.requestPeer();
  }

  private requestPeer(): void {
    this.sendArp(ARP_OP_REQUEST, MAC_BROADCAST, 0, this.core.peerIp);
  }

  private readonly arpRetryHandler: EventHandler = {
    onEvent: () => {
      this.arpTimer = NO_EVENT;
      if (this.peerMac >= 0) return;
      this.requestPeer();
      this.arpTimer = this.core.scheduler.after(this.arpRetryNs, this.arpRetryHandler, 0);
    },
  };

  /** An ARP frame for us was just parsed into `p`: learn the peer, answer requests for our IP. */
  arpReceived(p: ParsedFrame, now: number): void {
    this.core.counters.rxArp++;
    if (p.arpSenderIp === this.core.peerIp && this.peerMac < 0) {
      this.peerMac = p.arpSenderMac;
      this.core.counters.arpResolvedAtNs = now;
      this.stop();
      this.peerResolved(p.arpSenderMac, now);
    }
    if (p.arpOp === ARP_OP_REQUEST && p.arpTargetIp === this.core.hostIp)
      this.sendArp(ARP_OP_REPLY, p.arpSenderMac, p.arpSenderMac, p.arpSenderIp);
  }

  private sendArp(op: number, dstMac: number, targetMac: number, targetIp: number): void {
    const core = this.core;
    const c = core.systemCounters;
    c.txSent++;
    if (op === ARP_OP_REQUEST) core.counters.arpRequestsSent++;
    else core.counters.arpRepliesSent++;
    if (!core.interfaceUp()) {
      c.txDropInterfaceDown++;
      return;
    }
    const h = core.pool.allocatePacket();
    if (h < 0) {
      c.txDropPoolEmpty++;
      return;
    }
    const len = buildArpFrame(core.mem, core.pool.dataStart(h), {
      dstMac,
      srcMac: core.hostMac,
      op,
      senderMac: core.hostMac,
      senderIp: core.hostIp,
      targetMac,
      targetIp,
    });
    c.txSentBytes += len;
    this.tx.submitSystem(h, len, kIOUserNetworkServiceClassCTL);
  }

  /**
   * Answers the ICMP echo request just parsed into `p` (at `off` in host memory): the request
   * with MACs and IPs swapped, type 0, checksums recomputed.
   */
  echoRequestReceived(off: number, len: number, p: ParsedFrame): void {
    const core = this.core;
    const c = core.systemCounters;
    core.counters.rxEchoRequests++;
    c.txSent++;
    c.txSentBytes += len;
    core.counters.echoRepliesSent++;
    if (!core.interfaceUp()) {
      c.txDropInterfaceDown++;
      return;
    }
    const h = core.pool.allocatePacket();
    if (h < 0) {
      c.txDropPoolEmpty++;
      return;
    }
    writeEchoReply(core.mem, core.pool.dataStart(h), core.mem, off, len, p, core.hostMac, core.hostIp);
    this.tx.submitSystem(h, len, kIOUserNetworkServiceClassCTL);
  }
}
