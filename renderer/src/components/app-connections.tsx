/** An app's connections (the driver's flow table for its slot): 5-tuple, volume, rate, lane. */
import { useRef } from 'react';
import type { FlowStatRecord } from '../../../driver-runtime/abi/netlanes-abi.ts';
import { QUEUE_BY_SERVICE_CLASS } from '../../../driver-runtime/abi/netlanes-abi.ts';
import { PROTOCOLS, bytes, count, ipv4, rate } from '../format.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { useSession } from '../hooks/use-session.ts';
import { LaneChip } from './lane-chip.tsx';

export function AppConnections({ slot, laneQueue }: { slot: number; laneQueue: number }) {
  const session = useSession();
  const last = useRef(new Map<number, { bytes: number; at: number }>());
  const rates = useRef(new Map<number, number>());
  const flows = usePoll(
    async () => {
      const list: FlowStatRecord[] = (await session.nl?.flows(slot)) ?? [];
      const now = performance.now();
      for (const f of list) {
        const before = last.current.get(f.flowId);
        if (before && now > before.at)
          rates.current.set(f.flowId, ((f.bytes - before.bytes) * 8 * 1000) / (now - before.at));
        last.current.set(f.flowId, { bytes: f.bytes, at: now });
      }
      return list;
    },
    1000,
    [slot],
  );
  if (flows.error) return <p className="bad-text">Could not read its flows: {flows.error}</p>;
  if (!flows.data) return <p className="muted">Reading the flow table…</p>;
  if (flows.data.length === 0)
    return <p className="muted">No open connections in the driver's flow table.</p>;
  return (
    <table className="table dense connections">
      <caption className="visually-hidden">Connections</caption>
      <thead>
        <tr>
          <th scope="col">Proto</th>
          <th scope="col">Local</th>
          <th scope="col">Remote</th>
          <th scope="col" className="num">
            Packets
          </th>
          <th scope="col" className="num">
            Sent
          </th>
          <th scope="col" className="num">
            Rate
          </th>
          <th scope="col">Lane</th>
        </tr>
      </thead>
      <tbody>
        {flows.data.map((f) => (
          <tr key={f.flowId}>
            <td>{PROTOCOLS[f.protocol] ?? f.protocol}</td>
            <td className="mono">
              {ipv4(f.localIp)}:{f.localPort}
            </td>
            <td className="mono">
              {ipv4(f.remoteIp)}
              {f.protocol === 1 ? '' : `:${f.remotePort}`}
            </td>
            <td className="num">{count(f.packets)}</td>
            <td className="num">{bytes(f.bytes)}</td>
            <td className="num">{rate(rates.current.get(f.flowId) ?? 0)}</td>
            <td>
              <LaneChip queue={f.queue === QUEUE_BY_SERVICE_CLASS ? laneQueue : f.queue} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
