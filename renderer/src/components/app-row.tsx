/** One row of the Applications table, and its details when expanded. */
import type { KeyboardEvent, Ref } from 'react';
import type { AppView } from '../session/session.ts';
import { ruleOf, serviceClassName, type RuleSet } from '../session/app-data.ts';
import { laneOfPriority, type Priority } from '../lanes.ts';
import { rate } from '../format.ts';
import { capOf, priorityOf } from '../hooks/use-lane-change.ts';
import { AppConnections } from './app-connections.tsx';
import { CapControl } from './cap-control.tsx';
import { LatencyFigure } from './grade-badge.tsx';
import { ChevronIcon } from './icons.tsx';
import { LanePicker } from './lane-picker.tsx';
import { Monogram } from './monogram.tsx';
import { Sparkline } from './sparkline.tsx';
import { WhyPopover } from './why-popover.tsx';

export const APP_COLUMNS = 8;

interface Props {
  app: AppView;
  rules: RuleSet;
  pending: Priority | undefined;
  selected: boolean;
  expanded: boolean;
  focused: boolean;
  rowRef: Ref<HTMLTableRowElement>;
  onFocus: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => void;
  onSelect: () => void;
  onExpand: () => void;
  onLane: (p: Priority) => void;
  onCap: (capBps: number | null) => void;
}

export function AppRow(p: Props) {
  const a = p.app;
  const priority = p.pending ?? priorityOf(p.rules, a);
  const lane = laneOfPriority(priority);
  const moving =
    p.pending === undefined && a.live.sending && a.live.queue >= 0 && a.live.queue !== lane.queue;
  return (
    <>
      <tr
        ref={p.rowRef}
        className={`app-row${p.selected ? ' selected' : ''}`}
        tabIndex={p.focused ? 0 : -1}
        onFocus={p.onFocus}
        onKeyDown={p.onKeyDown}
        data-app={a.name}
        aria-selected={p.selected}
      >
        <td className="check-cell">
          <input
            type="checkbox"
            checked={p.selected}
            onChange={p.onSelect}
            aria-label={`Select ${a.name}`}
            tabIndex={-1}
          />
        </td>
        <td>
          <span className="app-cell">
            <button
              type="button"
              className="icon-btn expander"
              aria-expanded={p.expanded}
              aria-label={`${p.expanded ? 'Hide' : 'Show'} details of ${a.name}`}
              onClick={p.onExpand}
              tabIndex={-1}
            >
              <ChevronIcon open={p.expanded} />
            </button>
            <Monogram name={a.name} />
            <span>
              <span className="app-name" title={a.name}>
                {a.name}
              </span>
              <span className="app-sub" title={a.bundleId}>
                {a.bundleId}
              </span>
            </span>
          </span>
        </td>
        <td className={`num lane-tint lane-${lane.priority}`}>
          <span className="rate-cell">
            <Sparkline values={a.live.txHistory} width={44} height={18} />
            <span className="figure">{rate(a.live.txBps)}</span>
          </span>
        </td>
        <td className="num lane-tint lane-normal">
          <span className="rate-cell">
            <Sparkline values={a.live.rxHistory} width={44} height={18} className="rx" />
            <span className="figure">{rate(a.live.rxBps)}</span>
          </span>
        </td>
        <td>
          <span className="lane-cell-inner">
            <LanePicker
              value={priority}
              onChange={p.onLane}
              label={a.name}
              pending={p.pending !== undefined || moving}
              compact
            />
            {moving && (
              <span className="visually-hidden">moving: the driver still has packets in the old lane</span>
            )}
          </span>
        </td>
        <td>
          <CapControl capBps={capOf(p.rules, a)} label={a.name} onChange={p.onCap} />
        </td>
        <td className="num">
          <LatencyFigure p99={a.live.p99} meanNs={a.live.meanNs} />
        </td>
        <td>
          <WhyPopover app={a} />
        </td>
      </tr>
      {p.expanded && (
        <tr className="detail-row">
          <td />
          <td colSpan={APP_COLUMNS - 1}>
            <AppDetails app={a} rules={p.rules} laneQueue={lane.queue} />
          </td>
        </tr>
      )}
    </>
  );
}

function AppDetails({ app, rules, laneQueue }: { app: AppView; rules: RuleSet; laneQueue: number }) {
  const rule = ruleOf(rules, app);
  return (
    <div className="app-details">
      <dl className="kv">
        <dt>Executable</dt>
        <dd className="mono">{app.executablePath}</dd>
        <dt>Process</dt>
        <dd>
          pid {app.pid}
          {app.teamId ? ` · team ${app.teamId}` : ''} · slot {app.slot}
        </dd>
        <dt>Service class</dt>
        <dd>{serviceClassName(app.serviceClass)}</dd>
        <dt>Rule</dt>
        <dd>
          {rule ? <code>{rule.id}</code> : <span className="muted">none — its service class decides</span>}
        </dd>
        <dt>Schedule</dt>
        <dd>
          {rule?.schedule ? (
            `${rule.schedule.days.join(', ')} ${rule.schedule.start}–${rule.schedule.end}`
          ) : (
            <span className="muted">always</span>
          )}
        </dd>
        <dt>Drops</dt>
        <dd>{app.live.drops}</dd>
      </dl>
      <div>
        <h3 className="detail-title">Connections</h3>
        <AppConnections slot={app.slot} laneQueue={laneQueue} />
      </div>
    </div>
  );
}
