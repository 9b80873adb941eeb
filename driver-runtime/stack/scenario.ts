/**
 * Scenario files: JSON data describing a link, the two hosts and the applications.
 * `parseScenario` validates with zod (unknown keys refused) and throws a ScenarioError
 * whose message names the file and the offending field path, e.g.
 * `home-office.json: apps[2].traffic.rateBps: must be 1..10000000000 b/s`. Every numeric field
 * has a range (SCENARIO_RANGES) that keeps a run finite.
 * `appConfigsFromScenario` turns a parsed scenario into HostStack app configs (µs → ns,
 * defaults for ports and sizes).
 */
import { z } from 'zod';
import { tryParseIpv4 } from '../net/ipv4-address.ts';
import { tryParseMac } from '../net/mac.ts';
import { SERVICE_CLASS_KEYS, SERVICE_CLASS_VALUE } from './service-class.ts';
import type { AppConfig, TrafficProfile } from './traffic-profile.ts';

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly fieldPath: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** An inclusive numeric range a scenario field must lie in, and why it is that range. */
export interface FieldRange {
  readonly min: number;
  readonly max: number;
  readonly int: boolean;
  readonly unit: string;
  readonly why: string;
}

/**
 * One hour of virtual time, in µs: the longest run `npm run sim --duration` accepts (the CLI
 * takes its ceiling from here), so a scenario time beyond it could never be reached.
 */
export const MAX_VIRTUAL_US = 3_600_000_000;

const range = (min: number, max: number, int: boolean, unit: string, why: string): FieldRange => ({
  min,
  max,
  int,
  unit,
  why,
});

/**
 * The range of every numeric scenario field, keyed by its path as error messages print it.
 * The schema below takes its bounds from here and `npm run sim -- --help` prints this table,
 * so the documented range is the enforced one. Each bound keeps a run finite: no field can
 * make an app schedule events faster than one per 48 ns (60-byte frames at 10 Gb/s) or one
 * burst per µs, and nothing is timed past the longest run.
 */
export const SCENARIO_RANGES = {
  seed: range(0, 0xffff_ffff, true, '', 'the PRNG takes a 32-bit seed'),
  // A count of entries, so never fractional; `int: false` keeps "an integer" out of its text.
  apps: range(1, 255, false, 'apps', "app ids 1..255 fit the driver's 256 statistics slots; 0 is the system"),
  'apps[].pid': range(1, 99_999, true, '', 'macOS PID_MAX'),
  'apps[].vlanPcp': range(0, 7, true, '', 'the 802.1Q priority code point is 3 bits'),
  'apps[].traffic.packetBytes': range(
    60,
    1518,
    true,
    'B',
    'Ethernet frame without FCS; above 1514 only with vlanPcp, for the 4-byte tag',
  ),
  'apps[].traffic.rateBps': range(1, 10e9, false, 'b/s', '10 GbE is the fastest link; more is never carried'),
  'apps[].traffic.burstPackets': range(
    1,
    1024,
    true,
    'packets',
    'the Tx submission queue holds 1024; a bigger burst is only dropped',
  ),
  'apps[].traffic.meanGapUs': range(
    1,
    MAX_VIRTUAL_US,
    false,
    'µs',
    'at most a million bursts per second; up to the longest run',
  ),
  'apps[].traffic.sndbufBytes': range(
    60,
    8 * 1024 * 1024,
    true,
    'B',
    'at least packetBytes; macOS kern.ipc.maxsockbuf is 8 MiB',
  ),
  'apps[].traffic.intervalUs': range(
    1,
    MAX_VIRTUAL_US,
    false,
    'µs',
    'at most a million pings per second; up to the longest run',
  ),
  'apps[].traffic.srcPort': range(1, 65535, true, '', 'UDP/TCP port'),
  'apps[].traffic.dstPort': range(1, 65535, true, '', 'UDP/TCP port'),
  'apps[].traffic.startUs': range(0, MAX_VIRTUAL_US, false, 'µs', 'up to the longest run'),
  'apps[].traffic.stopUs': range(1, MAX_VIRTUAL_US, false, 'µs', 'after startUs; up to the longest run'),
} as const satisfies Record<string, FieldRange>;

/** "1..255", "1..10000000000 b/s": a range as messages and `--help` print it. */
export function rangeText(r: FieldRange): string {
  return `${r.int ? 'an integer ' : ''}${r.min}..${r.max}${r.unit === '' ? '' : ` ${r.unit}`}`;
}

/** A zod number held to `r`, with one message for every way of missing it. */
function inRange(r: FieldRange) {
  const message = `must be ${rangeText(r)}`;
  const n = z
    .number({ invalid_type_error: 'must be a number' })
    .min(r.min, { message })
    .max(r.max, { message });
  return r.int ? n.int({ message }) : n;
}
const R = SCENARIO_RANGES;
const mac = z
  .string()
  .refine((s) => tryParseMac(s) >= 0, { message: 'must be a MAC address aa:bb:cc:dd:ee:ff' });
const ipv4 = z.string().refine((s) => tryParseIpv4(s) >= 0, { message: 'must be an IPv4 address a.b.c.d' });

/** Frame sizes: Ethernet frame without FCS; 60..1514, or 1518 with an 802.1Q tag. */
const trafficSchema = z
  .object({
    kind: z.enum(['constant', 'bursty', 'bulk', 'receive', 'ping'], {
      errorMap: () => ({ message: 'must be one of constant, bursty, bulk, receive, ping' }),
    }),
    protocol: z
      .enum(['udp', 'tcp', 'icmp'], { errorMap: () => ({ message: 'must be one of udp, tcp, icmp' }) })
      .optional(),
    packetBytes: inRange(R['apps[].traffic.packetBytes']),
    rateBps: inRange(R['apps[].traffic.rateBps']).optional(),
    burstPackets: inRange(R['apps[].traffic.burstPackets']).optional(),
    meanGapUs: inRange(R['apps[].traffic.meanGapUs']).optional(),
    sndbufBytes: inRange(R['apps[].traffic.sndbufBytes']).optional(),
    intervalUs: inRange(R['apps[].traffic.intervalUs']).optional(),
    srcPort: inRange(R['apps[].traffic.srcPort']).optional(),
    dstPort: inRange(R['apps[].traffic.dstPort']).optional(),
    startUs: inRange(R['apps[].traffic.startUs']).optional(),
    stopUs: inRange(R['apps[].traffic.stopUs']).optional(),
  })
  .strict();

const appSchema = z
  .object({
    name: z.string().min(1, { message: 'must not be empty' }),
    bundleId: z.string().min(1, { message: 'must not be empty' }),
    executablePath: z.string().startsWith('/', { message: 'must be an absolute path' }),
    pid: inRange(R['apps[].pid']),
    teamId: z
      .string()
      .regex(/^[A-Z0-9]{10}$/, { message: 'must be a 10-character Apple team id' })
      .optional(),
    serviceClass: z.enum(SERVICE_CLASS_KEYS, {
      errorMap: () => ({ message: `must be one of ${SERVICE_CLASS_KEYS.join(', ')}` }),
    }),
    vlanPcp: inRange(R['apps[].vlanPcp']).optional(),
    traffic: trafficSchema,
  })
  .strict()
  .superRefine((app, ctx) => {
    const t = app.traffic;
    const need = (field: keyof typeof t, why: string) => {
      if (t[field] === undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['traffic', field],
          message: `required for ${why}`,
        });
    };
    const protocol = t.protocol ?? (t.kind === 'ping' ? 'icmp' : 'udp');
    if (t.kind === 'constant') need('rateBps', 'constant traffic');
    if (t.kind === 'bursty') {
      need('burstPackets', 'bursty traffic');
      need('meanGapUs', 'bursty traffic');
    }
    if (t.kind === 'bulk') need('sndbufBytes', 'bulk traffic');
    if (t.kind === 'receive') {
      need('rateBps', 'receive traffic');
      need('dstPort', 'receive traffic (the host port the app listens on)');
    }
    if (t.kind === 'ping') need('intervalUs', 'ping traffic');
    if ((t.kind === 'ping') !== (protocol === 'icmp')) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['traffic', 'protocol'],
        message: t.kind === 'ping' ? 'must be icmp for ping' : 'icmp is only for ping',
      });
    }
    // A 1500-byte MTU allows 1514-byte frames, 1518 with an 802.1Q tag.
    const max = 1514 + (app.vlanPcp !== undefined ? 4 : 0);
    if (t.packetBytes > max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['traffic', 'packetBytes'],
        message: `must be <= ${max}${app.vlanPcp !== undefined ? ' (tagged)' : ' (untagged; 1518 needs vlanPcp)'}`,
      });
    }
    if (t.kind === 'bulk' && t.sndbufBytes !== undefined && t.sndbufBytes < t.packetBytes) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['traffic', 'sndbufBytes'],
        message: 'must be >= packetBytes',
      });
    }
    if (t.startUs !== undefined && t.stopUs !== undefined && t.stopUs <= t.startUs) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['traffic', 'stopUs'],
        message: 'must be > startUs',
      });
    }
  });

const hostSchema = z.object({ mac, ip: ipv4 }).strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1, { message: 'must not be empty' }),
    description: z.string(),
    link: z.enum(['1g', '2.5g', '10g'], {
      errorMap: () => ({ message: "must be one of '1g', '2.5g', '10g'" }),
    }),
    seed: inRange(R.seed).optional(),
    host: hostSchema,
    peer: hostSchema,
    apps: z
      .array(appSchema, { required_error: 'required', invalid_type_error: 'must be an array' })
      .min(R.apps.min, { message: 'must list at least one app' })
      .max(R.apps.max, { message: `must list at most ${R.apps.max} apps (${R.apps.why})` }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const hostPorts = new Map<number, number>();
    const echoIds = new Map<number, number>();
    s.apps.forEach((app, i) => {
      const t = app.traffic;
      if (t.kind === 'ping') {
        // Echo replies are matched to the app by ICMP id = pid & 0xffff.
        const id = app.pid & 0xffff;
        const other = echoIds.get(id);
        if (other !== undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['apps', i, 'pid'],
            message: `ICMP echo id ${id} (pid & 0xffff) is already used by apps[${other}]`,
          });
        } else echoIds.set(id, i);
        return;
      }
      const p = t.kind === 'receive' ? t.dstPort : (t.srcPort ?? defaultSrcPort(i));
      if (p === undefined) return;
      const other = hostPorts.get(p);
      if (other !== undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['apps', i, 'traffic', t.kind === 'receive' ? 'dstPort' : 'srcPort'],
          message: `host port ${p} is already used by apps[${other}]`,
        });
      } else hostPorts.set(p, i);
    });
    if (s.host.ip === s.peer.ip)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['peer', 'ip'],
        message: 'must differ from host.ip',
      });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioApp = Scenario['apps'][number];

function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(root)' : out;
}

/** Validates scenario JSON; throws ScenarioError naming `file` and the first bad field. */
export function parseScenario(json: unknown, file = '<scenario>'): Scenario {
  const r = scenarioSchema.safeParse(json);
  if (r.success) return r.data;
  const messages: string[] = [];
  let firstPath = '';
  for (const issue of r.error.issues) {
    let path = formatPath(issue.path);
    let message = issue.message;
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      path = formatPath([...issue.path, issue.keys[0]]);
      message = issue.keys.length > 1 ? `unknown keys ${issue.keys.join(', ')}` : 'unknown key';
    } else if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') {
      message = 'required';
    }
    if (firstPath === '') firstPath = path;
    messages.push(`${path}: ${message}`);
  }
  throw new ScenarioError(`${file}: ${messages.join('; ')}`, file, firstPath);
}

function defaultSrcPort(index: number): number {
  return 49152 + index;
}

/** Default server port by kind and protocol. */
function defaultDstPort(kind: TrafficProfile['kind'], protocol: string): number {
  if (kind === 'ping') return 0;
  return protocol === 'tcp' ? 443 : kind === 'constant' ? 3478 : 443;
}

/** Converts a parsed scenario's apps to HostStack app configs (µs → ns, default ports). */
export function appConfigsFromScenario(s: Scenario): AppConfig[] {
  return s.apps.map((a, i) => {
    const t = a.traffic;
    const protocol = t.protocol ?? (t.kind === 'ping' ? 'icmp' : 'udp');
    const base = {
      startNs: (t.startUs ?? 0) * 1000,
      stopNs: t.stopUs === undefined ? Infinity : t.stopUs * 1000,
      packetBytes: t.packetBytes,
      srcPort: t.srcPort ?? (t.kind === 'receive' ? defaultDstPort(t.kind, protocol) : defaultSrcPort(i)),
      dstPort: t.dstPort ?? defaultDstPort(t.kind, protocol),
    };
    const l4 = protocol === 'tcp' ? 'tcp' : 'udp';
    let traffic: TrafficProfile;
    switch (t.kind) {
      case 'constant':
        traffic = { ...base, kind: 'constant', protocol: l4, rateBps: t.rateBps! };
        break;
      case 'bursty':
        traffic = {
          ...base,
          kind: 'bursty',
          protocol: l4,
          burstPackets: t.burstPackets!,
          meanGapNs: t.meanGapUs! * 1000,
        };
        break;
      case 'bulk':
        traffic = { ...base, kind: 'bulk', protocol: l4, sndbufBytes: t.sndbufBytes! };
        break;
      case 'receive':
        traffic = { ...base, kind: 'receive', protocol: l4, rateBps: t.rateBps! };
        break;
      case 'ping':
        traffic = { ...base, kind: 'ping', protocol: 'icmp', intervalNs: t.intervalUs! * 1000 };
        break;
    }
    return {
      name: a.name,
      bundleId: a.bundleId,
      executablePath: a.executablePath,
      pid: a.pid,
      ...(a.teamId !== undefined ? { teamId: a.teamId } : {}),
      serviceClass: SERVICE_CLASS_VALUE[a.serviceClass],
      ...(a.vlanPcp !== undefined ? { vlanPcp: a.vlanPcp } : {}),
      traffic,
    };
  });
}
