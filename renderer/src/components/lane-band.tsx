/**
 * One lane on the Overview: its name and queue, live rate with its share of the link, what
 * waits in it (bytes and time at line rate), drops, the apps in it, and its last minute.
 */
import type { Lane } from '../lanes.ts';
import type { LaneLive } from '../session/live-stats.ts';
import type { AppView } from '../session/session.ts';
import { bytes, count, latency, percent, rate } from '../format.ts';
import { Meter } from './meter.tsx';
import { Sparkline } from './sparkline.tsx';
import { Monogram } from './monogram.tsx';

/** Queue time at which the occupancy bar is full (OURS: 10 ms, CoDel's interval / 10). */
const FULL_QUEUE_NS = 10e6;

export function LaneBand({
  lane,
  live,
  linkBps,
  apps,
}: {
  lane: Lane;
  live: LaneLive;
  linkBps: number;
  apps: AppView[];
}) {
  const waitNs = linkBps > 0 ? (live.queuedBytes * 8 * 1e9) / linkBps : 0;
  return (
    <li className={`lane-band lane-${lane.priority}`} aria-label={`${lane.name} lane, Queue ${lane.queue}`}>
      <div className="lane-id">
        <span className="lane-name">{lane.name}</span>
        <span className="lane-sub">Queue {lane.queue}</span>
      </div>
      <div className="lane-cell">
        <span className="lane-figure figure">{rate(live.txBps)}</span>
        <Meter value={linkBps > 0 ? live.txBps / linkBps : 0} label={`${lane.name}: share of the link`} />
        <span className="lane-note">
          {linkBps > 0 ? `${percent(live.txBps / linkBps, live.txBps / linkBps < 0.1 ? 1 : 0)} of link` : '—'}
        </span>
      </div>
      <div className="lane-cell">
        <span className="lane-figure figure">{bytes(live.queuedBytes)}</span>
        <Meter
          value={waitNs / FULL_QUEUE_NS}
          label={`${lane.name}: queue occupancy`}
          tone={waitNs > 5e6 ? 'warn' : 'neutral'}
        />
        <span className="lane-note">
          {live.queuedBytes > 0 ? `${latency(waitNs)} to drain` : 'nothing waiting'}
        </span>
      </div>
      <div className="lane-cell lane-drops">
        <span className={`lane-figure figure${live.drops > 0 ? ' warn-text' : ''}`}>{count(live.drops)}</span>
        <span className="lane-note">drops</span>
      </div>
      <ul className="lane-apps" aria-label={`Apps in ${lane.name}`}>
        {apps.length === 0 && <li className="muted lane-empty">no apps</li>}
        {apps.map((a) => (
          <li key={a.slot} className={`app-pill${a.live.txBps + a.live.rxBps > 0 ? '' : ' idle'}`}>
            <Monogram name={a.name} size={18} />
            {a.name}
          </li>
        ))}
      </ul>
      <Sparkline values={live.history} width={120} height={36} className="lane-spark" />
    </li>
  );
}
