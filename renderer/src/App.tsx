/**
 * The window: the sidebar on the left; on the right the card line, the connection's state
 * when it is not live, and the current screen. Before the first answer, a designed
 * connecting or failure state stands in for the screen.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Sidebar } from './components/sidebar.tsx';
import { CardLine } from './components/card-line.tsx';
import { ConnectionBanner } from './components/connection-banner.tsx';
import { BudgetNotices } from './components/budget-notices.tsx';
import { EmptyState } from './components/empty-state.tsx';
import { AlertIcon } from './components/icons.tsx';
import { useSession, useSnapshot } from './hooks/use-session.ts';
import { SCREENS, type ScreenId } from './screens/screens.ts';
import { Overview } from './screens/overview.tsx';
import { Applications } from './screens/applications.tsx';
import { History } from './screens/history.tsx';
import { Driver } from './screens/driver.tsx';
import { Lab } from './screens/lab.tsx';
import { Settings } from './screens/settings.tsx';

const SCREEN_KEY = 'netlanes.screen';

function initialScreen(): ScreenId {
  const kept = sessionStorage.getItem(SCREEN_KEY);
  return SCREENS.find((s) => s.id === kept)?.id ?? 'overview';
}

function Screen({ id, go }: { id: ScreenId; go: (id: ScreenId) => void }): ReactNode {
  switch (id) {
    case 'overview':
      return <Overview go={go} />;
    case 'applications':
      return <Applications />;
    case 'history':
      return <History />;
    case 'driver':
      return <Driver />;
    case 'lab':
      return <Lab />;
    case 'settings':
      return <Settings />;
  }
}

function NotYet() {
  const s = useSnapshot();
  const session = useSession();
  if (s.phase === 'failed')
    return (
      <EmptyState
        tone="error"
        icon={<AlertIcon />}
        title="Cannot reach NetLanes"
        action={
          <button type="button" className="btn btn-primary" onClick={() => session.retry()}>
            Try again
          </button>
        }
      >
        <p>{s.error}</p>
      </EmptyState>
    );
  return (
    <EmptyState tone="busy" title="Connecting to the driver…">
      <p>Opening the NetLanes user client and mapping its statistics. This takes a moment.</p>
    </EmptyState>
  );
}

export function App() {
  const s = useSnapshot();
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const go = (id: ScreenId) => {
    setScreen(id);
    sessionStorage.setItem(SCREEN_KEY, id);
  };
  useEffect(() => {
    document.title = `${SCREENS.find((x) => x.id === screen)!.name} — NetLanes`;
  }, [screen]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const i = Number(e.key) - 1;
      if (Number.isInteger(i) && i >= 0 && i < SCREENS.length) {
        e.preventDefault();
        go(SCREENS[i].id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const ready = s.info !== undefined;
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Sidebar active={screen} onSelect={go} />
      <div className="main-col">
        <CardLine />
        <ConnectionBanner />
        <BudgetNotices />
        <main id="content" className={`content screen-${screen}`} tabIndex={-1} data-phase={s.phase}>
          {ready ? <Screen id={screen} go={go} /> : <NotYet />}
        </main>
      </div>
    </div>
  );
}
