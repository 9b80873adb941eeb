/** The six screens, in sidebar order; Ctrl/⌘ + the number jumps to one. */
export type ScreenId = 'overview' | 'applications' | 'history' | 'driver' | 'lab' | 'settings';

export interface ScreenSpec {
  id: ScreenId;
  name: string;
  /** Sidebar group. */
  group: 'monitor' | 'bench' | 'app';
}

export const SCREENS: readonly ScreenSpec[] = [
  { id: 'overview', name: 'Overview', group: 'monitor' },
  { id: 'applications', name: 'Applications', group: 'monitor' },
  { id: 'history', name: 'History', group: 'monitor' },
  { id: 'driver', name: 'Driver', group: 'bench' },
  { id: 'lab', name: 'Lab', group: 'bench' },
  { id: 'settings', name: 'Settings', group: 'app' },
];
