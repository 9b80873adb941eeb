/**
 * NetworkingDriverKit constants. Link status, link quality, media and packet direction carry
 * their real values (IOUserNetworkTypes.h, IOUserNetworkPacket.iig; driverkit.md §4.2). The
 * service classes below are OURS (see there).
 */

export const kIOUserNetworkLinkStatusInvalid = 0x0;
export const kIOUserNetworkLinkStatusInactive = 0x1;
export const kIOUserNetworkLinkStatusActive = 0x3;
export const kIOUserNetworkLinkStatusWakeSameNet = 0x4;

export const kIOUserNetworkLinkQualityOff = -2;
export const kIOUserNetworkLinkQualityUnknown = -1;
export const kIOUserNetworkLinkQualityBad = 10;
export const kIOUserNetworkLinkQualityPoor = 50;
export const kIOUserNetworkLinkQualityGood = 100;

export const kIOUserNetworkMediaOptionFullDuplex = 0x00100000;
export const kIOUserNetworkMediaOptionHalfDuplex = 0x00200000;
export const kIOUserNetworkMediaOptionFlowControl = 0x00400000;
export const kIOUserNetworkMediaOptionEEE = 0x00800000;
export const kIOUserNetworkMediaOptionLoopback = 0x08000000;

export const kIOUserNetworkMediaEthernetAuto = 0x20;
export const kIOUserNetworkMediaEthernetManual = 0x21;
export const kIOUserNetworkMediaEthernetNone = 0x22;
export const kIOUserNetworkMediaEthernet100BaseTX = 0x26;
export const kIOUserNetworkMediaEthernet1000BaseT = 0x30;
export const kIOUserNetworkMediaEthernet10GBaseT = 0x35;
export const kIOUserNetworkMediaEthernet2500BaseT = 0x36;
export const kIOUserNetworkMediaEthernet5000BaseT = 0x37;
export const kIOUserNetworkMediaMask = 0xfff;

export const kIOUserNetworkPacketDirectionNone = 0;
export const kIOUserNetworkPacketDirectionTx = 1;
export const kIOUserNetworkPacketDirectionRx = 2;

/**
 * Service classes, lowest to highest priority: BK_SYS, BK, BE, RD, OAM, AV, RV, VI, SIG, VO,
 * CTL. `getServiceClass()` returns one of these.
 *
 * OURS: the numeric values of IOUserNetworkServiceClass were not found (driverkit.md §7). We
 * use xnu's socket-level SO_TRAFFIC_CLASS values (bsd/sys/socket.h: SO_TC_BK_SYS 100 …
 * SO_TC_CTL 900, SO_TC_BE 0), which the simulated stack speaks. They are not the packet-level
 * values: xnu's PKT_SC_* / KPKT_SC_* / MBUF_SC_* carry a class index in bits 23:16 (e.g.
 * MBUF_SC_BK_SYS = 0x00080090, MBUF_SC_VI = 0x00380100), and the real enum may follow those.
 */
export const kIOUserNetworkServiceClassBK_SYS = 100;
export const kIOUserNetworkServiceClassBK = 200;
export const kIOUserNetworkServiceClassBE = 0;
export const kIOUserNetworkServiceClassRD = 300;
export const kIOUserNetworkServiceClassOAM = 400;
export const kIOUserNetworkServiceClassAV = 500;
export const kIOUserNetworkServiceClassRV = 600;
export const kIOUserNetworkServiceClassVI = 700;
/**
 * OURS: signalling (SIP and the like; xnu NET_SERVICE_TYPE_SIG). xnu gives PKT_SC_SIG
 * (0x00380130) the class index of PKT_SC_VI (0x00380100) and ranks it between VI and VO, so
 * we keep it inside VI's hundred: anything indexed by value / 100 (the driver's classifier
 * table) treats it as VI. xnu's own socket value would be SO_TC_NETSVC_SIG = 10002.
 */
export const kIOUserNetworkServiceClassSIG = 750;
export const kIOUserNetworkServiceClassVO = 800;
export const kIOUserNetworkServiceClassCTL = 900;

export const SERVICE_CLASS_NAMES: Record<string, number> = {
  BK_SYS: kIOUserNetworkServiceClassBK_SYS,
  BK: kIOUserNetworkServiceClassBK,
  BE: kIOUserNetworkServiceClassBE,
  RD: kIOUserNetworkServiceClassRD,
  OAM: kIOUserNetworkServiceClassOAM,
  AV: kIOUserNetworkServiceClassAV,
  RV: kIOUserNetworkServiceClassRV,
  VI: kIOUserNetworkServiceClassVI,
  SIG: kIOUserNetworkServiceClassSIG,
  VO: kIOUserNetworkServiceClassVO,
  CTL: kIOUserNetworkServiceClassCTL,
};

/**
 * xnu fq_codel's fold of the service classes to 4 when the driver manages the queues
 * (pktsched_fq_codel.c, fq_if_service_to_priority with FQS_DRIVER_MANAGED): BK_SYS,BK → BK;
 * BE,RD,OAM → BE; AV,RV,VI,SIG → VI; VO,CTL → VO; anything else → BE.
 * NetLanes numbers hardware queues 0 (lowest) … 3 (highest): BK=0, BE=1, VI=2, VO=3.
 */
export function serviceClassToQueue(serviceClass: number): number {
  switch (serviceClass) {
    case kIOUserNetworkServiceClassBK_SYS:
    case kIOUserNetworkServiceClassBK:
      return 0;
    case kIOUserNetworkServiceClassAV:
    case kIOUserNetworkServiceClassRV:
    case kIOUserNetworkServiceClassVI:
    case kIOUserNetworkServiceClassSIG:
      return 2;
    case kIOUserNetworkServiceClassVO:
    case kIOUserNetworkServiceClassCTL:
      return 3;
    default:
      return 1;
  }
}
