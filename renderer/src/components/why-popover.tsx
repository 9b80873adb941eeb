/**
 * "Why this queue": the rule chain (which rule, or the service class default) and the
 * driver's own explanation of the app's slot (ExplainApp), in a popover.
 */
import { useId, useState } from 'react';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { laneOf } from '../lanes.ts';
import { reason } from '../format.ts';
import { ruleOf, serviceClassName, type AppRow } from '../session/app-data.ts';
import { InfoIcon } from './icons.tsx';
import { LaneChip } from './lane-chip.tsx';

export function WhyPopover({ app }: { app: AppRow }) {
  const id = useId().replace(/:/g, '');
  const session = useSession();
  const { rules } = useSnapshot();
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    setLines(null);
    setError(null);
    session.nl
      ?.explainApp(app.slot)
      .then(setLines)
      .catch((e: unknown) => setError(reason(e)));
  };
  const rule = ruleOf(rules, app);
  const lane = laneOf(app.queue);
  return (
    <>
      <button
        type="button"
        className="icon-btn why-btn"
        popoverTarget={`why-${id}`}
        aria-label={`Why is ${app.name} in ${lane?.name ?? 'its'} lane?`}
        title="Why this lane?"
        onClick={load}
      >
        <InfoIcon />
      </button>
      <div
        id={`why-${id}`}
        popover="auto"
        className="popover why"
        role="dialog"
        aria-label={`Why ${app.name} is in its lane`}
      >
        <p className="why-head">
          <strong>{app.name}</strong> is in <LaneChip queue={app.queue} />
        </p>
        <ol className="why-chain">
          {rule ? (
            <li>
              Rule <code>{rule.name ?? rule.id}</code> matches its{' '}
              {rule.match.bundleId ? 'bundle id' : 'path'}{' '}
              <code>{rule.match.bundleId ?? rule.match.path}</code> and sets{' '}
              <strong>{laneOf(['low', 'normal', 'high', 'highest'].indexOf(rule.priority))?.name}</strong>
              {rule.capBps ? `, capped` : ''}
              {rule.schedule
                ? ` (${rule.schedule.days.join(', ')} ${rule.schedule.start}–${rule.schedule.end})`
                : ''}
              .
            </li>
          ) : (
            <li>
              No rule matches it, so its service class decides:{' '}
              <strong>{serviceClassName(app.serviceClass)}</strong> → {lane?.name ?? 'its default'}.
            </li>
          )}
        </ol>
        <p className="why-sub">The driver says:</p>
        {error ? (
          <p className="bad-text">{error}</p>
        ) : lines === null ? (
          <p className="muted">Asking the driver…</p>
        ) : (
          <ul className="why-driver">
            {lines.map((l) => (
              <li key={l}>
                <code>{l}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
