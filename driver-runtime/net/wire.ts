/**
 * The cable between the NIC and whoever is at its other end (the link partner, a loopback,
 * a capture writer): the NIC calls `WirePeer.frameFromNic` for every frame it sends; the far
 * end calls `WireReceiver.receiveFromWire` for every frame it sends toward the NIC. Both
 * sides import this contract from net/, never each other.
 */
export interface WirePeer {
  /**
   * Called synchronously when a frame has finished on the wire (end of its IFG slot).
   * `frame[offset .. offset+length)` is a zero-copy view valid only during the call; `length`
   * excludes the FCS. `sfd[0]` is the exact virtual time (ns) at which the first byte after the
   * preamble/SFD went out (IEEE 1588 convention; not rounded) — passed in a cell rather than as
   * a float64 argument, which V8 would box into a new HeapNumber on every frame. `txQueue` is
   * the Tx queue.
   */
  frameFromNic(frame: Uint8Array, offset: number, length: number, sfd: Float64Array, txQueue: number): void;
}

/** What the far end calls to deliver a frame to the NIC, at the time it is fully received. */
export interface WireReceiver {
  receiveFromWire(frame: Uint8Array, offset: number, length: number): void;
}
