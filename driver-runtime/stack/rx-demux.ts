/**
 * The stack's Rx half: each received frame is classified by the endpoint classifier both ends
 * of the wire share (net/local-endpoint.ts), then delivered — ARP and echo requests to the
 * control protocols, echo replies to the ping app by ICMP id, UDP/TCP to the app that owns
 * the destination port. Nothing is allocated per frame.
 */
import {
  LOCAL_ARP,
  LOCAL_BAD_CHECKSUM,
  LOCAL_DATAGRAM,
  LOCAL_ECHO_REPLY,
  LOCAL_ECHO_REQUEST,
  LOCAL_INVALID,
  classifyForEndpoint,
} from '../net/local-endpoint.ts';
import { ParsedFrame } from '../net/parsed-frame.ts';
import { PlainDatagramMatcher } from '../net/plain-datagram.ts';
import type { App } from './apps/app.ts';
import type { ControlProtocols } from './control-protocols.ts';
import type { FrameSink } from './rx-buffers.ts';
import type { StackCore } from './stack-core.ts';

/** Records `index` as the owner of `key`; throws naming both apps if it is taken. */
function claim(table: Int32Array, key: number, index: number, apps: readonly App[], what: string): void {
  const owner = table[key];
  if (owner >= 0)
    throw new Error(`HostStack: ${what} ${key} is already used by app "${apps[owner].identity.name}"`);
  table[key] = index;
}

export class RxDemux implements FrameSink {
  /** Host port → app index (UDP/TCP), ICMP echo id → app index; -1 = none. */
  private readonly portToApp = new Int32Array(65536).fill(-1);
  private readonly echoIdToApp = new Int32Array(65536).fill(-1);
  /** The one record every received frame is parsed into. */
  private readonly parsed = new ParsedFrame();
  /** The fixed-offset check for plain datagrams to our MAC/IP, before the full parse. */
  private readonly plain: PlainDatagramMatcher;
  /**
   * Plain datagrams take the fixed-offset check (`PlainDatagramMatcher`) instead of the full
   * parse; never while checksums are verified. Off only for the per-frame reference of the
   * golden tests.
   */
  fastPath = true;

  constructor(
    private readonly core: StackCore,
    private readonly control: ControlProtocols,
    private readonly verifyChecksums: boolean,
  ) {
    this.plain = new PlainDatagramMatcher(core.hostMac, core.hostIp);
  }

  /** Claims the app's receive key (its port, or its echo id); throws on a clash. */
  register(app: App, index: number, apps: readonly App[]): void {
    const t = app.profile;
    const name = app.identity.name;
    if (t.kind === 'ping')
      claim(
        this.echoIdToApp,
        app.identity.pid & 0xffff,
        index,
        apps,
        `app "${name}": ICMP echo id (pid & 0xffff)`,
      );
    else
      claim(
        this.portToApp,
        t.kind === 'receive' ? t.dstPort : t.srcPort,
        index,
        apps,
        `app "${name}": host port`,
      );
  }

  receiveError(): void {
    this.core.counters.rxInvalid++;
  }

  receiveFrame(off: number, len: number, now: number, arrivalNs: number): void {
    const core = this.core;
    const sc = core.counters;
    if (this.fastPath && !this.verifyChecksums) {
      const l4 = this.plain.l4Of(core.mem, off, len);
      if (l4 >= 0) {
        // What the LOCAL_DATAGRAM case below does, by the destination port at l4 + 2.
        sc.rxPackets++;
        sc.rxBytes += len;
        this.deliverDatagram((core.mem[l4 + 2] << 8) | core.mem[l4 + 3], len, now, arrivalNs);
        return;
      }
    }
    const p = this.parsed;
    const verdict = classifyForEndpoint(
      core.mem,
      off,
      len,
      p,
      core.hostMac,
      core.hostIp,
      this.verifyChecksums,
    );
    if (verdict === LOCAL_INVALID) {
      sc.rxInvalid++;
      return;
    }
    sc.rxPackets++;
    sc.rxBytes += len;
    switch (verdict) {
      case LOCAL_ARP:
        this.control.arpReceived(p, now);
        return;
      case LOCAL_BAD_CHECKSUM:
        sc.rxBadChecksum++;
        return;
      case LOCAL_ECHO_REQUEST:
        this.control.echoRequestReceived(off, len, p);
        return;
      case LOCAL_ECHO_REPLY: {
        const idx = this.echoIdToApp[p.icmpId];
        if (idx < 0) break;
        sc.rxEchoReplies++;
        const app = core.apps[idx];
        app.counters.rxPackets++;
        app.counters.rxBytes += len;
        app.echoReply(p.icmpSeq, now);
        return;
      }
      case LOCAL_DATAGRAM:
        this.deliverDatagram(p.dstPort, len, now, arrivalNs);
        return;
    }
    sc.rxUnmatched++;
  }

  /** To the app that owns `dstPort`, or counted unmatched. */
  private deliverDatagram(dstPort: number, len: number, now: number, arrivalNs: number): void {
    const idx = this.portToApp[dstPort];
    if (idx < 0) {
      this.core.counters.rxUnmatched++;
      return;
    }
    const app = this.core.apps[idx];
    app.counters.rxPackets++;
    app.counters.rxBytes += len;
    if (!Number.isNaN(arrivalNs)) app.rxLatency.record(now - arrivalNs);
  }
}
