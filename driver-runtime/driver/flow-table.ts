const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const NO_APP = 0;

/**
 * Which app owns a local UDP/TCP port, learned from the app's own Tx packets (the stack
 * stamps every Tx packet with its app id), so received frames can be charged to the app
 * they are for — the way per-app monitors attribute traffic by socket. One Uint16Array
 * indexed by port; a lookup reads a few header bytes at fixed offsets, allocation-free.
 */
export class FlowTable {
  private readonly appByPort = new Uint16Array(65536);

  /** Remembers `app` as the owner of the Tx frame's source port. */
  learnTx(u8: Uint8Array, offset: number, length: number, app: number): void {
    const port = l4Port(u8, offset, length, 0);
    if (port >= 0) this.appByPort[port] = app;
  }

  /** The app that owns the Rx frame's destination port (0 = unknown / system). */
  appForRx(u8: Uint8Array, offset: number, length: number): number {
    const port = l4Port(u8, offset, length, 2);
    return port >= 0 ? this.appByPort[port] : NO_APP;
  }

  clear(): void {
    this.appByPort.fill(0);
  }
}

/** The UDP/TCP port at `which` (0 = source, 2 = destination) of an IPv4 frame, or -1. */
function l4Port(u8: Uint8Array, offset: number, length: number, which: number): number {
  let l3 = offset + 14;
  let etherType = (u8[offset + 12] << 8) | u8[offset + 13];
  if (etherType === ETHERTYPE_VLAN) {
    etherType = (u8[offset + 16] << 8) | u8[offset + 17];
    l3 += 4;
  }
  if (etherType !== ETHERTYPE_IPV4 || l3 + 20 > offset + length) return -1;
  const proto = u8[l3 + 9];
  if (proto !== IPPROTO_UDP && proto !== IPPROTO_TCP) return -1;
  // Only the first fragment carries the ports.
  if (((u8[l3 + 6] & 0x1f) | u8[l3 + 7]) !== 0) return -1;
  const l4 = l3 + (u8[l3] & 0x0f) * 4;
  if (l4 + 4 > offset + length) return -1;
  return (u8[l4 + which] << 8) | u8[l4 + which + 1];
}
