/**
 * macOS service classes by name (values: networking/constants.ts), and the DSCP each one is
 * marked with on the wire. The DSCP table follows xnu's RFC 4594 network-service-type map
 * (in_tclass.c, rfc4594_netsvctype_dscp_map): BK → CS1, BE → 0, RD → AF21, OAM → CS2,
 * AV → AF31, RV → CS4, VI → AF41, SIG → CS5, VO → EF. OURS: BK_SYS → CS1 (xnu has no service
 * type of its own for it) and CTL → CS6 (no service type either; CS6 is RFC 4594's network
 * control).
 */
import { SERVICE_CLASS_NAMES } from '../networking/constants.ts';

/**
 * The names of networking/constants.ts's SERVICE_CLASS_NAMES, in its order, as a literal
 * tuple so scenario files can be validated against them (z.enum) and typed.
 */
export const SERVICE_CLASS_KEYS = [
  'BK_SYS',
  'BK',
  'BE',
  'RD',
  'OAM',
  'AV',
  'RV',
  'VI',
  'SIG',
  'VO',
  'CTL',
] as const;
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
  SIG: 40,
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
