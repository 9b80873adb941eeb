/**
 * The left navigation: six screens in three groups, a roving focus (↑/↓, Home/End move,
 * Enter opens), the current one marked for screen readers, and the connection at the foot.
 */
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { SCREENS, type ScreenId } from '../screens/screens.ts';
import { AppsIcon, DriverIcon, HistoryIcon, LabIcon, OverviewIcon, SettingsIcon } from './icons.tsx';
import { useSnapshot } from '../hooks/use-session.ts';

const ICONS: Record<ScreenId, () => ReactNode> = {
  overview: OverviewIcon,
  applications: AppsIcon,
  history: HistoryIcon,
  driver: DriverIcon,
  lab: LabIcon,
  settings: SettingsIcon,
};

const GROUPS = [
  { id: 'monitor', title: 'Monitor' },
  { id: 'bench', title: 'Bench' },
  { id: 'app', title: null },
] as const;

const PHASE_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  restarting: 'Reconnecting…',
  lost: 'Disconnected',
  failed: 'Not connected',
} as const;

export function Sidebar({ active, onSelect }: { active: ScreenId; onSelect: (id: ScreenId) => void }) {
  const refs = useRef(new Map<ScreenId, HTMLButtonElement>());
  const { phase, scenario, apps } = useSnapshot();
  const onKeyDown = (e: KeyboardEvent) => {
    const ids = SCREENS.map((s) => s.id);
    const focused = ids.findIndex((id) => refs.current.get(id) === document.activeElement);
    if (focused < 0) return;
    const next =
      e.key === 'ArrowDown'
        ? focused + 1
        : e.key === 'ArrowUp'
          ? focused - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? ids.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    refs.current.get(ids[(next + ids.length) % ids.length])?.focus();
  };
  const activeApps = apps.filter((a) => a.live.txBps + a.live.rxBps > 0).length;
  return (
    <nav className="sidebar" aria-label="Screens" onKeyDown={onKeyDown}>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <i className="lane-highest" />
          <i className="lane-high" />
          <i className="lane-normal" />
          <i className="lane-low" />
        </span>
        NetLanes
      </div>
      {GROUPS.map((g) => (
        <div key={g.id} className={`nav-group nav-${g.id}`}>
          {g.title && (
            <div className="nav-title" aria-hidden="true">
              {g.title}
            </div>
          )}
          <ul>
            {SCREENS.filter((s) => s.group === g.id).map((s) => {
              const Icon = ICONS[s.id];
              const i = SCREENS.indexOf(s);
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    ref={(el) => {
                      if (el) refs.current.set(s.id, el);
                    }}
                    className="nav-item"
                    aria-current={s.id === active ? 'page' : undefined}
                    tabIndex={s.id === active ? 0 : -1}
                    aria-keyshortcuts={`Control+${i + 1}`}
                    onClick={() => onSelect(s.id)}
                  >
                    <Icon />
                    <span className="nav-name">{s.name}</span>
                    {s.id === 'applications' && activeApps > 0 && (
                      <span className="nav-count" aria-label={`${activeApps} active`}>
                        {activeApps}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
      <div className="sidebar-foot">
        <span className={`dot dot-${phase}`} aria-hidden="true" />
        <span>
          {PHASE_TEXT[phase]}
          {scenario && phase === 'live' && <span className="muted"> · {scenario}</span>}
        </span>
      </div>
    </nav>
  );
}
