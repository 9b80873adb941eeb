/**
 * Bring-up diagnostics ("why no packet flows"): the driver's findings, each naming its
 * object (a button that shows it), and the driver's own event log beside them.
 */
import {
  FINDING_CODES,
  SEVERITY_ERROR,
  SEVERITY_WARNING,
} from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { usePoll } from '../../hooks/use-poll.ts';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { AlertIcon, CheckIcon, InfoIcon } from '../../components/icons.tsx';
import { EventList } from '../../components/event-list.tsx';

const SEVERITY = [
  { name: 'info', icon: InfoIcon },
  { name: 'warning', icon: AlertIcon },
  { name: 'error', icon: AlertIcon },
];

export function DiagnosticsTab({ onObject }: { onObject: (object: string) => void }) {
  const session = useSession();
  const { boot, events } = useSnapshot();
  const findings = usePoll(() => session.nl!.diagnose(), 2000, [boot]);
  const list = findings.data ?? [];
  const bad = list.filter((f) => f.severity >= SEVERITY_WARNING);
  return (
    <div className="diagnostics">
      <div>
        <div className={`diag-summary ${bad.length ? 'bad' : 'good'}`} role="status">
          {bad.length ? <AlertIcon /> : <CheckIcon />}
          <span>
            {findings.loading
              ? 'Asking the driver…'
              : bad.length
                ? `${bad.length} reason${bad.length === 1 ? '' : 's'} packets may not flow`
                : 'Packets can flow'}
          </span>
          <button type="button" className="btn btn-small" onClick={findings.reload}>
            Run again
          </button>
        </div>
        {findings.error && <p className="bad-text">Diagnose failed: {findings.error}</p>}
        <ul className="findings" aria-label="Findings">
          {list.map((f, i) => {
            const sev = SEVERITY[f.severity] ?? SEVERITY[0];
            const Icon = sev.icon;
            return (
              <li
                key={i}
                className={`finding sev-${f.severity === SEVERITY_ERROR ? 'error' : f.severity === SEVERITY_WARNING ? 'warn' : 'info'}`}
              >
                <Icon />
                <div>
                  <p className="finding-head">
                    <button
                      type="button"
                      className="object-link mono"
                      onClick={() => onObject(f.object)}
                      title={`Show ${f.object}`}
                    >
                      {f.object}
                    </button>
                    <span className="pill">{FINDING_CODES[f.code] ?? f.code}</span>
                    <span className="visually-hidden">{sev.name}</span>
                  </p>
                  <p>{f.message}</p>
                </div>
              </li>
            );
          })}
        </ul>
      </div>
      <div>
        <h3 className="detail-title">Driver log</h3>
        <EventList
          events={events.filter((e) => e.source === 'driver')}
          empty="The driver has logged nothing yet."
          label="Driver log"
        />
      </div>
    </div>
  );
}
