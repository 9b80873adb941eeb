/** The Applications table's state: search, sort, selection, expanded rows. */
import { useMemo, useState } from 'react';
import type { AppView } from '../session/session.ts';
import type { RuleSet } from '../session/app-data.ts';
import { LANES } from '../lanes.ts';
import { priorityOf } from './use-lane-change.ts';
import { steadyRate } from '../components/top-apps.tsx';

export type SortKey = 'name' | 'up' | 'down' | 'lane' | 'p99';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const laneRank = (rules: RuleSet, a: AppView) => LANES.findIndex((l) => l.priority === priorityOf(rules, a));

function compare(key: SortKey, rules: RuleSet): (a: AppView, b: AppView) => number {
  switch (key) {
    case 'name':
      return (a, b) => a.name.localeCompare(b.name);
    case 'up':
      // Ten-second means: rows do not jump with every sample.
      return (a, b) => mean(a.live.txHistory) - mean(b.live.txHistory);
    case 'down':
      return (a, b) => mean(a.live.rxHistory) - mean(b.live.rxHistory);
    case 'lane':
      return (a, b) => laneRank(rules, b) - laneRank(rules, a);
    case 'p99':
      return (a, b) => (a.live.p99 ?? -1) - (b.live.p99 ?? -1);
  }
}

function mean(h: readonly number[]): number {
  const last = h.slice(-20);
  return last.length ? last.reduce((x, y) => x + y, 0) / last.length : 0;
}

export function matches(a: AppView, query: string): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || [a.name, a.bundleId, a.executablePath].some((s) => s.toLowerCase().includes(q));
}

export function useAppTable(apps: AppView[], rules: RuleSet) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'up', descending: true });
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const rows = useMemo(() => {
    const by = compare(sort.key, rules);
    const sign = sort.descending ? -1 : 1;
    return apps
      .filter((a) => matches(a, query))
      .sort((a, b) => sign * by(a, b) || steadyRate(b) - steadyRate(a) || a.slot - b.slot);
  }, [apps, rules, query, sort]);
  const toggle = (set: ReadonlySet<number>, slot: number) => {
    const next = new Set(set);
    if (!next.delete(slot)) next.add(slot);
    return next;
  };
  return {
    rows,
    query,
    setQuery,
    sort,
    sortBy: (key: SortKey) =>
      setSort((s) =>
        s.key === key ? { key, descending: !s.descending } : { key, descending: key !== 'name' },
      ),
    selected,
    toggleSelected: (slot: number) => setSelected((s) => toggle(s, slot)),
    selectAll: (on: boolean) => setSelected(on ? new Set(rows.map((r) => r.slot)) : new Set()),
    expanded,
    toggleExpanded: (slot: number) => setExpanded((s) => toggle(s, slot)),
    setExpanded: (slot: number, open: boolean) =>
      setExpanded((s) => {
        const next = new Set(s);
        if (open) next.add(slot);
        else next.delete(slot);
        return next;
      }),
  };
}
