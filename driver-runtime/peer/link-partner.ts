/**
 * The peer host at the far end of the wire. It answers ARP for its IP and ICMP echo
 * requests, sinks all other traffic the NIC transmits (per destination port and per NIC Tx
 * queue counters in typed arrays: nothing allocated per frame), and sources receive flows
 * toward the host at their rates.
 *
 * Its transmit direction is one serializer at line rate: a frame of `len` bytes (no FCS)
 * occupies (len + 4 FCS + 8 preamble/SFD + 12 IFG) · 8 / rate ns of wire, computed, and is
 * handed to the NIC (`receiveFromWire`) at the moment its last FCS bit arrives. Sourced
 * frames and replies share that serializer in due-time order (a sourced frame first on a
 * tie), so replies queue behind sourced traffic and partner→NIC never exceeds the link rate.
 */
import type { EventHandler, EventId, Scheduler } from '../sim/scheduler.ts';
import { NO_EVENT } from '../sim/scheduler.ts';
import { FCS_BYTES, IFG_BYTES, PREAMBLE_BYTES } from '../sim/units.ts';
import type { WirePeer, WireReceiver } from '../net/wire.ts';
import { ARP_OP_REPLY, ARP_OP_REQUEST, ICMP_ECHO_REQUEST, MAC_BROADCAST } from '../net/constants.ts';
import { patchPacket, stampPacket, type FlowTemplate } from '../net/flow-template.ts';
import { buildArpFrame, buildIcmpEchoFrame } from '../net/frame-builder.ts';
import { parseIpv4 } from '../net/ipv4-address.ts';
import { parseMac } from '../net/mac.ts';
import { ParsedFrame } from '../net/parsed-frame.ts';
import { PlainDatagramMatcher } from '../net/plain-datagram.ts';
import {
  LOCAL_ARP,
  LOCAL_BAD_CHECKSUM,
  LOCAL_DATAGRAM,
  LOCAL_ECHO_REPLY,
  LOCAL_ECHO_REQUEST,
  LOCAL_INVALID,
  classifyForEndpoint,
} from '../net/local-endpoint.ts';
import { writeEchoReply } from '../net/control-frames.ts';
import { buildFlowTemplate } from '../net/flow-frames.ts';
import type { RxFlowSource, RxFlowSpec } from '../net/rx-flow.ts';
import type { WireTap } from './wire-tap.ts';

export interface LinkPartnerOptions {
  scheduler: Scheduler;
  /** Line rate, bits/s (LINK_BPS['1g'] …). */
  linkBps: number;
  mac: number | string;
  ip: number | string;
  nic: WireReceiver;
  /** The host, if known up front; otherwise learned from its ARP request. */
  hostMac?: number | string;
  hostIp?: number | string;
  /** Capture both directions (off by default). */
  tap?: WireTap | null;
  /** Replies (ARP, ICMP) that can wait for the serializer (default 256); more are dropped and counted. */
  replySlots?: number;
  /** Verify IPv4/L4 checksums of every frame from the NIC (default true). */
  verifyChecksums?: boolean;
}

/** Partner-side counters. "fromNic" is the host's Tx direction, "toNic" the host's Rx. */
export class PartnerCounters {
  fromNicFrames = 0;
  fromNicBytes = 0;
  /** UDP/TCP frames to our IP with valid checksums, counted in the per-port arrays. */
  sunkFrames = 0;
  sunkBytes = 0;
  arpRequests = 0;
  /** ARP replies from the host (to requests sent with `arpForHost`). */
  arpRepliesIn = 0;
  echoRequests = 0;
  /** ICMP echo replies from the host (to requests sent with `pingHost`). */
  echoRepliesIn = 0;
  badChecksum = 0;
  invalid = 0;
  /** Frames for another MAC or IP, or of a type nobody handles. */
  notForUs = 0;
  toNicFrames = 0;
  toNicBytes = 0;
  arpReplies = 0;
  echoReplies = 0;
  replyDrops = 0;
  /** Frames of sourced flows sent to the NIC. */
  flowFrames = 0;
}

interface Flow {
  readonly spec: RxFlowSpec;
  template: FlowTemplate | null;
  readonly intervalNs: number;
  nextDue: number;
  active: boolean;
  ipId: number;
  seq: number;
  frames: number;
  bytes: number;
}

const SLOT_BYTES = 1536;
const KIND_NONE = -1;
const KIND_REPLY = -2;

/** `beginFrame`: the next frame can only start later (at `waitUntil`). */
const WAIT = -2;

export class LinkPartner implements WirePeer, RxFlowSource {
  readonly counters = new PartnerCounters();
  /** Sunk frames and bytes by UDP/TCP destination port (the service: 443, 3478 …). */
  readonly sinkPackets = new Float64Array(65536);
  readonly sinkBytes = new Float64Array(65536);
  /** Sunk frames and bytes by UDP/TCP source port: the host-side port, one per app. */
  readonly sinkPacketsBySrcPort = new Float64Array(65536);
  readonly sinkBytesBySrcPort = new Float64Array(65536);
  /** Frames from the NIC by the Tx queue it reported (0..7). */
  readonly framesByTxQueue = new Float64Array(8);
  readonly mac: number;
  readonly ip: number;
  hostMac = -1;
  hostIp = -1;

  private readonly scheduler: Scheduler;
  private nsPerByte: number;
  private readonly nic: WireReceiver;
  private readonly tap: WireTap | null;
  private readonly verify: boolean;
  /** The one record every frame from the NIC is parsed into. */
  private readonly parsed = new ParsedFrame();
  /**
   * Sink plain frames at fixed offsets (`sinkPlain`) before the full parse; off only for the
   * per-frame reference of the golden tests. Never used while checksums are verified.
   */
  fastSink = true;
  /**
   * The template whose frame the Tx buffer holds as `stampPacket` left it (null after a reply):
   * the next frame of it only gets its IP ID, sequence and checksums patched. Only while
   * `fastSink` (the burst shortcuts) is on.
   */
  private txBufTemplate: FlowTemplate | null = null;
  /** Deliver back-to-back frames in one call while nothing else can happen (see `deliverHandler`). */
  runAhead = true;
  /** When the frame `beginFrame` answered WAIT for can start. */
  private waitUntil = 0;
  /** The fixed-offset check for plain frames to our MAC/IP (`sinkPlain`). */
  private readonly plain: PlainDatagramMatcher;
  private readonly flows: Flow[] = [];
  // Reply ring: fixed slots of SLOT_BYTES.
  private readonly replyBuf: Uint8Array;
  private readonly replyLen: Uint16Array;
  private readonly replyDue: Float64Array;
  private replyHead = 0;
  private replyCount = 0;
  // Serializer.
  private readonly txBuf = new Uint8Array(SLOT_BYTES);
  private txLen = 0;
  private txStart = 0;
  private busy = false;
  private txFreeAt = 0;
  private wakeAt = Infinity;
  private wakeEvent: EventId = NO_EVENT;

  constructor(o: LinkPartnerOptions) {
    this.scheduler = o.scheduler;
    if (!(o.linkBps > 0)) throw new RangeError(`LinkPartner: linkBps must be > 0 (got ${o.linkBps})`);
    this.nsPerByte = 8e9 / o.linkBps;
    this.mac = typeof o.mac === 'string' ? parseMac(o.mac) : o.mac;
    this.ip = typeof o.ip === 'string' ? parseIpv4(o.ip) : o.ip >>> 0;
    if (o.hostMac !== undefined)
      this.hostMac = typeof o.hostMac === 'string' ? parseMac(o.hostMac) : o.hostMac;
    if (o.hostIp !== undefined)
      this.hostIp = typeof o.hostIp === 'string' ? parseIpv4(o.hostIp) : o.hostIp >>> 0;
    this.nic = o.nic;
    this.tap = o.tap ?? null;
    this.verify = o.verifyChecksums ?? true;
    this.plain = new PlainDatagramMatcher(this.mac, this.ip);
    const slots = o.replySlots ?? 256;
    this.replyBuf = new Uint8Array(slots * SLOT_BYTES);
    this.replyLen = new Uint16Array(slots);
    this.replyDue = new Float64Array(slots);
  }

  /** The partner's port renegotiated to another speed (the link was down meanwhile). */
  relink(linkBps: number): void {
    if (!(linkBps > 0)) throw new RangeError(`LinkPartner: linkBps must be > 0 (got ${linkBps})`);
    this.nsPerByte = 8e9 / linkBps;
  }

  /** Wire time of a frame of `length` bytes without FCS, preamble and IFG included (ns). */
  wireTimeNs(length: number): number {
    return (length + FCS_BYTES + PREAMBLE_BYTES + IFG_BYTES) * this.nsPerByte;
  }

  // ---------------------------------------------------------------- host Tx direction

  frameFromNic(frame: Uint8Array, offset: number, length: number, sfd: Float64Array, txQueue: number): void {
    const c = this.counters;
    c.fromNicFrames++;
    c.fromNicBytes += length;
    this.framesByTxQueue[txQueue & 7]++;
    if (this.tap !== null) this.tap.tx(frame, offset, length, sfd[0]);
    if (this.fastSink && !this.verify && this.sinkPlain(frame, offset, length)) return;
    const p = this.parsed;
    switch (classifyForEndpoint(frame, offset, length, p, this.mac, this.ip, this.verify)) {
      case LOCAL_INVALID:
        c.invalid++;
        return;
      case LOCAL_BAD_CHECKSUM:
        c.badChecksum++;
        return;
      case LOCAL_ARP:
        this.arpFromHost(p);
        return;
      case LOCAL_ECHO_REQUEST:
        c.echoRequests++;
        this.queueEchoReply(frame, offset, length);
        return;
      case LOCAL_ECHO_REPLY:
        c.echoRepliesIn++;
        return;
      case LOCAL_DATAGRAM:
        break;
      default:
        c.notForUs++;
        return;
    }
    c.sunkFrames++;
    c.sunkBytes += length;
    this.sinkPackets[p.dstPort]++;
    this.sinkBytes[p.dstPort] += length;
    this.sinkPacketsBySrcPort[p.srcPort]++;
    this.sinkBytesBySrcPort[p.srcPort] += length;
  }

  /**
   * The fixed-offset sink: a plain UDP/TCP frame to our MAC/IP (`PlainDatagramMatcher`, the
   * frames the full parse without checksum verification calls LOCAL_DATAGRAM) is counted
   * here by its ports; anything else returns false and takes the full parse.
   */
  private sinkPlain(b: Uint8Array, o: number, length: number): boolean {
    const l4 = this.plain.l4Of(b, o, length);
    if (l4 < 0) return false;
    const srcPort = (b[l4] << 8) | b[l4 + 1];
    const dstPort = (b[l4 + 2] << 8) | b[l4 + 3];
    const c = this.counters;
    c.sunkFrames++;
    c.sunkBytes += length;
    this.sinkPackets[dstPort]++;
    this.sinkBytes[dstPort] += length;
    this.sinkPacketsBySrcPort[srcPort]++;
    this.sinkBytesBySrcPort[srcPort] += length;
    return true;
  }

  /** ARP from the host: answer requests for our IP and learn the host from it. */
  private arpFromHost(p: ParsedFrame): void {
    const c = this.counters;
    if (p.arpTargetIp !== this.ip) {
      c.notForUs++;
      return;
    }
    const learned = this.hostMac < 0;
    this.hostMac = p.arpSenderMac;
    this.hostIp = p.arpSenderIp;
    if (p.arpOp === ARP_OP_REQUEST) {
      c.arpRequests++;
      this.queueArpReply(p.arpSenderMac, p.arpSenderIp);
    } else if (p.arpOp === ARP_OP_REPLY) c.arpRepliesIn++;
    if (learned) this.kick();
  }

  private replySlot(): number {
    if (this.replyCount === this.replyLen.length) {
      this.counters.replyDrops++;
      return -1;
    }
    return (this.replyHead + this.replyCount) % this.replyLen.length;
  }

  private commitReply(slot: number, length: number): void {
    this.replyLen[slot] = length;
    this.replyDue[slot] = this.scheduler.now;
    this.replyCount++;
    this.kick();
  }

  private queueArpReply(toMac: number, toIp: number): void {
    const slot = this.replySlot();
    if (slot < 0) return;
    this.counters.arpReplies++;
    const reply = {
      dstMac: toMac,
      srcMac: this.mac,
      op: ARP_OP_REPLY,
      senderMac: this.mac,
      senderIp: this.ip,
      targetMac: toMac,
      targetIp: toIp,
    };
    this.commitReply(slot, buildArpFrame(this.replyBuf, slot * SLOT_BYTES, reply));
  }

  private queueEchoReply(frame: Uint8Array, offset: number, length: number): void {
    if (length > SLOT_BYTES) return;
    const slot = this.replySlot();
    if (slot < 0) return;
    this.counters.echoReplies++;
    this.commitReply(
      slot,
      writeEchoReply(this.replyBuf, slot * SLOT_BYTES, frame, offset, length, this.parsed, this.mac, this.ip),
    );
  }

  /** Sends an ARP request for `targetIp` (default: the host's IP) toward the NIC. */
  arpForHost(targetIp: number = this.hostIp): boolean {
    const slot = this.replySlot();
    if (slot < 0 || targetIp < 0) return false;
    const request = {
      dstMac: MAC_BROADCAST,
      srcMac: this.mac,
      op: ARP_OP_REQUEST,
      senderMac: this.mac,
      senderIp: this.ip,
      targetMac: 0,
      targetIp,
    };
    this.commitReply(slot, buildArpFrame(this.replyBuf, slot * SLOT_BYTES, request));
    return true;
  }

  /** Sends one ICMP echo request to the host (needs its MAC and IP); `dataBytes` of payload. */
  pingHost(id: number, seq: number, dataBytes = 56): boolean {
    if (this.hostMac < 0 || this.hostIp < 0) return false;
    const slot = this.replySlot();
    if (slot < 0) return false;
    const request = {
      dstMac: this.hostMac,
      srcMac: this.mac,
      srcIp: this.ip,
      dstIp: this.hostIp,
      ipId: seq,
      type: ICMP_ECHO_REQUEST,
      id,
      seq,
      payloadLength: dataBytes,
    };
    this.commitReply(slot, buildIcmpEchoFrame(this.replyBuf, slot * SLOT_BYTES, request));
    return true;
  }

  // ---------------------------------------------------------------- sourced flows

  startFlow(spec: RxFlowSpec): number {
    if (!(spec.rateBps > 0) || !(spec.packetBytes > 0))
      throw new RangeError('LinkPartner: flow rate and size must be > 0');
    const flow: Flow = {
      spec,
      template: null,
      intervalNs: (spec.packetBytes * 8e9) / spec.rateBps,
      nextDue: this.scheduler.now,
      active: true,
      ipId: (spec.dstPort * 31) & 0xffff,
      seq: 1,
      frames: 0,
      bytes: 0,
    };
    this.flows.push(flow);
    this.kick();
    return this.flows.length - 1;
  }

  stopFlow(flowId: number): void {
    const f = this.flows[flowId];
    if (f !== undefined) f.active = false;
    // A wake armed for a flow that no longer sends would outlive it: re-plan from scratch.
    if (this.wakeEvent !== NO_EVENT && !this.busy) {
      this.scheduler.cancel(this.wakeEvent);
      this.wakeEvent = NO_EVENT;
      this.kick();
    }
  }

  /** Frames and bytes a flow has sent so far. */
  flowStats(flowId: number): { frames: number; bytes: number; active: boolean } {
    const f = this.flows[flowId];
    if (f === undefined) throw new RangeError(`LinkPartner: no flow ${flowId}`);
    return { frames: f.frames, bytes: f.bytes, active: f.active };
  }

  private templateFor(f: Flow): FlowTemplate {
    if (f.template === null) {
      const s = f.spec;
      f.template = buildFlowTemplate({
        srcMac: this.mac,
        dstMac: this.hostMac,
        vlanPcp: s.vlanPcp,
        srcIp: this.ip,
        dstIp: this.hostIp,
        protocol: s.protocol,
        srcPort: s.srcPort,
        dstPort: s.dstPort,
        frameLength: s.packetBytes,
        dscp: s.dscp,
        tcpIsn: (s.dstPort * 2654435761) >>> 0,
      });
    }
    return f.template;
  }

  // ---------------------------------------------------------------- serializer

  /** Earliest-due sendable flow index, or KIND_NONE. */
  private nextFlow(): number {
    if (this.hostMac < 0 || this.hostIp < 0) return KIND_NONE;
    let best = KIND_NONE;
    let due = Infinity;
    const flows = this.flows;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      if (f.active && f.nextDue < due) {
        due = f.nextDue;
        best = i;
      }
    }
    return best;
  }

  private kick(): void {
    if (!this.busy) this.startNext(this.scheduler.now);
  }

  private startNext(now: number): void {
    const at = this.beginFrame(now);
    if (at >= 0) this.scheduler.schedule(at, this.deliverHandler, 0);
    else if (at === WAIT) this.armWake(this.waitUntil);
  }

  /** Idle until `start` (the next frame is due, or the wire frees); one pending wake at a time. */
  private armWake(start: number): void {
    if (this.wakeEvent !== NO_EVENT) {
      if (this.wakeAt <= start) return;
      this.scheduler.cancel(this.wakeEvent);
    }
    this.wakeAt = start;
    this.wakeEvent = this.scheduler.schedule(start, this.wakeHandler, 0);
  }

  /**
   * Puts the next due frame on the wire now and returns when its last FCS bit arrives (its
   * delivery); WAIT when the next frame can only start at `waitUntil`; -1 when none is due.
   */
  private beginFrame(now: number): number {
    const fi = this.nextFlow();
    const flowDue = fi === KIND_NONE ? Infinity : this.flows[fi].nextDue;
    const replyDue = this.replyCount > 0 ? this.replyDue[this.replyHead] : Infinity;
    const pick = flowDue <= replyDue ? fi : this.replyCount > 0 ? KIND_REPLY : KIND_NONE;
    if (pick === KIND_NONE) return -1;
    const due = pick === KIND_REPLY ? replyDue : flowDue;
    const earliest = now > this.txFreeAt ? now : this.txFreeAt;
    const start = due > earliest ? due : earliest;
    if (start > now) {
      this.waitUntil = start;
      return WAIT;
    }
    if (this.wakeEvent !== NO_EVENT) {
      this.scheduler.cancel(this.wakeEvent);
      this.wakeEvent = NO_EVENT;
    }
    let len: number;
    if (pick === KIND_REPLY) {
      const slot = this.replyHead;
      len = this.replyLen[slot];
      this.txBuf.set(this.replyBuf.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + len), 0);
      this.txBufTemplate = null;
      this.replyHead = (slot + 1) % this.replyLen.length;
      this.replyCount--;
    } else {
      const f = this.flows[pick];
      const tpl = this.templateFor(f);
      len =
        this.txBufTemplate === tpl
          ? patchPacket(tpl, this.txBuf, 0, f.ipId, f.seq)
          : stampPacket(tpl, this.txBuf, 0, f.ipId, f.seq);
      this.txBufTemplate = this.fastSink ? tpl : null;
      f.ipId = (f.ipId + 1) & 0xffff;
      f.seq = (f.seq + tpl.payloadLength) >>> 0;
      f.frames++;
      f.bytes += len;
      // Pace at the flow's rate; a flow that fell behind (link busy) does not build up debt.
      const next = f.nextDue + f.intervalNs;
      f.nextDue = next > now ? next : now;
      this.counters.flowFrames++;
    }
    this.txLen = len;
    this.txStart = now;
    this.busy = true;
    this.txFreeAt = now + this.wireTimeNs(len);
    // Last FCS bit arrives after preamble + frame + FCS; the IFG follows.
    return now + (PREAMBLE_BYTES + len + FCS_BYTES) * this.nsPerByte;
  }

  private readonly wakeHandler: EventHandler = {
    onEvent: () => {
      this.wakeEvent = NO_EVENT;
      this.wakeAt = Infinity;
      if (!this.busy) this.startNext(this.scheduler.now);
    },
  };

  /**
   * Delivers the frame on the wire and starts the next. While the next frame's delivery comes
   * before any other event, it is delivered in the same call (`scheduler.runAhead`, as the
   * NIC's Tx engine does) instead of through one event per frame: the same order, times and
   * bytes, since nothing else could run in between.
   */
  private readonly deliverHandler: EventHandler = {
    onEvent: () => {
      const sched = this.scheduler;
      while (true) {
        const len = this.txLen;
        const c = this.counters;
        c.toNicFrames++;
        c.toNicBytes += len;
        if (this.tap !== null)
          this.tap.rx(this.txBuf, 0, len, this.txStart + PREAMBLE_BYTES * this.nsPerByte);
        this.busy = false;
        this.nic.receiveFromWire(this.txBuf, 0, len);
        if (this.busy) return;
        let at = this.beginFrame(sched.now);
        // An idle gap before the next frame is crossed at once too, while nothing else falls in it.
        while (at === WAIT && this.runAhead && this.wakeEvent === NO_EVENT) {
          sched.runAheadTarget = this.waitUntil;
          if (!sched.runAhead()) break;
          at = this.beginFrame(sched.now);
        }
        if (at === WAIT) {
          this.armWake(this.waitUntil);
          return;
        }
        if (at < 0) return;
        if (this.runAhead) {
          sched.runAheadTarget = at;
          if (sched.runAhead()) continue;
        }
        sched.schedule(at, this.deliverHandler, 0);
        return;
      }
    },
  };
}
