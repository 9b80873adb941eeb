/**
 * How `npm run netlanes` prints what it reads, in the vocabulary people already know:
 * `ifconfig` for the interface, `netstat -I` for counters, `ioreg` for the registry.
 */
import {
  FINDING_CODES,
  INFO_DEVICE_REMOVED,
  INFO_ENABLED,
  INFO_LINK_UP,
  type DriverInfo,
  type FindingRecord,
  type FlowStatRecord,
  type StatsSnapshot,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import type { RegistryNode } from '../../driver-runtime/host/io-registry.ts';
import { formatIpv4 } from '../../driver-runtime/net/ipv4-address.ts';
import type { LatencyFigures } from '../../driver-runtime/abi/stats-reader.ts';
import type { AppRow } from '../app-requests.ts';
import type { LabStatus } from '../../driver-runtime/abi/lab-abi.ts';

const LEVELS = ['low', 'normal', 'high', 'highest'];
const mac = (m: Uint8Array) => Array.from(m, (b) => b.toString(16).padStart(2, '0')).join(':');

export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function rate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1e9) return `${(bitsPerSecond / 1e9).toFixed(2)} Gb/s`;
  if (bitsPerSecond >= 1e6) return `${(bitsPerSecond / 1e6).toFixed(1)} Mb/s`;
  if (bitsPerSecond >= 1e3) return `${(bitsPerSecond / 1e3).toFixed(1)} kb/s`;
  return `${bitsPerSecond.toFixed(0)} b/s`;
}

export function micros(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`;
}

/** `ifconfig en0`, with NetLanes' own line. */
export function statusText(info: DriverInfo, s: StatsSnapshot): string {
  const flags = [
    info.flags & INFO_ENABLED ? 'UP' : 'DOWN',
    info.flags & INFO_LINK_UP ? 'RUNNING' : null,
    info.flags & INFO_DEVICE_REMOVED ? 'REMOVED' : null,
  ].filter(Boolean);
  const speed =
    info.linkBps >= 1e9 ? `${info.linkBps / 1e9 === 2.5 ? '2500' : info.linkBps / 1e6}baseT` : 'none';
  return [
    `en0: flags=<${flags.join(',')}> mtu ${info.mtu}`,
    `\tether ${mac(info.mac)}`,
    `\tmedia: autoselect (${info.flags & INFO_LINK_UP ? `${speed} <full-duplex>` : 'none'})`,
    `\tstatus: ${info.flags & INFO_LINK_UP ? 'active' : 'inactive'}`,
    `\tdriver: ${info.model} ${info.driverVersion}, ABI ${info.abiVersion}, ${info.queueCount} Tx queues, PCI ${info.pciVendorId.toString(16)}:${info.pciDeviceId.toString(16)}`,
    `\tnetlanes: settings generation ${info.settingsGeneration}, rule set generation ${info.ruleSetGeneration}, ` +
      `flows ${s.flowEntries}/${info.flowCapacity} (${s.flowMisses} packets before their flow's entry, ` +
      `window mean ${micros(s.missWindowMeanNs)} max ${micros(s.missWindowMaxNs)})`,
  ].join('\n');
}

/** `netstat -I en0`, plus the drops by cause and the four queues. */
export function statsText(info: DriverInfo, s: StatsSnapshot, rates?: { tx: number[] }): string {
  const head = table(
    ['Name', 'Mtu', 'Address', 'Ipkts', 'Ierrs', 'Opkts', 'Oerrs', 'Coll', 'Drop'],
    [['en0', info.mtu, mac(info.mac), s.ipkts, s.ierrs, s.opkts, s.oerrs, 0, s.rxNoBuffer]],
  );
  const queues = table(
    ['queue', 'packets', 'bytes', 'drops', ...(rates ? ['rate'] : [])],
    s.queuePackets.map((p, q) => [
      `Q${q} ${LEVELS[q]}`,
      p,
      s.queueBytes[q],
      s.queueDrops[q],
      ...(rates ? [rate(rates.tx[q])] : []),
    ]),
  );
  const drops = `drops: queue full ${s.dropQueueFull}, CoDel ${s.dropAqm}, cap ${s.dropCap}, aborted ${s.dropAborted}, completion full ${s.dropCompletionFull}; held by caps now ${s.heldPackets}`;
  return `${head}\n\n${queues}\n${drops}`;
}

export function appsText(
  rows: (AppRow & { txBytes: number; rxBytes: number; latency: LatencyFigures })[],
): string {
  if (rows.length === 0) return 'No applications yet — they appear when they open their first flow.';
  return table(
    ['slot', 'app', 'bundle id', 'lane', 'why', 'tx bytes', 'rx bytes', 'p99'],
    rows.map((r) => [
      r.slot,
      r.name,
      r.bundleId,
      `Q${r.queue} ${LEVELS[r.queue] ?? '?'}`,
      r.reason,
      r.txBytes,
      r.rxBytes,
      r.latency.count ? micros(r.latency.p99) : '-',
    ]),
  );
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

export function flowsText(flows: FlowStatRecord[], nameOf: (slot: number) => string): string {
  if (flows.length === 0) return "No flows in the driver's table.";
  return table(
    ['proto', 'local', 'remote', 'app', 'lane', 'packets', 'bytes'],
    flows.map((f) => [
      PROTO[f.protocol] ?? String(f.protocol),
      `${formatIpv4(f.localIp)}:${f.localPort}`,
      f.protocol === 1 ? formatIpv4(f.remoteIp) : `${formatIpv4(f.remoteIp)}:${f.remotePort}`,
      nameOf(f.slot),
      f.queue === 255 ? 'by class' : `Q${f.queue}`,
      f.packets,
      f.bytes,
    ]),
  );
}

export function findingsText(found: FindingRecord[]): string {
  const sev = ['ok', 'warning', 'error'];
  return found
    .map((f) => `${sev[f.severity] ?? '?'}\t${f.object}\t${FINDING_CODES[f.code] ?? f.code}: ${f.message}`)
    .join('\n');
}

/** `ioreg`: each service with its class chain and state, children indented. */
export function ioregText(nodes: RegistryNode[], depth = 0): string {
  const lines: string[] = [];
  for (const n of nodes) {
    lines.push(
      `${'  '.repeat(depth)}+-o ${n.name}  <class ${n.classes.slice(0, -1).join(', ')}, id 0x${n.id.toString(16)}, ${n.state}>`,
    );
    for (const [k, v] of Object.entries(n.properties))
      lines.push(`${'  '.repeat(depth + 1)}|   "${k}" = ${JSON.stringify(v)}`);
    if (n.children.length > 0) lines.push(ioregText(n.children, depth + 1));
  }
  return lines.join('\n');
}

/** The lab's view of the simulated machine. */
export function labText(s: LabStatus): string {
  const keepUp =
    s.elapsedMs > 0 ? `${((100 * s.busyMs) / s.elapsedMs).toFixed(1)} % of a core` : 'stepped by hand';
  return [
    `workload:     ${s.scenario}`,
    `virtual time: ${(s.virtualNs / 1e9).toFixed(3)} s (behind the wall clock by ${(s.lagNs / 1e6).toFixed(1)} ms)`,
    `pacing:       ${keepUp}`,
    `link:         ${s.linkUp ? 'up' : 'down'} ${s.linkMbps >= 1000 ? `${s.linkMbps / 1000} Gb/s` : `${s.linkMbps} Mb/s`}`,
    `faults:       ${s.faultsInjected} injected; what-if runs: ${s.whatIfRunning}`,
  ].join('\n');
}
