/** Public API of the simulated SIM-I2xx NIC. */
export {
  SimNic,
  SIM_NIC_IDENTITY,
  SIM_NIC_VENDOR_ID,
  SIM_NIC_DEVICE_ID,
  MSIX_BAR,
  type SimNicOptions,
} from './sim-nic.ts';
export type { WirePeer } from '../net/wire.ts';
export { NicCore, type NicCoreOptions } from './nic-core.ts';
export { NicFaults } from './faults.ts';
export { TXQBURST_DEFAULT, TXARB_RESET } from './register-map.ts';
export { toeplitzHash } from './rss.ts';
export * as Regs from './registers.ts';
