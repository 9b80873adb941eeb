/** Events as a log: when (and the machine's own time for the driver's), who, what, the detail; newest first. */
import type { EventItem } from '../session/events.ts';
import { clock } from '../format.ts';

export function EventList({
  events,
  empty,
  label,
}: {
  events: readonly EventItem[];
  empty: string;
  label: string;
}) {
  if (events.length === 0) return <p className="muted event-empty">{empty}</p>;
  return (
    // The live region wraps the list: role="log" on the <ol> itself would take its list semantics away.
    <div role="log" aria-label={label} aria-live="polite">
      <ol className="event-list">
        {[...events].reverse().map((e) => (
          <li key={e.key} className={`event sev-${e.severity}`} data-event={e.name}>
            <span className="event-time mono">
              {new Date(e.at).toLocaleTimeString('en-GB', { hour12: false })}
              {e.timeNs !== null && (
                <span className="event-machine" title="machine time since boot">
                  {clock(e.timeNs)}
                </span>
              )}
            </span>
            <span className={`event-name src-${e.source}`}>{e.name}</span>
            <span className="event-detail">{e.detail}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
