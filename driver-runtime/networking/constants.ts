/** NetworkingDriverKit constants with their real values (IOUserNetworkTypes.h; driverkit.md §4.2). */

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
 * Service classes (xnu SO_TRAFFIC_CLASS values, lowest to highest priority:
 * BK_SYS, BK, BE, RD, OAM, AV, RV, VI, VO, CTL). `getServiceClass()` returns one of these.
 */
export const kIOUserNetworkServiceClassBK_SYS = 100;
export const kIOUserNetworkServiceClassBK = 200;
export const kIOUserNetworkServiceClassBE = 0;
export const kIOUserNetworkServiceClassRD = 300;
export const kIOUserNetworkServiceClassOAM = 400;
export const kIOUserNetworkServiceClassAV = 500;
export const kIOUserNetworkServiceClassRV = 600;
export const kIOUserNetworkServiceClassVI = 700;
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
  VO: kIOUserNetworkServiceClassVO,
  CTL: kIOUserNetworkServiceClassCTL,
};

/**
 * xnu fq_codel's fold of 10 service classes to 4 when the driver manages the queues
 * (pktsched_fq_codel.c): BK_SYS,BK → BK; BE,RD,OAM → BE; AV,RV,VI → VI; VO,CTL → VO.
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
      return 2;
    case kIOUserNetworkServiceClassVO:
    case kIOUserNetworkServiceClassCTL:
      return 3;
    default:
      return 1;
  }
}
