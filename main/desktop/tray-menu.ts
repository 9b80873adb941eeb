/**
 * What the tray (menu-bar) item shows, as NetLimiter's and TripMode's do: the active profile
 * with a quick switch, the three busiest apps with their lane, pause-all, open the window.
 * A plain template (Electron's MenuItemConstructorOptions shape) so it is built and tested
 * without Electron.
 */
import { PRIORITY_LEVELS } from '../../driver-runtime/rules/rule-types.ts';

export interface TrayState {
  profiles: { name: string; active: boolean }[];
  paused: boolean;
  /** Apps by current rate, busiest first. */
  topApps: { name: string; bitsPerSecond: number; queue: number }[];
  storeAvailable: boolean;
}

export interface TrayActions {
  openWindow(): void;
  switchProfile(name: string): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: TrayItem[];
}

const LANE_NAMES = ['Low', 'Normal', 'High', 'Highest'] as const;

export function formatRate(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(1)} Gb/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mb/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kb/s`;
  return `${Math.round(bps)} b/s`;
}

export function trayTemplate(state: TrayState, actions: TrayActions): TrayItem[] {
  const active = state.profiles.find((p) => p.active)?.name ?? '—';
  const top = state.topApps.slice(0, 3);
  return [
    { label: 'Open NetLanes', click: actions.openWindow },
    { type: 'separator' },
    {
      label: `Profile: ${active}`,
      type: 'submenu',
      enabled: state.storeAvailable && state.profiles.length > 0,
      submenu: state.profiles.map((p) => ({
        label: p.name,
        type: 'radio',
        checked: p.active,
        click: () => actions.switchProfile(p.name),
      })),
    },
    {
      label: 'Pause all rules',
      type: 'checkbox',
      checked: state.paused,
      enabled: state.storeAvailable,
      click: () => actions.setPaused(!state.paused),
    },
    { type: 'separator' },
    ...(top.length === 0
      ? [{ label: 'No traffic yet', enabled: false }]
      : top.map((a) => ({
          label: `${a.name} — ${formatRate(a.bitsPerSecond)} · ${LANE_NAMES[a.queue] ?? PRIORITY_LEVELS[a.queue] ?? `Queue ${a.queue}`}`,
          enabled: false,
        }))),
    { type: 'separator' },
    { label: 'Quit NetLanes', click: actions.quit },
  ];
}

/** The tray's tooltip: the busiest app, or that nothing is sent. */
export function trayTooltip(state: TrayState): string {
  const top = state.topApps[0];
  return top ? `NetLanes — ${top.name} ${formatRate(top.bitsPerSecond)}` : 'NetLanes';
}
