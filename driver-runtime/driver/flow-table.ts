/**
 * The driver's flow table: IPv4 5-tuple → accounting slot, pushed by the app through the user
 * client from what the OS's flow observer reports (a real dext sees packet bytes and a service
 * class, never an app). Open addressing with linear probing over typed arrays: a lookup reads
 * a few header bytes at fixed offsets, hashes, probes — O(1), nothing allocated.
 *
 * Bounded: at most `maxEntries` flows (half the buckets, so probes stay short); when full an
 * insert evicts the least recently seen of the entries on its probe path (approximate LRU,
 * bounded work). Lookups that find nothing are misses: the packet falls back to its service
 * class. The first miss of a tuple is remembered briefly, so when its entry arrives the table
 * can say how long the flow ran unclassified (the "unknown-flow window").
 */
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const EMPTY = 0;
const USED = 1;
const DELETED = 2;
/** Entries an eviction considers (OURS). */
const EVICTION_WINDOW = 16;
/** Recent-miss memory (OURS): a small direct-mapped table of first-miss times. */
const MISS_SLOTS = 512;
/** A remembered miss older than this is forgotten (OURS: 10 s of virtual time). */
const MISS_MEMORY_NS = 10e9;

export const NOT_A_FLOW = -1;

export class FlowTable {
  readonly maxEntries: number;
  private readonly mask: number;
  private readonly state: Uint8Array;
  private readonly proto: Uint8Array;
  private readonly localIp: Uint32Array;
  private readonly remoteIp: Uint32Array;
  private readonly localPort: Uint16Array;
  private readonly remotePort: Uint16Array;
  readonly slot: Uint16Array;
  readonly flowId: Uint32Array;
  readonly packets: Float64Array;
  readonly bytes: Float64Array;
  readonly lastSeenNs: Float64Array;
  private readonly missHash: Int32Array;
  private readonly missAt: Float64Array;
  count = 0;
  private deleted = 0;
  // Counters (control path reads them).
  hits = 0;
  misses = 0;
  evictions = 0;
  missWindows = 0;
  missWindowSumNs = 0;
  missWindowMaxNs = 0;
  // The tuple of the last `parse` (fields, so the hot path passes no objects).
  private kProto = 0;
  private kLocalIp = 0;
  private kRemoteIp = 0;
  private kLocalPort = 0;
  private kRemotePort = 0;
  /** Offsets from the frame start of the last `parse`'s IP and L4 headers. */
  private kL3 = 0;
  private kL4 = 0;
  // The last frame `slotForTxRun` found (its buffer offset, or -1), its bucket and offsets.
  private runOffset = -1;
  private runBucket = 0;
  private runL3 = 0;
  private runL4 = 0;
  private runMinLength = 0;
  // The same for `slotForRxRun` (its answer, hit or miss, in `rxRunSlot`).
  private rxRunOffset = -1;
  private rxRunSlot = 0;
  private rxRunL3 = 0;
  private rxRunL4 = 0;
  private rxRunMinLength = 0;

  constructor(maxEntries: number) {
    let buckets = 16;
    while (buckets < maxEntries * 2) buckets <<= 1;
    this.maxEntries = maxEntries;
    this.mask = buckets - 1;
    this.state = new Uint8Array(buckets);
    this.proto = new Uint8Array(buckets);
    this.localIp = new Uint32Array(buckets);
    this.remoteIp = new Uint32Array(buckets);
    this.localPort = new Uint16Array(buckets);
    this.remotePort = new Uint16Array(buckets);
    this.slot = new Uint16Array(buckets);
    this.flowId = new Uint32Array(buckets);
    this.packets = new Float64Array(buckets);
    this.bytes = new Float64Array(buckets);
    this.lastSeenNs = new Float64Array(buckets);
    this.missHash = new Int32Array(MISS_SLOTS).fill(-1);
    this.missAt = new Float64Array(MISS_SLOTS);
  }

  get buckets(): number {
    return this.mask + 1;
  }

  // ---------------------------------------------------------------- data path

  /**
   * The slot of a Tx frame's flow (source = local), counting the packet on its entry; 0 when
   * the flow is unknown (a miss, remembered for the window) or the frame is not a flow.
   */
  slotForTx(u8: Uint8Array, offset: number, length: number, nowNs: number): number {
    if (!this.parse(u8, offset, length, true)) return 0;
    const i = this.find();
    return i < 0 ? this.miss(nowNs) : this.hit(i, length, nowNs);
  }

  /**
   * `slotForTx` for a run of frames (the driver's drain): a frame whose 5-tuple bytes equal
   * those of the last frame this found — same EtherType, IP version/IHL, fragment field,
   * protocol, addresses and ports, and long enough for the same parse — is counted on that
   * entry without parsing, hashing or probing again. Same result and counters as `slotForTx`
   * (only a hit is remembered, so a miss is always parsed and remembered as one). Valid while
   * the table and the remembered frame's bytes do not change: call `forgetRun` before each
   * drain. `u16` is the same memory as `u8` by 16-bit words (both from offset 0): frames at
   * even offsets are compared a word at a time.
   */
  slotForTxRun(u8: Uint8Array, u16: Uint16Array, offset: number, length: number, nowNs: number): number {
    const prev = this.runOffset;
    if (
      prev >= 0 &&
      length >= this.runMinLength &&
      this.sameRun(u8, u16, prev, offset, this.runL3, this.runL4)
    )
      return this.hit(this.runBucket, length, nowNs);
    this.runOffset = -1;
    if (!this.parse(u8, offset, length, true)) return 0;
    const i = this.find();
    if (i < 0) return this.miss(nowNs);
    if (this.kProto !== IPPROTO_ICMP) {
      this.runOffset = offset;
      this.runBucket = i;
      this.runL3 = this.kL3;
      this.runL4 = this.kL4;
      this.runMinLength = this.kL4 + 4;
    }
    return this.hit(i, length, nowNs);
  }

  /** Counts a Tx packet on entry `i`; its slot. */
  private hit(i: number, length: number, nowNs: number): number {
    this.hits++;
    this.packets[i]++;
    this.bytes[i] += length;
    this.lastSeenNs[i] = nowNs;
    return this.slot[i];
  }

  /** Counts a Tx packet of an unknown flow and remembers its first miss; slot 0. */
  private miss(nowNs: number): number {
    this.misses++;
    this.rememberMiss(nowNs);
    return 0;
  }

  /** Whether the frame at `b` has the tuple bytes of the remembered frame at `a` (l3/l4 offsets of it). */
  private sameRun(u8: Uint8Array, u16: Uint16Array, a: number, b: number, l3: number, l4: number): boolean {
    return ((a | b) & 1) === 0
      ? this.sameTupleWords(u16, a >>> 1, b >>> 1, l3, l4)
      : this.sameTuple(u8, a, b, l3, l4);
  }

  /** Forgets the frame `slotForTxRun` remembered (the table or the buffers may change next). */
  forgetRun(): void {
    this.runOffset = -1;
  }

  /** The bytes `parse` reads for a TCP/UDP frame, at the remembered frame's offsets (`a`) and `b`. */
  private sameTuple(u8: Uint8Array, a: number, b: number, l3: number, l4: number): boolean {
    // EtherType (and, tagged — the IP header at 18 — the TCI and the inner EtherType).
    let d = (u8[a + 12] ^ u8[b + 12]) | (u8[a + 13] ^ u8[b + 13]);
    if (l3 !== 14)
      d |=
        (u8[a + 14] ^ u8[b + 14]) |
        (u8[a + 15] ^ u8[b + 15]) |
        (u8[a + 16] ^ u8[b + 16]) |
        (u8[a + 17] ^ u8[b + 17]);
    const a3 = a + l3;
    const b3 = b + l3;
    // Version/IHL, flags/fragment offset, protocol, source and destination address.
    d |=
      (u8[a3] ^ u8[b3]) |
      (u8[a3 + 6] ^ u8[b3 + 6]) |
      (u8[a3 + 7] ^ u8[b3 + 7]) |
      (u8[a3 + 9] ^ u8[b3 + 9]) |
      (u8[a3 + 12] ^ u8[b3 + 12]) |
      (u8[a3 + 13] ^ u8[b3 + 13]) |
      (u8[a3 + 14] ^ u8[b3 + 14]) |
      (u8[a3 + 15] ^ u8[b3 + 15]) |
      (u8[a3 + 16] ^ u8[b3 + 16]) |
      (u8[a3 + 17] ^ u8[b3 + 17]) |
      (u8[a3 + 18] ^ u8[b3 + 18]) |
      (u8[a3 + 19] ^ u8[b3 + 19]);
    const a4 = a + l4;
    const b4 = b + l4;
    // Ports.
    d |=
      (u8[a4] ^ u8[b4]) | (u8[a4 + 1] ^ u8[b4 + 1]) | (u8[a4 + 2] ^ u8[b4 + 2]) | (u8[a4 + 3] ^ u8[b4 + 3]);
    return d === 0;
  }

  /**
   * `sameTuple` by 16-bit words, for two frames at even offsets (`a`, `b` in words): the same
   * words, so half the loads. Whole words are compared where `parse` reads one byte of them
   * (the TOS beside version/IHL, the TTL beside the protocol): stricter, never looser — a
   * frame that differs there only takes the full parse, which gives it the same slot.
   */
  private sameTupleWords(u16: Uint16Array, a: number, b: number, l3Bytes: number, l4Bytes: number): boolean {
    const l3 = l3Bytes >>> 1;
    let d = u16[a + 6] ^ u16[b + 6];
    if (l3 !== 7) d |= (u16[a + 7] ^ u16[b + 7]) | (u16[a + 8] ^ u16[b + 8]);
    const a3 = a + l3;
    const b3 = b + l3;
    d |=
      (u16[a3] ^ u16[b3]) |
      (u16[a3 + 3] ^ u16[b3 + 3]) |
      (u16[a3 + 4] ^ u16[b3 + 4]) |
      (u16[a3 + 6] ^ u16[b3 + 6]) |
      (u16[a3 + 7] ^ u16[b3 + 7]) |
      (u16[a3 + 8] ^ u16[b3 + 8]) |
      (u16[a3 + 9] ^ u16[b3 + 9]);
    const l4 = l4Bytes >>> 1;
    d |= (u16[a + l4] ^ u16[b + l4]) | (u16[a + l4 + 1] ^ u16[b + l4 + 1]);
    return d === 0;
  }

  /** The slot of a Tx frame's flow without counting anything (control path); 0 when unknown. */
  peekSlotForTx(u8: Uint8Array, offset: number, length: number): number {
    if (!this.parse(u8, offset, length, true)) return 0;
    const i = this.find();
    return i < 0 ? 0 : this.slot[i];
  }

  /** The slot of an Rx frame's flow (destination = local); 0 when unknown. Not a miss: Rx cannot be steered. */
  slotForRx(u8: Uint8Array, offset: number, length: number): number {
    if (!this.parse(u8, offset, length, false)) return 0;
    const i = this.find();
    return i < 0 ? 0 : this.slot[i];
  }

  /**
   * `slotForRx` for a batch of received frames (the driver's Rx clean): a TCP or UDP frame
   * whose tuple bytes equal those of the last one looked up gets that one's answer without a
   * parse, hash or probe — the same answer, as Rx lookups count nothing. `u16` is `u8` by
   * 16-bit words. Valid while the table and the remembered frame's bytes do not change: call
   * `forgetRxRun` before each batch.
   */
  slotForRxRun(u8: Uint8Array, u16: Uint16Array, offset: number, length: number): number {
    const prev = this.rxRunOffset;
    if (
      prev >= 0 &&
      length >= this.rxRunMinLength &&
      this.sameRun(u8, u16, prev, offset, this.rxRunL3, this.rxRunL4)
    )
      return this.rxRunSlot;
    this.rxRunOffset = -1;
    if (!this.parse(u8, offset, length, false)) return 0;
    const i = this.find();
    const slot = i < 0 ? 0 : this.slot[i];
    if (this.kProto !== IPPROTO_ICMP) {
      this.rxRunOffset = offset;
      this.rxRunSlot = slot;
      this.rxRunL3 = this.kL3;
      this.rxRunL4 = this.kL4;
      this.rxRunMinLength = this.kL4 + 4;
    }
    return slot;
  }

  /** Forgets the frame `slotForRxRun` remembered. */
  forgetRxRun(): void {
    this.rxRunOffset = -1;
  }

  /**
   * Reads the frame's IPv4 5-tuple into the key fields; false when it is not IPv4 TCP, UDP or
   * ICMP echo, or too short. For ICMP echo the echo id stands in as the local port.
   */
  private parse(u8: Uint8Array, offset: number, length: number, tx: boolean): boolean {
    let l3 = offset + 14;
    let etherType = (u8[offset + 12] << 8) | u8[offset + 13];
    if (etherType === ETHERTYPE_VLAN) {
      etherType = (u8[offset + 16] << 8) | u8[offset + 17];
      l3 += 4;
    }
    const end = offset + length;
    if (etherType !== ETHERTYPE_IPV4 || l3 + 20 > end) return false;
    const proto = u8[l3 + 9];
    const src = ((u8[l3 + 12] << 24) | (u8[l3 + 13] << 16) | (u8[l3 + 14] << 8) | u8[l3 + 15]) >>> 0;
    const dst = ((u8[l3 + 16] << 24) | (u8[l3 + 17] << 16) | (u8[l3 + 18] << 8) | u8[l3 + 19]) >>> 0;
    // Not IPv4, or a header shorter than RFC 791's 20 bytes: the "ports" would come from inside it.
    const ihl = u8[l3] & 0x0f;
    if (u8[l3] >> 4 !== 4 || ihl < 5) return false;
    const l4 = l3 + ihl * 4;
    // Only the first fragment carries the L4 header.
    const firstFragment = ((u8[l3 + 6] & 0x1f) | u8[l3 + 7]) === 0;
    let sport = 0;
    let dport = 0;
    if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) {
      if (!firstFragment || l4 + 4 > end) return false;
      sport = (u8[l4] << 8) | u8[l4 + 1];
      dport = (u8[l4 + 2] << 8) | u8[l4 + 3];
    } else if (proto === IPPROTO_ICMP) {
      if (!firstFragment || l4 + 8 > end) return false;
      const type = u8[l4];
      if (type !== ICMP_ECHO_REQUEST && type !== ICMP_ECHO_REPLY) return false;
      sport = dport = (u8[l4 + 4] << 8) | u8[l4 + 5];
    } else return false;
    this.kProto = proto;
    this.kLocalIp = tx ? src : dst;
    this.kRemoteIp = tx ? dst : src;
    this.kLocalPort = tx ? sport : dport;
    this.kRemotePort = proto === IPPROTO_ICMP ? 0 : tx ? dport : sport;
    this.kL3 = l3 - offset;
    this.kL4 = l4 - offset;
    return true;
  }

  private hash(): number {
    let h = Math.imul(this.kLocalIp ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ this.kRemoteIp ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ ((this.kLocalPort << 16) | this.kRemotePort) ^ (h >>> 16), 0x27d4eb2f);
    h = Math.imul(h ^ this.kProto ^ (h >>> 15), 0x165667b1);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** The bucket holding the key fields' tuple, or -1. */
  private find(): number {
    const mask = this.mask;
    let i = this.hash() & mask;
    for (let probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
      const s = this.state[i];
      if (s === EMPTY) return -1;
      if (s === USED && this.matches(i)) return i;
    }
    return -1;
  }

  private matches(i: number): boolean {
    return (
      this.localPort[i] === this.kLocalPort &&
      this.remotePort[i] === this.kRemotePort &&
      this.localIp[i] === this.kLocalIp &&
      this.remoteIp[i] === this.kRemoteIp &&
      this.proto[i] === this.kProto
    );
  }

  private rememberMiss(nowNs: number): void {
    const h = this.hash() & 0x7fffffff;
    const m = h & (MISS_SLOTS - 1);
    if (this.missHash[m] !== h || nowNs - this.missAt[m] > MISS_MEMORY_NS) {
      this.missHash[m] = h;
      this.missAt[m] = nowNs;
    }
  }

  // ---------------------------------------------------------------- control path

  private key(proto: number, localIp: number, remoteIp: number, localPort: number, remotePort: number): void {
    this.kProto = proto;
    this.kLocalIp = localIp >>> 0;
    this.kRemoteIp = remoteIp >>> 0;
    this.kLocalPort = localPort;
    this.kRemotePort = proto === IPPROTO_ICMP ? 0 : remotePort;
  }

  /** Inserts or updates a flow; evicts the least recently seen nearby entry when full. */
  upsert(
    proto: number,
    localIp: number,
    remoteIp: number,
    localPort: number,
    remotePort: number,
    slot: number,
    flowId: number,
    nowNs: number,
  ): void {
    this.key(proto, localIp, remoteIp, localPort, remotePort);
    let i = this.find();
    if (i < 0) {
      if (this.count >= this.maxEntries) this.evictNear(this.hash() & this.mask);
      if (this.deleted > this.mask >>> 2) {
        this.rehash();
        this.key(proto, localIp, remoteIp, localPort, remotePort);
      }
      i = this.freeBucket();
      if (this.state[i] === DELETED) this.deleted--;
      this.state[i] = USED;
      this.proto[i] = this.kProto;
      this.localIp[i] = this.kLocalIp;
      this.remoteIp[i] = this.kRemoteIp;
      this.localPort[i] = this.kLocalPort;
      this.remotePort[i] = this.kRemotePort;
      this.packets[i] = 0;
      this.bytes[i] = 0;
      this.count++;
      this.closeMissWindow(nowNs);
    }
    this.slot[i] = slot;
    this.flowId[i] = flowId >>> 0;
    this.lastSeenNs[i] = nowNs;
  }

  /** Removes a flow; false if it was not there. */
  remove(proto: number, localIp: number, remoteIp: number, localPort: number, remotePort: number): boolean {
    this.key(proto, localIp, remoteIp, localPort, remotePort);
    const i = this.find();
    if (i < 0) return false;
    this.state[i] = DELETED;
    this.count--;
    this.deleted++;
    return true;
  }

  clear(): void {
    this.state.fill(EMPTY);
    this.count = 0;
    this.deleted = 0;
  }

  /** Visits every flow (control path: GetFlows, explain). */
  forEach(visit: (bucket: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.state[i] === USED) visit(i);
  }

  tupleOf(i: number): {
    proto: number;
    localIp: number;
    remoteIp: number;
    localPort: number;
    remotePort: number;
  } {
    return {
      proto: this.proto[i],
      localIp: this.localIp[i],
      remoteIp: this.remoteIp[i],
      localPort: this.localPort[i],
      remotePort: this.remotePort[i],
    };
  }

  /** The entry a frame would hit (control path: explain), or -1. */
  bucketForTx(u8: Uint8Array, offset: number, length: number): number {
    return this.parse(u8, offset, length, true) ? this.find() : NOT_A_FLOW;
  }

  /** The entry for a described tuple (control path: explain), or -1. */
  bucketFor(proto: number, localIp: number, remoteIp: number, localPort: number, remotePort: number): number {
    this.key(proto, localIp, remoteIp, localPort, remotePort);
    return this.find();
  }

  private freeBucket(): number {
    const mask = this.mask;
    let i = this.hash() & mask;
    while (this.state[i] === USED) i = (i + 1) & mask;
    return i;
  }

  private evictNear(start: number): void {
    const mask = this.mask;
    let victim = -1;
    let seen = 0;
    for (let i = start, probes = 0; probes <= mask && seen < EVICTION_WINDOW; probes++, i = (i + 1) & mask) {
      if (this.state[i] !== USED) continue;
      seen++;
      if (victim < 0 || this.lastSeenNs[i] < this.lastSeenNs[victim]) victim = i;
    }
    if (victim < 0) return;
    this.state[victim] = DELETED;
    this.count--;
    this.deleted++;
    this.evictions++;
  }

  /** Rebuilds the buckets without tombstones (control path, when they pile up). */
  private rehash(): void {
    const entries: number[] = [];
    this.forEach((i) => entries.push(i));
    const saved = entries.map((i) => ({
      ...this.tupleOf(i),
      slot: this.slot[i],
      flowId: this.flowId[i],
      packets: this.packets[i],
      bytes: this.bytes[i],
      lastSeen: this.lastSeenNs[i],
    }));
    this.clear();
    for (const e of saved) {
      this.key(e.proto, e.localIp, e.remoteIp, e.localPort, e.remotePort);
      const i = this.freeBucket();
      this.state[i] = USED;
      this.proto[i] = e.proto;
      this.localIp[i] = e.localIp;
      this.remoteIp[i] = e.remoteIp;
      this.localPort[i] = e.localPort;
      this.remotePort[i] = e.remotePort;
      this.slot[i] = e.slot;
      this.flowId[i] = e.flowId;
      this.packets[i] = e.packets;
      this.bytes[i] = e.bytes;
      this.lastSeenNs[i] = e.lastSeen;
      this.count++;
    }
  }

  /** The new entry's tuple missed before: record how long it ran unclassified. */
  private closeMissWindow(nowNs: number): void {
    const h = this.hash() & 0x7fffffff;
    const m = h & (MISS_SLOTS - 1);
    if (this.missHash[m] !== h) return;
    this.missHash[m] = -1;
    const window = nowNs - this.missAt[m];
    if (window < 0 || window > MISS_MEMORY_NS) return;
    this.missWindows++;
    this.missWindowSumNs += window;
    if (window > this.missWindowMaxNs) this.missWindowMaxNs = window;
  }
}
