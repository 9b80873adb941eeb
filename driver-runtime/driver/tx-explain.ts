/**
 * explain: why a packet goes to its queue and what the driver holds for an app slot, from what
 * the driver sees (a 5-tuple, a service class) and the tables in force. Control path only —
 * the Tx path's job is moving packets; this is its ethtool side.
 */
import type { PacketDescription } from '../abi/netlanes-abi.ts';
import { QUEUE_BY_SERVICE_CLASS } from '../abi/netlanes-abi.ts';
import { formatIpv4 } from '../net/ipv4-address.ts';
import type { TxPath } from './tx-path.ts';

/** The Tx path's tables an explanation reads. */
export type TxTables = Pick<TxPath, 'classifier' | 'settings' | 'shaper'>;

/**
 * explain(packet): why a packet goes to its queue, and whether a cap will hold it — from
 * what the driver sees (its 5-tuple and service class) and the tables in force (control path).
 */
export function explainPacket(tx: TxTables, d: PacketDescription): string[] {
  const c = tx.classifier;
  const proto =
    d.protocol === 6
      ? 'TCP'
      : d.protocol === 17
        ? 'UDP'
        : d.protocol === 1
          ? 'ICMP'
          : `IP proto ${d.protocol}`;
  const steps = [
    `packet: ${proto} ${formatIpv4(d.localIp)}:${d.localPort} → ${formatIpv4(d.remoteIp)}:${d.remotePort}, service class ${d.serviceClass}`,
  ];
  if (c.forcedQueue >= 0) {
    steps.push(`single-queue baseline: every packet → Queue ${c.forcedQueue}`);
    return steps;
  }
  const bucket = c.flows.bucketFor(d.protocol, d.localIp, d.remoteIp, d.localPort, d.remotePort);
  const slot = bucket < 0 ? 0 : c.flows.slot[bucket];
  if (bucket < 0)
    steps.push('flow table: no entry for this 5-tuple (a new flow, or not a flow the app reported)');
  else steps.push(`flow table: flow ${c.flows.flowId[bucket]} → ${tx.settings.name(slot)}`);
  const setting = c.settingOf(slot);
  if (setting !== QUEUE_BY_SERVICE_CLASS) {
    const why = tx.settings.reasons[slot] ? ` (${tx.settings.reasons[slot]})` : '';
    steps.push(`settings generation ${c.generation}: ${tx.settings.name(slot)} → Queue ${setting}${why}`);
  } else {
    if (bucket >= 0)
      steps.push(`settings generation ${c.generation}: no queue set for ${tx.settings.name(slot)}`);
    steps.push(
      `default: service class ${d.serviceClass} folds to Queue ${c.queueForClass(d.serviceClass)} (xnu 10 → 4)`,
    );
  }
  if (tx.shaper.isCapped(slot))
    steps.push(
      `${tx.settings.name(slot)} is capped at ${tx.settings.capBps[slot] / 1e6} Mb/s: packets beyond its tokens wait in its hold ring`,
    );
  return steps;
}

/** explain(app slot): what the driver holds for a slot (control path). */
export function explainSlot(tx: TxTables, slot: number): string[] {
  const s = tx.settings;
  if (!(slot >= 0 && slot < s.slots)) return [`slot ${slot}: not a slot (0..${s.slots - 1})`];
  let flows = 0;
  tx.classifier.flows.forEach((b) => {
    if (tx.classifier.flows.slot[b] === slot) flows++;
  });
  const q = tx.classifier.settingOf(slot);
  const steps = [`${s.name(slot)}: ${flows} flow${flows === 1 ? '' : 's'} in the flow table`];
  steps.push(
    q === QUEUE_BY_SERVICE_CLASS
      ? `settings generation ${tx.classifier.generation}: no queue set; its packets take their service class's queue`
      : `settings generation ${tx.classifier.generation}: Queue ${q}${s.reasons[slot] ? ` (${s.reasons[slot]})` : ''}`,
  );
  if (s.capBps[slot] > 0) steps.push(`cap ${s.capBps[slot] / 1e6} Mb/s, burst ${s.burstBytes[slot]} B`);
  return steps;
}
