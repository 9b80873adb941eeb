/** Overview: the headline, the four lanes, and the top applications. */
import { LANES } from '../lanes.ts';
import { useSnapshot } from '../hooks/use-session.ts';
import { useLaneChange } from '../hooks/use-lane-change.ts';
import { LaneBand } from '../components/lane-band.tsx';
import { TopApps, laneNow, steadyRate } from '../components/top-apps.tsx';
import { Headline } from '../components/headline.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { Toast } from '../components/toast.tsx';
import type { ScreenId } from './screens.ts';

const TOP = 6;

export function Overview({ go }: { go: (id: ScreenId) => void }) {
  const s = useSnapshot();
  const change = useLaneChange();
  const linkBps = s.info?.linkBps ?? 0;
  const top = [...s.apps]
    .sort((a, b) => steadyRate(b) - steadyRate(a) || a.name.localeCompare(b.name))
    .slice(0, TOP);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">Overview</h1>
      </div>
      <Headline
        apps={s.apps}
        lanes={s.lanes}
        linkBps={linkBps}
        onRaise={(a) => void change.setLane([a], 'highest')}
        onLower={(a) => void change.setLane([a], 'low')}
      />
      {change.error && (
        <div className="banner banner-bad" role="alert">
          {change.error}
        </div>
      )}
      <h2 className="section-title">Lanes</h2>
      <ol className="lanes" aria-label="Lanes, highest first">
        {LANES.map((lane) => (
          <LaneBand
            key={lane.queue}
            lane={lane}
            live={s.lanes[lane.queue]}
            linkBps={linkBps}
            apps={s.apps.filter((a) => laneNow(a) === lane.queue)}
          />
        ))}
      </ol>
      <div className="section-row">
        <h2 className="section-title">Top applications</h2>
        <button type="button" className="link-btn" onClick={() => go('applications')}>
          All applications →
        </button>
      </div>
      {top.length === 0 ? (
        <EmptyState title="No applications yet">
          <p>Traffic will appear here within a second of an app sending.</p>
        </EmptyState>
      ) : (
        <div className="panel flush">
          <TopApps apps={top} />
        </div>
      )}
      <Toast toast={change.toast} onDone={change.dismissToast} />
    </section>
  );
}
