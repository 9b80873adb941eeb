/** "Top applications": who uses the link right now, in which lane, and how long they wait. */
import type { AppView } from '../session/session.ts';
import { rate } from '../format.ts';
import { LaneChip } from './lane-chip.tsx';
import { LatencyFigure } from './grade-badge.tsx';
import { Monogram } from './monogram.tsx';
import { Sparkline } from './sparkline.tsx';
import { UpIcon, DownIcon } from './icons.tsx';

/** The lane an app's packets are in: the driver's word once it sent, else what the rules say. */
export function laneNow(a: AppView): number {
  return a.live.queue >= 0 ? a.live.queue : a.queue;
}

/** An app's rate over its last 10 seconds: steady enough to order rows by without them jumping. */
export function steadyRate(a: AppView): number {
  const tx = a.live.txHistory.slice(-20);
  const rx = a.live.rxHistory.slice(-20);
  const n = Math.max(1, tx.length);
  return (tx.reduce((x, y) => x + y, 0) + rx.reduce((x, y) => x + y, 0)) / n;
}

export function TopApps({ apps }: { apps: AppView[] }) {
  return (
    <table className="table top-apps">
      <caption className="visually-hidden">Top applications by rate</caption>
      <thead>
        <tr>
          <th scope="col">Application</th>
          <th scope="col">Lane</th>
          <th scope="col" className="num">
            <UpIcon /> Upload
          </th>
          <th scope="col" className="num">
            <DownIcon /> Download
          </th>
          <th scope="col" className="num">
            p99 wait <span className="muted">(5 s)</span>
          </th>
          <th scope="col">
            <span className="visually-hidden">Last minute</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {apps.map((a) => (
          <tr key={a.slot} data-app={a.name}>
            <td>
              <span className="app-cell">
                <Monogram name={a.name} />
                <span>
                  <span className="app-name" title={a.name}>
                    {a.name}
                  </span>
                  <span className="app-sub" title={a.bundleId}>
                    {a.bundleId}
                  </span>
                </span>
              </span>
            </td>
            <td>
              <LaneChip queue={laneNow(a)} />
            </td>
            <td className="num figure">{rate(a.live.txBps)}</td>
            <td className="num figure">{rate(a.live.rxBps)}</td>
            <td className="num">
              <LatencyFigure p99={a.live.p99} meanNs={a.live.meanNs} />
            </td>
            <td className={`lane-tint lane-${['low', 'normal', 'high', 'highest'][laneNow(a)] ?? 'normal'}`}>
              <Sparkline
                values={a.live.txHistory.map((v, i) => v + (a.live.rxHistory[i] ?? 0))}
                width={96}
                height={22}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
