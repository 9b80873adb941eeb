import {
  kIOReturnBadArgument,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../kit/io-return.ts';
import { IOService } from '../kit/io-service.ts';
import type { Out } from '../kit/os-object.ts';
import { kIOUserNetworkLinkStatusInvalid, kIOUserNetworkMediaEthernetNone } from './constants.ts';
import type { IOUserNetworkPacketBufferPool } from './packet-buffer-pool.ts';
import {
  IOUserNetworkPacketQueue,
  IOUserNetworkRxCompletionQueue,
  IOUserNetworkRxSubmissionQueue,
  IOUserNetworkTxCompletionQueue,
  IOUserNetworkTxSubmissionQueue,
} from './packet-queue.ts';

/** The four queues of a registered interface, by role. */
export interface RegisteredQueues {
  txSubmission: IOUserNetworkTxSubmissionQueue;
  txCompletion: IOUserNetworkTxCompletionQueue;
  rxSubmission: IOUserNetworkRxSubmissionQueue;
  rxCompletion: IOUserNetworkRxCompletionQueue;
}

/** What the system (the stack, ifconfig, the host) learns from an interface. */
export interface EthernetInterfaceListener {
  interfaceRegistered(iface: IOUserNetworkEthernet): void;
  linkStatusChanged(iface: IOUserNetworkEthernet, status: number, media: number): void;
  interfaceUnregistered(iface: IOUserNetworkEthernet): void;
}

/**
 * IOUserNetworkEthernet (PascalCase generation, DriverKit 19/20). The driver subclasses it
 * and overrides `SetInterfaceEnable`, `GetMaxTransferUnit`, `SetMTU`, promiscuous and
 * multicast; the base records what the driver reports so the system side can read it.
 *
 * OURS: the defaults of the overridable methods return kIOReturnUnsupported (not verified
 * against the framework); a second registration, a MAC that is not 6 bytes and a media count
 * beyond the array give kIOReturnBadArgument; the listener is our system-side hook.
 */
export class IOUserNetworkEthernet extends IOService {
  private registered: RegisteredQueues | null = null;
  private registeredPool: IOUserNetworkPacketBufferPool | null = null;
  private mac = new Uint8Array(6);
  private linkStatus = kIOUserNetworkLinkStatusInvalid;
  private activeMedia = kIOUserNetworkMediaEthernetNone;
  private availableMedia: number[] = [];
  private txHeadroom = 0;
  private txTailroom = 0;
  private bandwidths = { maxIn: 0, maxOut: 0, effectiveIn: 0, effectiveOut: 0 };
  listener: EthernetInterfaceListener | null = null;

  /** RegisterEthernetInterface: exactly four queues, one of each kind, in any order. */
  RegisterEthernetInterface(
    mac: Uint8Array,
    pool: IOUserNetworkPacketBufferPool,
    queues: readonly IOUserNetworkPacketQueue[],
    queueCount: number,
  ): IOReturn {
    if (this.registered !== null || mac.length !== 6 || queueCount !== 4 || queues.length < 4) {
      return kIOReturnBadArgument;
    }
    const byKind = new Map(queues.slice(0, 4).map((q) => [q.kind, q]));
    const txs = byKind.get('TxSubmission');
    const txc = byKind.get('TxCompletion');
    const rxs = byKind.get('RxSubmission');
    const rxc = byKind.get('RxCompletion');
    if (byKind.size !== 4 || !txs || !txc || !rxs || !rxc) return kIOReturnBadArgument;
    for (const q of [txs, txc, rxs, rxc]) q.retain();
    this.registered = {
      txSubmission: txs as IOUserNetworkTxSubmissionQueue,
      txCompletion: txc as IOUserNetworkTxCompletionQueue,
      rxSubmission: rxs as IOUserNetworkRxSubmissionQueue,
      rxCompletion: rxc as IOUserNetworkRxCompletionQueue,
    };
    this.registeredPool = pool.retain();
    this.mac = mac.slice();
    this.listener?.interfaceRegistered(this);
    return kIOReturnSuccess;
  }

  get registeredQueues(): RegisteredQueues | null {
    return this.registered;
  }

  get packetPool(): IOUserNetworkPacketBufferPool | null {
    return this.registeredPool;
  }

  get macAddress(): Uint8Array {
    return this.mac;
  }

  get currentLinkStatus(): { status: number; media: number } {
    return { status: this.linkStatus, media: this.activeMedia };
  }

  get supportedMedia(): readonly number[] {
    return this.availableMedia;
  }

  ReportLinkStatus(status: number, media: number): IOReturn {
    this.linkStatus = status;
    this.activeMedia = media;
    this.listener?.linkStatusChanged(this, status, media);
    return kIOReturnSuccess;
  }

  ReportAvailableMediaTypes(mediaTypes: readonly number[], count: number): IOReturn {
    if (count < 0 || count > mediaTypes.length) return kIOReturnBadArgument;
    this.availableMedia = mediaTypes.slice(0, count);
    return kIOReturnSuccess;
  }

  ReportDataBandwidths(maxIn: number, maxOut: number, effectiveIn: number, effectiveOut: number): IOReturn {
    this.bandwidths = { maxIn, maxOut, effectiveIn, effectiveOut };
    return kIOReturnSuccess;
  }

  get dataBandwidths(): { maxIn: number; maxOut: number; effectiveIn: number; effectiveOut: number } {
    return this.bandwidths;
  }

  SetTxPacketHeadroom(bytes: number): IOReturn {
    this.txHeadroom = bytes;
    return kIOReturnSuccess;
  }

  SetTxPacketTailroom(bytes: number): IOReturn {
    this.txTailroom = bytes;
    return kIOReturnSuccess;
  }

  get txPacketRoom(): { headroom: number; tailroom: number } {
    return { headroom: this.txHeadroom, tailroom: this.txTailroom };
  }

  // ---- overridden by drivers ----

  SetInterfaceEnable(_enable: boolean): IOReturn {
    return kIOReturnUnsupported;
  }

  GetMaxTransferUnit(_mtu: Out<number>): IOReturn {
    return kIOReturnUnsupported;
  }

  SetMTU(_mtu: number): IOReturn {
    return kIOReturnUnsupported;
  }

  SetPromiscuousModeEnable(_enable: boolean): IOReturn {
    return kIOReturnUnsupported;
  }

  SetMulticastAddresses(_addresses: readonly Uint8Array[], _count: number): IOReturn {
    return kIOReturnUnsupported;
  }

  SetAllMulticastModeEnable(_enable: boolean): IOReturn {
    return kIOReturnUnsupported;
  }

  SelectMediaType(_media: number): IOReturn {
    return kIOReturnUnsupported;
  }

  /** Releases what registration retained; drivers call this from Stop (super does). */
  override Stop(provider: IOService | null): IOReturn {
    if (this.registered !== null) {
      this.listener?.interfaceUnregistered(this);
      const q = this.registered;
      for (const queue of [q.txSubmission, q.txCompletion, q.rxSubmission, q.rxCompletion]) queue.release();
      this.registered = null;
      this.registeredPool?.release();
      this.registeredPool = null;
    }
    return super.Stop(provider);
  }
}
