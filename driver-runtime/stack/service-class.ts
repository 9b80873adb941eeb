/**
 * macOS service classes (xnu SO_TRAFFIC_CLASS values) by name, and the DSCP each one is
 * marked with on the wire. The DSCP table follows xnu's default NET_SERVICE_TYPE marking
 * (RFC 4594 classes): BK_SYS/BK → CS1, BE → 0, RD → AF21, OAM → CS2, AV → AF31,
 * RV → CS4, VI → AF41, VO → EF, CTL → CS6.
 */
import { SERVICE_CLASS_NAMES } from '../networking/constants.ts';

/**
 * The names of networking/constants.ts's SERVICE_CLASS_NAMES, in its order, as a literal
 * tuple so scenario files can be validated against them (z.enum) and typed.
 */
export const SERVICE_CLASS_KEYS = ['BK_SYS', 'BK', 'BE', 'RD', 'OAM', 'AV', 'RV', 'VI', 'VO', 'CTL'] as const;
export type ServiceClassName = (typeof SERVICE_CLASS_KEYS)[number];

/** SERVICE_CLASS_NAMES itself, typed by name (tests/stack/service-class.test.ts checks the keys match). */
export const SERVICE_CLASS_VALUE: Readonly<Record<ServiceClassName, number>> =
  SERVICE_CLASS_NAMES as Readonly<Record<ServiceClassName, number>>;

const DSCP: Readonly<Record<ServiceClassName, number>> = {
  BK_SYS: 8,
  BK: 8,
  BE: 0,
  RD: 18,
  OAM: 16,
  AV: 26,
  RV: 32,
  VI: 34,
  VO: 46,
  CTL: 48,
};

/** Name of a service class value ('BE' for unknown values, as xnu defaults them). */
export function serviceClassName(value: number): ServiceClassName {
  for (const key of SERVICE_CLASS_KEYS) if (SERVICE_CLASS_VALUE[key] === value) return key;
  return 'BE';
}

/** DSCP (6 bits) an app of this service class marks its packets with. */
export function serviceClassDscp(value: number): number {
  return DSCP[serviceClassName(value)];
}
