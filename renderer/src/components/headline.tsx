/**
 * The sentence to read in two seconds: who is using the link, and is anyone waiting. A lane
 * with packets queued and nothing leaving is starved (its apps wait without end, and their
 * packets hold the shared pool): that comes first, with one click to move the hog down. An
 * app waiting long behind others comes next, with one click to raise it.
 */
import type { AppView } from '../session/session.ts';
import type { LaneLive } from '../session/live-stats.ts';
import { bytes, latency, percent } from '../format.ts';
import { gradeOf } from '../grade.ts';
import { LANES } from '../lanes.ts';
import { laneNow, steadyRate } from './top-apps.tsx';

/** Waiting: a p99 at or above this, or a grade below A+ (OURS: 20 ms, a call's jitter budget). */
const WAITING_NS = 20e6;
/** Starved: packets queued and less than this share of the link leaving (OURS). */
const STARVED_SHARE = 0.001;

interface Props {
  apps: AppView[];
  lanes: LaneLive[];
  linkBps: number;
  onRaise: (a: AppView) => void;
  onLower: (a: AppView) => void;
}

function names(list: string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

export function Headline({ apps, lanes, linkBps, onRaise, onLower }: Props) {
  const active = apps.filter((a) => a.live.txBps + a.live.rxBps > 0);
  if (active.length === 0)
    return (
      <div className="headline">
        <p className="headline-main">The link is quiet.</p>
        <p className="headline-sub">No app is sending or receiving right now.</p>
      </div>
    );
  // Ten-second means: the headline does not change its mind with every sample.
  const top = [...active].sort((a, b) => steadyRate(b) - steadyRate(a))[0];
  const share = linkBps > 0 ? steadyRate(top) / linkBps : 0;
  const starved = LANES.filter((l) => {
    const live = lanes[l.queue];
    return live.queuedBytes > 0 && live.txBps < linkBps * STARVED_SHARE;
  });
  const waiting = active
    .filter(
      (a) =>
        a.slot !== top.slot &&
        a.live.p99 !== null &&
        (a.live.p99 >= WAITING_NS || gradeOf(a.live.meanNs ?? 0) !== 'A+'),
    )
    .sort((a, b) => (b.live.p99 ?? 0) - (a.live.p99 ?? 0))[0];
  const worstP99 = Math.max(0, ...active.map((a) => a.live.p99 ?? 0));
  const others = active.length - 1;
  const hogAbove = starved.length > 0 && share > 0.5 && starved.every((l) => l.queue < laneNow(top));
  return (
    <div className={`headline${starved.length || waiting ? ' headline-warn' : ''}`}>
      <p className="headline-main">
        <strong>{top.name}</strong> is using {percent(share)} of the link
        {others > 0 ? `; ${others} other app${others === 1 ? ' is' : 's are'} active.` : '.'}
      </p>
      {starved.length > 0 ? (
        <p className="headline-sub">
          <span>
            <span className="warn-text">
              {names(starved.map((l) => l.name))} {starved.length === 1 ? 'is' : 'are'} starved
            </span>
            : {bytes(starved.reduce((s, l) => s + lanes[l.queue].queuedBytes, 0))} waiting and nothing
            leaving.
          </span>
          {hogAbove && (
            <button type="button" className="btn btn-primary btn-small" onClick={() => onLower(top)}>
              Move {top.name} to Low
            </button>
          )}
        </p>
      ) : waiting ? (
        <p className="headline-sub">
          <span>
            <strong>{waiting.name}</strong> is waiting: {latency(waiting.live.p99 ?? 0)} at p99 (grade{' '}
            {gradeOf(waiting.live.meanNs ?? 0)}).
          </span>
          {laneNow(waiting) !== 3 && (
            <button type="button" className="btn btn-primary btn-small" onClick={() => onRaise(waiting)}>
              Raise {waiting.name} to Highest
            </button>
          )}
        </p>
      ) : (
        <p className="headline-sub">
          <span>
            <span className="ok-text">Nobody is waiting</span> — every app's p99 is under{' '}
            {latency(Math.max(worstP99, 1000))}.
          </span>
        </p>
      )}
    </div>
  );
}
