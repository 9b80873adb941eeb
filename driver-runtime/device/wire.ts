/**
 * The Ethernet side of the device: whoever is on the other end of the cable (a loopback,
 * a switch model, a capture writer) implements WirePeer.
 */
export interface WirePeer {
  /**
   * Called synchronously when a frame has finished on the wire (end of its IFG slot).
   * `frame[offset .. offset+length)` is a zero-copy view valid only during the call; `length`
   * excludes the FCS. `sfdTimeNs` is the exact virtual time at which the first byte after the
   * preamble/SFD went out (IEEE 1588 convention; not rounded). `txQueue` is the Tx queue.
   */
  frameFromNic(frame: Uint8Array, offset: number, length: number, sfdTimeNs: number, txQueue: number): void;
}
