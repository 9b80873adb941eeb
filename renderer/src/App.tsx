import { INFO_LINK_UP } from '../../driver-runtime/abi/netlanes-abi.ts';
import { bytes, mac, rate } from './format.ts';
import { LANES } from './lanes.ts';
import { useDriver } from './use-driver.ts';

export function App() {
  const view = useDriver();
  const info = view.info;
  const linkUp = info !== undefined && (info.flags & INFO_LINK_UP) !== 0;
  return (
    <main className="app">
      <header className="card-line" aria-live="polite">
        <span className={`dot ${view.state === 'live' && linkUp ? 'up' : 'down'}`} aria-hidden="true" />
        {info ? (
          <span>
            {info.model} · {mac(info.mac)} · {linkUp ? `${rate(info.linkBps)} full duplex` : 'no link'} · MTU{' '}
            {info.mtu} · {view.state === 'live' ? 'driver running' : view.state}
          </span>
        ) : (
          <span>
            {view.state === 'failed' ? `Cannot reach NetLanes: ${view.error}` : 'Connecting to the driver…'}
          </span>
        )}
      </header>
      <section className="lanes" aria-label="Lanes">
        {LANES.map((lane) => {
          const f = view.lanes[lane.queue];
          return (
            <div key={lane.queue} className={`lane lane-${lane.priority}`}>
              <span className="lane-name">
                {lane.name} <span className="muted">Queue {lane.queue}</span>
              </span>
              <span className="figure">{rate(f.txBps)}</span>
              <span className="figure muted">{bytes(f.queuedBytes)} queued</span>
              <span className="figure muted">{f.drops} drops</span>
            </div>
          );
        })}
      </section>
    </main>
  );
}
