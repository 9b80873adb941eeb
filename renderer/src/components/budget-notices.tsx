/** Budget warnings and actions as they happen: the page's own notification (web mode and Electron alike). */
import { useSession, useSnapshot } from '../hooks/use-session.ts';

export function BudgetNotices() {
  const session = useSession();
  const { store } = useSnapshot();
  if (store.notices.length === 0) return null;
  return (
    <div className="budget-notices" role="region" aria-label="Budget notifications">
      {store.notices.map((n) => (
        <div
          key={n.id}
          className={`banner ${/reached/.test(n.message) ? 'banner-bad' : 'banner-warn'}`}
          role="alert"
        >
          <span>{n.message}</span>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss"
            onClick={() => session.dismissNotice(n.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
