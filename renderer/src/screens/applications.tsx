/**
 * Applications: every app seen, live rates, its lane (one click or one key), its cap, its
 * wait, and why it is where it is. Search as you type (/), sort by any column, select several
 * and move them together; ↑↓ move between rows, 1–4 set the lane, Space selects, Enter opens.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useSnapshot } from '../hooks/use-session.ts';
import { useLaneChange } from '../hooks/use-lane-change.ts';
import { useAppTable, type SortKey } from '../hooks/use-app-table.ts';
import { LANES, laneOfKey } from '../lanes.ts';
import { AppRow } from '../components/app-row.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { SearchIcon } from '../components/icons.tsx';
import { Toast } from '../components/toast.tsx';
import { ProfileBar } from '../components/profile-bar.tsx';

const COLUMNS: { key: SortKey | null; label: string; num?: boolean }[] = [
  { key: 'name', label: 'Application' },
  { key: 'up', label: '↑ Upload', num: true },
  { key: 'down', label: '↓ Download', num: true },
  { key: 'lane', label: 'Lane' },
  { key: null, label: 'Cap' },
  { key: 'p99', label: 'p99 wait', num: true },
];

export function Applications() {
  const s = useSnapshot();
  const change = useLaneChange();
  const t = useAppTable(s.apps, s.rules);
  const search = useRef<HTMLInputElement>(null);
  const rowRefs = useRef(new Map<number, HTMLTableRowElement>());
  const [focusSlot, setFocusSlot] = useState<number | null>(null);
  const focusIndex = Math.max(
    0,
    t.rows.findIndex((r) => r.slot === focusSlot),
  );

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.key === '/' && !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const moveFocus = (i: number) => {
    const row = t.rows[Math.min(t.rows.length - 1, Math.max(0, i))];
    if (!row) return;
    setFocusSlot(row.slot);
    rowRefs.current.get(row.slot)?.focus();
  };

  const onRowKey = (i: number) => (e: KeyboardEvent<HTMLTableRowElement>) => {
    if (e.target !== e.currentTarget) return; // keys inside the row's own controls are theirs
    const app = t.rows[i];
    const lane = laneOfKey(e.key);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      moveFocus(i + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      moveFocus(e.key === 'Home' ? 0 : t.rows.length - 1);
    } else if (lane && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      const targets = t.selected.has(app.slot) ? t.rows.filter((r) => t.selected.has(r.slot)) : [app];
      void change.setLane(targets, lane.priority);
    } else if (e.key === ' ') {
      e.preventDefault();
      t.toggleSelected(app.slot);
    } else if (e.key === 'Enter' || e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      t.setExpanded(app.slot, e.key === 'Enter' ? !t.expanded.has(app.slot) : e.key === 'ArrowRight');
    }
  };

  const chosen = t.rows.filter((r) => t.selected.has(r.slot));
  const allChecked = t.rows.length > 0 && chosen.length === t.rows.length;

  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">Applications</h1>
        <span className="screen-sub">
          {s.apps.length} seen · {s.apps.filter((a) => a.live.txBps + a.live.rxBps > 0).length} active now
        </span>
        <span className="spacer" />
        <label className="search">
          <SearchIcon />
          <span className="visually-hidden">Search applications</span>
          <input
            ref={search}
            type="search"
            placeholder="Search apps, bundle ids, paths"
            value={t.query}
            onChange={(e) => t.setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') t.setQuery('');
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                moveFocus(0);
              }
            }}
            aria-keyshortcuts="/"
          />
          <kbd aria-hidden="true">/</kbd>
        </label>
      </div>

      <ProfileBar />

      {change.error && (
        <div className="banner banner-bad" role="alert">
          <span>{change.error}</span>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={change.clearError}>
            ×
          </button>
        </div>
      )}

      <div className={`bulk-bar${chosen.length > 0 ? ' shown' : ''}`} aria-hidden={chosen.length === 0}>
        {chosen.length > 0 && (
          <>
            <strong>{chosen.length} selected</strong>
            <span className="muted">Move to</span>
            {LANES.map((l) => (
              <button
                key={l.priority}
                type="button"
                className={`btn btn-small lane-btn lane-${l.priority}`}
                onClick={() => void change.setLane(chosen, l.priority)}
              >
                {l.name}
              </button>
            ))}
            <span className="spacer" />
            <button type="button" className="link-btn" onClick={() => t.selectAll(false)}>
              Clear selection
            </button>
          </>
        )}
      </div>

      {s.apps.length === 0 ? (
        <EmptyState title="No applications yet">
          <p>Traffic will appear here within a second of an app opening a connection.</p>
        </EmptyState>
      ) : t.rows.length === 0 ? (
        <EmptyState title={`Nothing matches “${t.query}”`}>
          <p>
            Search looks in names, bundle ids and paths.{' '}
            <button type="button" className="link-btn" onClick={() => t.setQuery('')}>
              Clear the search
            </button>
          </p>
        </EmptyState>
      ) : (
        <div className="panel flush table-wrap">
          <table className="table apps-table">
            <caption className="visually-hidden">
              Applications. Arrow keys move between rows, 1 to 4 set the lane, Space selects, Enter shows
              details.
            </caption>
            <colgroup>
              <col className="c-check" />
              <col className="c-app" />
              <col className="c-rate" />
              <col className="c-rate" />
              <col className="c-lane" />
              <col className="c-cap" />
              <col className="c-p99" />
              <col className="c-why" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col" className="check-cell">
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={allChecked}
                    ref={(el) => {
                      if (el) el.indeterminate = chosen.length > 0 && !allChecked;
                    }}
                    onChange={(e) => t.selectAll(e.target.checked)}
                  />
                </th>
                {COLUMNS.map((c) => (
                  <th
                    key={c.label}
                    scope="col"
                    className={c.num ? 'num' : undefined}
                    aria-sort={
                      c.key && t.sort.key === c.key
                        ? t.sort.descending
                          ? 'descending'
                          : 'ascending'
                        : undefined
                    }
                  >
                    {c.key ? (
                      <button type="button" className="sort-btn" onClick={() => t.sortBy(c.key!)}>
                        {c.label}
                        <span aria-hidden="true" className="sort-mark">
                          {t.sort.key === c.key ? (t.sort.descending ? '▾' : '▴') : ''}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
                <th scope="col">
                  <span className="visually-hidden">Why</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {t.rows.map((a, i) => (
                <AppRow
                  key={a.slot}
                  app={a}
                  rules={s.rules}
                  pending={change.pending.get(a.slot)}
                  selected={t.selected.has(a.slot)}
                  expanded={t.expanded.has(a.slot)}
                  focused={i === focusIndex}
                  rowRef={(el) => {
                    if (el) rowRefs.current.set(a.slot, el);
                    else rowRefs.current.delete(a.slot);
                  }}
                  onFocus={() => setFocusSlot(a.slot)}
                  onKeyDown={onRowKey(i)}
                  onSelect={() => t.toggleSelected(a.slot)}
                  onExpand={() => t.toggleExpanded(a.slot)}
                  onLane={(p) => void change.setLane([a], p)}
                  onCap={(cap) => void change.setCap(a, cap)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="key-hint" aria-hidden="true">
        <kbd>↑</kbd>
        <kbd>↓</kbd> move · <kbd>1</kbd>–<kbd>4</kbd> lane (Highest … Low) · <kbd>Space</kbd> select ·{' '}
        <kbd>Enter</kbd> details · <kbd>/</kbd> search
      </p>
      <Toast toast={change.toast} onDone={change.dismissToast} />
    </section>
  );
}
