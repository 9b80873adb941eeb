import type { AppReport, ScenarioReport } from '../../driver-runtime/host/scenario-report.ts';

/** Fixed-width table: first column left-aligned, the rest right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function us(ns: number): string {
  return (ns / 1000).toFixed(ns < 10_000 ? 2 : ns < 1e6 ? 1 : 0);
}

export function mbps(bps: number): string {
  return (bps / 1e6).toFixed(bps < 1e6 ? 3 : 1);
}

const QUEUE_LABEL = ['Q0 low', 'Q1 normal', 'Q2 high', 'Q3 highest'];

export function appTable(apps: AppReport[]): string {
  return table(
    [
      'app',
      'class',
      'queue',
      'tx Mb/s',
      'rx Mb/s',
      'tx pkts',
      'p50 µs',
      'p99 µs',
      'p99.9 µs',
      'max µs',
      'drops',
      'grade',
    ],
    apps.map((a) => [
      a.name,
      a.serviceClass,
      a.queue >= 0 ? QUEUE_LABEL[a.queue] : '-',
      mbps(a.txBps),
      mbps(a.rxBps),
      a.txPackets,
      us(a.latency.p50),
      us(a.latency.p99),
      us(a.latency.p999),
      us(a.latency.max),
      a.drops,
      a.latency.count > 0 ? a.grade : '-',
    ]),
  );
}

export function queueTable(report: ScenarioReport): string {
  return table(
    ['queue', 'packets', 'bytes', 'Mb/s', 'share', 'drops'],
    report.queues.map((q) => [
      QUEUE_LABEL[q.queue],
      q.packets,
      q.bytes,
      mbps(q.bps),
      `${(q.share * 100).toFixed(1)}%`,
      q.drops,
    ]),
  );
}

export function netstatTable(report: ScenarioReport): string {
  const n = report.netstat;
  return table(
    ['Name', 'Mtu', 'Network', 'Address', 'Ipkts', 'Ierrs', 'Opkts', 'Oerrs', 'Coll', 'Drop'],
    [[n.name, n.mtu, '<Link#4>', n.address, n.Ipkts, n.Ierrs, n.Opkts, n.Oerrs, n.Coll, n.Drop]],
  );
}

/** Ping apps: replies and round-trip times through driver, NIC, wire and link partner. */
export function pingLines(report: ScenarioReport): string[] {
  return report.apps
    .filter((a) => a.rtt !== null)
    .map(
      (a) =>
        `ping (${a.name}): ${a.rtt!.count} replies, rtt min/p50/p99/max = ${us(a.rtt!.min)}/${us(a.rtt!.p50)}/${us(a.rtt!.p99)}/${us(a.rtt!.max)} µs`,
    );
}

/** The driver's flow table, and how long new flows ran on their service class before their entry. */
function flowTableLine(f: ScenarioReport['flowTable']): string {
  const us = (ns: number) => `${(ns / 1e3).toFixed(1)} µs`;
  return (
    `flow table ${f.entries} entries, ${f.hits} hits, ${f.misses} misses, ${f.evictions} evictions; ` +
    `${f.missWindows} flows sent before their entry arrived (window mean ${us(f.missWindowMeanNs)}, max ${us(f.missWindowMaxNs)})`
  );
}

export function reportText(report: ScenarioReport): string {
  const secs = report.durationNs / 1e9;
  const pings = pingLines(report);
  return [
    `scenario ${report.scenario}  link ${report.link}  seed ${report.seed}  ${secs}s virtual  rules generation ${report.rulesGeneration}`,
    '',
    appTable(report.apps),
    '',
    queueTable(report),
    `link utilisation ${(report.linkUtilisation * 100).toFixed(2)}%`,
    flowTableLine(report.flowTable),
    ...(pings.length > 0 ? ['', ...pings] : []),
    '',
    netstatTable(report),
  ].join('\n');
}
