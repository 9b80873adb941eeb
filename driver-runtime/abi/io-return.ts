/**
 * IOReturn codes with their real values (IOKit/IOReturn.h): sys_iokit | sub_iokit_common | code,
 * i.e. 0xe0000000 | code. Plain unsigned numbers so they cross the user-client ABI unchanged.
 * Clients need them as much as the dext: they live in abi/ and are re-exported for the kit.
 */
export type IOReturn = number;

export const kIOReturnSuccess = 0;
export const kIOReturnError = 0xe00002bc;
export const kIOReturnNoMemory = 0xe00002bd;
export const kIOReturnNoResources = 0xe00002be;
export const kIOReturnIPCError = 0xe00002bf;
export const kIOReturnNoDevice = 0xe00002c0;
export const kIOReturnNotPrivileged = 0xe00002c1;
export const kIOReturnBadArgument = 0xe00002c2;
export const kIOReturnLockedRead = 0xe00002c3;
export const kIOReturnLockedWrite = 0xe00002c4;
export const kIOReturnExclusiveAccess = 0xe00002c5;
export const kIOReturnBadMessageID = 0xe00002c6;
export const kIOReturnUnsupported = 0xe00002c7;
export const kIOReturnVMError = 0xe00002c8;
export const kIOReturnInternalError = 0xe00002c9;
export const kIOReturnIOError = 0xe00002ca;
export const kIOReturnCannotLock = 0xe00002cc;
export const kIOReturnNotOpen = 0xe00002cd;
export const kIOReturnNotReadable = 0xe00002ce;
export const kIOReturnNotWritable = 0xe00002cf;
export const kIOReturnNotAligned = 0xe00002d0;
export const kIOReturnBadMedia = 0xe00002d1;
export const kIOReturnStillOpen = 0xe00002d2;
export const kIOReturnRLDError = 0xe00002d3;
export const kIOReturnDMAError = 0xe00002d4;
export const kIOReturnBusy = 0xe00002d5;
export const kIOReturnTimeout = 0xe00002d6;
export const kIOReturnOffline = 0xe00002d7;
export const kIOReturnNotReady = 0xe00002d8;
export const kIOReturnNotAttached = 0xe00002d9;
export const kIOReturnNoChannels = 0xe00002da;
export const kIOReturnNoSpace = 0xe00002db;
export const kIOReturnPortExists = 0xe00002dd;
export const kIOReturnCannotWire = 0xe00002de;
export const kIOReturnNoInterrupt = 0xe00002df;
export const kIOReturnNoFrames = 0xe00002e0;
export const kIOReturnMessageTooLarge = 0xe00002e1;
export const kIOReturnNotPermitted = 0xe00002e2;
export const kIOReturnNoPower = 0xe00002e3;
export const kIOReturnNoMedia = 0xe00002e4;
export const kIOReturnUnformattedMedia = 0xe00002e5;
export const kIOReturnUnsupportedMode = 0xe00002e6;
export const kIOReturnUnderrun = 0xe00002e7;
export const kIOReturnOverrun = 0xe00002e8;
export const kIOReturnDeviceError = 0xe00002e9;
export const kIOReturnNoCompletion = 0xe00002ea;
export const kIOReturnAborted = 0xe00002eb;
export const kIOReturnNoBandwidth = 0xe00002ec;
export const kIOReturnNotResponding = 0xe00002ed;
export const kIOReturnIsoTooOld = 0xe00002ee;
export const kIOReturnIsoTooNew = 0xe00002ef;
export const kIOReturnNotFound = 0xe00002f0;
export const kIOReturnInvalid = 0xe0000001;
