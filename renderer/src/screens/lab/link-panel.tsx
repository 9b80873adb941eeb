/** The link partner's speed, the workload, and the bench's own status. */
import { useState } from 'react';
import { LAB_LINK_SPEEDS_MBPS } from '../../../../driver-runtime/abi/lab-abi.ts';
import { clock, latency, percent, reason } from '../../format.ts';
import { usePoll } from '../../hooks/use-poll.ts';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { SCENARIOS } from './lab-data.ts';

const speedName = (mbps: number) => (mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`);

export function LinkPanel() {
  const session = useSession();
  const { boot, scenario } = useSnapshot();
  const status = usePoll(() => session.lab!.status(), 1000, [boot]);
  const [next, setNext] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const s = status.data;
  const setSpeed = async (mbps: number) => {
    setBusy(true);
    try {
      await session.lab!.setLinkSpeed(mbps);
      session.note('you', 'link speed', `Link partner set to ${speedName(mbps)}; the link renegotiates.`);
      status.reload();
    } catch (e) {
      session.note('you', 'link speed', `refused: ${reason(e)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const reboot = async () => {
    const name = next || scenario || SCENARIOS[0].name;
    setBusy(true);
    session.note('you', 'switch workload', `Rebooting the simulated machine with “${name}”.`);
    try {
      await session.lab!.switchScenario(name);
    } catch (e) {
      session.note('you', 'switch workload', `refused: ${reason(e)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="link-title">
      <div className="panel-head">
        <h2 id="link-title">Link and workload</h2>
      </div>
      <div className="link-grid">
        <div role="radiogroup" aria-label="Link partner speed" className="segmented">
          {LAB_LINK_SPEEDS_MBPS.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={s?.linkMbps === m}
              disabled={busy}
              className="seg"
              onClick={() => s?.linkMbps !== m && void setSpeed(m)}
            >
              {speedName(m)}
            </button>
          ))}
        </div>
        <div className="workload">
          <label className="inline-field">
            <span>Workload</span>
            <select
              className="select"
              value={next || scenario || ''}
              onChange={(e) => setNext(e.target.value)}
            >
              {SCENARIOS.map((x) => (
                <option key={x.name} value={x.name} title={x.what}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" disabled={busy} onClick={() => void reboot()}>
            Reboot with it
          </button>
        </div>
      </div>
      {s && (
        <dl className="lab-status">
          <div>
            <dt>Machine time</dt>
            <dd>{clock(s.virtualNs)}</dd>
          </div>
          <div>
            <dt>Behind wall clock</dt>
            <dd>{latency(s.lagNs)}</dd>
          </div>
          <div>
            <dt>Simulator busy</dt>
            <dd>{s.elapsedMs > 0 ? percent(s.busyMs / s.elapsedMs) : '—'}</dd>
          </div>
          <div>
            <dt>Link</dt>
            <dd>{s.linkUp ? speedName(s.linkMbps) : 'down'}</dd>
          </div>
          <div>
            <dt>Faults injected</dt>
            <dd>{s.faultsInjected}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
