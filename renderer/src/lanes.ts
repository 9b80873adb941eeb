/** The four lanes, highest first: one name and one colour each, used everywhere. */
export interface Lane {
  queue: number;
  name: string;
  priority: 'highest' | 'high' | 'normal' | 'low';
}

export const LANES: readonly Lane[] = [
  { queue: 3, name: 'Highest', priority: 'highest' },
  { queue: 2, name: 'High', priority: 'high' },
  { queue: 1, name: 'Normal', priority: 'normal' },
  { queue: 0, name: 'Low', priority: 'low' },
];
