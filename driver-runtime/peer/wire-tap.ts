/**
 * Optional capture of both wire directions into one classic pcap (ns timestamps,
 * LINKTYPE_ETHERNET, frames without FCS) using driver-runtime/net's PcapWriter. The link
 * partner calls `tx` for every frame the NIC transmits and `rx` for every frame it sends
 * toward the NIC; with no tap configured the partner skips the calls (one null check).
 */
import { PcapWriter } from '../net/pcap-writer.ts';

export class WireTap {
  readonly pcap: PcapWriter;
  txFrames = 0;
  rxFrames = 0;

  constructor(
    /** Capture host → wire frames. */
    readonly captureTx = true,
    /** Capture wire → host frames. */
    readonly captureRx = true,
    initialBytes = 1 << 20,
  ) {
    this.pcap = new PcapWriter(initialBytes);
  }

  /** A frame the NIC transmitted, stamped with its SFD time. */
  tx(frame: Uint8Array, offset: number, length: number, timeNs: number): void {
    if (!this.captureTx) return;
    this.txFrames++;
    this.pcap.writeAtNs(timeNs, frame, offset, length);
  }

  /** A frame the partner sent toward the NIC, stamped with its SFD time. */
  rx(frame: Uint8Array, offset: number, length: number, timeNs: number): void {
    if (!this.captureRx) return;
    this.rxFrames++;
    this.pcap.writeAtNs(timeNs, frame, offset, length);
  }

  /** The capture file so far (a view: copy it if capture continues). */
  bytes(): Uint8Array {
    return this.pcap.toBytes();
  }
}
