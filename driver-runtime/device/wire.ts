/**
 * The Ethernet side of the device: whoever is on the other end of the cable (a loopback,
 * a switch model, a capture writer) implements WirePeer.
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
