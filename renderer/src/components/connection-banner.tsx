/** What the connection is doing when it is not simply live, and what was kept. */
import { useSession, useSnapshot } from '../hooks/use-session.ts';

export function ConnectionBanner() {
  const s = useSnapshot();
  const session = useSession();
  if (s.phase === 'restarting')
    return (
      <div className="banner banner-warn" role="status">
        <span className="spinner small" aria-hidden="true" />
        <span>
          <strong>The driver restarted — reconnecting.</strong> NetLanes re-applies your rules; the figures
          below are the last ones it sent.
        </span>
      </div>
    );
  if (s.phase === 'lost')
    return (
      <div className="banner banner-bad" role="alert">
        <span>
          <strong>Connection to NetLanes lost.</strong> The figures are frozen as they last were; nothing was
          changed.
        </span>
        <button type="button" className="btn" onClick={() => session.retry()}>
          Reconnect
        </button>
      </div>
    );
  if (s.phase === 'failed' && s.info)
    return (
      <div className="banner banner-bad" role="alert">
        <span>
          <strong>Cannot reach the driver:</strong> {s.error}
        </span>
        <button type="button" className="btn" onClick={() => session.retry()}>
          Try again
        </button>
      </div>
    );
  return null;
}
