/**
 * PCI and PCIDriverKit constants shared by the config-space model, the MSI-X model and
 * IOPCIDevice. Offsets and bits are the PCI Local Bus 3.0 / PCIe 3.0 ones, named as in
 * IOPCIFamilyDefinitions.h; the interrupt types are IOKit's (driverkit.md §5.1).
 * io-pci-device.ts re-exports all of them: code outside pci/ imports them from there.
 */

// ---- Configuration space layout (PCI Local Bus 3.0 §6.1) ----

export const kIOPCIConfigurationOffsetVendorID = 0x00;
export const kIOPCIConfigurationOffsetDeviceID = 0x02;
export const kIOPCIConfigurationOffsetCommand = 0x04;
export const kIOPCIConfigurationOffsetStatus = 0x06;
export const kIOPCIConfigurationOffsetRevisionID = 0x08;
export const kIOPCIConfigurationOffsetClassCode = 0x09;
export const kIOPCIConfigurationOffsetCacheLineSize = 0x0c;
export const kIOPCIConfigurationOffsetHeaderType = 0x0e;
export const kIOPCIConfigurationOffsetBaseAddress0 = 0x10;
export const kIOPCIConfigurationOffsetSubSystemVendorID = 0x2c;
export const kIOPCIConfigurationOffsetSubSystemID = 0x2e;
export const kIOPCIConfigurationOffsetExpansionROMBase = 0x30;
export const kIOPCIConfigurationOffsetCapabilitiesPtr = 0x34;
export const kIOPCIConfigurationOffsetInterruptLine = 0x3c;
export const kIOPCIConfigurationOffsetInterruptPin = 0x3d;

/** Size of PCIe configuration space (extended space included). OURS: the name. */
export const kIOPCIConfigSpaceSize = 4096;

export const kIOPCICommandIOSpace = 0x0001;
export const kIOPCICommandMemorySpace = 0x0002;
export const kIOPCICommandBusMaster = 0x0004;
export const kIOPCICommandInterruptDisable = 0x0400;

export const kIOPCIStatusCapabilitiesList = 0x0010;

export const kIOPCICapabilityIDPowerManagement = 0x01;
export const kIOPCICapabilityIDMSI = 0x05;
export const kIOPCICapabilityIDPCIExpress = 0x10;
export const kIOPCICapabilityIDMSIX = 0x11;

// ---- MSI-X (PCIe 3.0 §7.7): the values are the spec's; OURS: the kMSIX* names ----

/** MSI-X Message Control (capability + 2): table size − 1 in bits 10:0. */
export const kMSIXControlTableSizeMask = 0x07ff;
export const kMSIXControlFunctionMask = 0x4000;
export const kMSIXControlEnable = 0x8000;
/** MSI-X table entry: 16 bytes = address lo, address hi, data, vector control. */
export const kMSIXTableEntrySize = 16;
export const kMSIXVectorControlMask = 0x1;

/** Interrupt types for ConfigureInterrupts (IOKit/IOInterrupts.h; public dexts use these values). */
export const kIOInterruptTypeEdge = 0x00000000;
export const kIOInterruptTypeLevel = 0x00000001;
export const kIOInterruptTypePCIMessaged = 0x00010000;
export const kIOInterruptTypePCIMessagedX = 0x00020000;
