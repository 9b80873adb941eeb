/** The four lanes, highest first: one name and one colour each, used everywhere. */
export type Priority = 'highest' | 'high' | 'normal' | 'low';

export interface Lane {
  queue: number;
  name: string;
  priority: Priority;
  /** The key that puts an app in this lane (1 = top lane). */
  key: string;
  /** What the lane is for, in a few words. */
  hint: string;
}

export const LANES: readonly Lane[] = [
  { queue: 3, name: 'Highest', priority: 'highest', key: '1', hint: 'calls, games: never wait' },
  { queue: 2, name: 'High', priority: 'high', key: '2', hint: 'interactive and streaming' },
  { queue: 1, name: 'Normal', priority: 'normal', key: '3', hint: 'browsing and everyday apps' },
  { queue: 0, name: 'Low', priority: 'low', key: '4', hint: 'backups and bulk uploads' },
];

export function laneOf(queue: number): Lane | undefined {
  return LANES.find((l) => l.queue === queue);
}

export function laneOfPriority(p: Priority): Lane {
  return LANES.find((l) => l.priority === p)!;
}

export function laneOfKey(key: string): Lane | undefined {
  return LANES.find((l) => l.key === key);
}
