export * from './pci-function.ts';
export * from './io-pci-device.ts';
