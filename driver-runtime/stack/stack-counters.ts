/** Stack-wide counters (apps, and the system as app 0, have their own AppCounters). */
export class StackCounters {
  // Per-cause Tx totals are sums of the per-app counters: see HostStack.accounting().
  /** Tx packets enqueued and not yet back from Tx completion. */
  txInFlight = 0;
  /** Completed packets that asked for a wire timestamp and came back without one. */
  txNoTimestamp = 0;
  /** Rx buffers the driver holds (posted and not yet returned on Rx completion). */
  rxBuffersPosted = 0;
  /** Rx buffers the pool could not supply when topping up the Rx submission queue. */
  rxPostPoolEmpty = 0;
  rxPackets = 0;
  rxBytes = 0;
  rxArp = 0;
  rxEchoReplies = 0;
  rxEchoRequests = 0;
  rxBadChecksum = 0;
  rxInvalid = 0;
  /** Well-formed frames nobody listens for (unknown port, other EtherType, not for us). */
  rxUnmatched = 0;
  arpRequestsSent = 0;
  arpRepliesSent = 0;
  echoRepliesSent = 0;
  /** Virtual time the peer MAC was learned, or -1. */
  arpResolvedAtNs = -1;
}
