/**
 * The sentence to read in two seconds: who is using the link, and is anyone waiting. When
 * someone waits behind another app, one click raises it to the top lane.
 */
import type { AppView } from '../session/session.ts';
import { latency, percent } from '../format.ts';
import { gradeOf } from '../grade.ts';
import { laneNow } from './top-apps.tsx';

/** Waiting: a p99 at or above this, or a grade below A+ (OURS: 20 ms, a call's jitter budget). */
const WAITING_NS = 20e6;

export function Headline({
  apps,
  linkBps,
  onRaise,
}: {
  apps: AppView[];
  linkBps: number;
  onRaise: (a: AppView) => void;
}) {
  const active = apps.filter((a) => a.live.txBps + a.live.rxBps > 0);
  if (active.length === 0)
    return (
      <div className="headline">
        <p className="headline-main">The link is quiet.</p>
        <p className="headline-sub">No app is sending or receiving right now.</p>
      </div>
    );
  const byRate = [...active].sort((a, b) => b.live.txBps + b.live.rxBps - (a.live.txBps + a.live.rxBps));
  const top = byRate[0];
  const share = linkBps > 0 ? (top.live.txBps + top.live.rxBps) / linkBps : 0;
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
  return (
    <div className={`headline${waiting ? ' headline-warn' : ''}`}>
      <p className="headline-main">
        <strong>{top.name}</strong> is using {percent(share)} of the link
        {others > 0 ? `; ${others} other app${others === 1 ? ' is' : 's are'} active.` : '.'}
      </p>
      {waiting ? (
        <p className="headline-sub">
          <strong>{waiting.name}</strong> is waiting: {latency(waiting.live.p99 ?? 0)} at p99 (grade{' '}
          {gradeOf(waiting.live.meanNs ?? 0)}).
          {laneNow(waiting) !== 3 && (
            <button type="button" className="btn btn-primary btn-small" onClick={() => onRaise(waiting)}>
              Raise {waiting.name} to Highest
            </button>
          )}
        </p>
      ) : (
        <p className="headline-sub">
          <span className="ok-text">Nobody is waiting</span> — every app's p99 is under{' '}
          {latency(Math.max(worstP99, 1000))}.
        </p>
      )}
    </div>
  );
}
