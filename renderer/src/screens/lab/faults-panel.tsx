/** Fault injection: buttons that name the fault; the driver's reaction streams beside them. */
import { useState } from 'react';
import { clock, reason } from '../../format.ts';
import { useSession } from '../../hooks/use-session.ts';
import { FAULTS, type FaultSpec } from './lab-data.ts';

export function FaultsPanel() {
  const session = useSession();
  const [busy, setBusy] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<FaultSpec | null>(null);
  const inject = async (f: FaultSpec) => {
    const lab = session.lab;
    if (lab === null) return;
    setBusy(f.kind);
    try {
      const at = await lab.injectFault(f.spec);
      session.note('you', `inject ${f.kind}`, `${f.name} at ${clock(at)} machine time`);
    } catch (e) {
      session.note('you', `inject ${f.kind}`, `refused: ${reason(e)}`, 'error');
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="faults-title">
      <div className="panel-head">
        <h2 id="faults-title">Inject a fault</h2>
        <span className="muted">
          What a test bench does to a real card; the driver only sees the hardware react.
        </span>
      </div>
      <ul className="fault-grid">
        {FAULTS.map((f) => (
          <li key={f.kind}>
            <button
              type="button"
              className={`fault-btn${f.destructive ? ' destructive' : ''}`}
              disabled={busy !== null || session.lab === null}
              onClick={() => (f.destructive ? setConfirm(f) : void inject(f))}
              aria-describedby={`fault-${f.kind}`}
            >
              <span className="fault-name">{f.name}</span>
              <span className="fault-what" id={`fault-${f.kind}`}>
                {f.what}
              </span>
              {busy === f.kind && <span className="spinner small" aria-label="injecting" />}
            </button>
          </li>
        ))}
      </ul>
      {confirm && (
        <div className="banner banner-warn confirm" role="alertdialog" aria-label={`Confirm ${confirm.name}`}>
          <span>
            <strong>{confirm.name}</strong> takes the card away until you switch the workload. Go ahead?
          </span>
          <button
            type="button"
            className="btn btn-danger"
            autoFocus
            onClick={() => {
              setConfirm(null);
              void inject(confirm);
            }}
          >
            Remove the card
          </button>
          <button type="button" className="btn" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
