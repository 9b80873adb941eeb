/**
 * Data budgets (NetLimiter and TripMode style): per app and day, week or month; at 80 % a
 * notification, at 100 % the chosen action — notify only, cap the app's rate, or drop it to Low.
 */
import { useState } from 'react';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { bytes, rate, reason } from '../../format.ts';
import { BUDGET_ACTIONS, PERIODS, type Budget } from '../../session/store-data.ts';
import { NumberField } from '../../components/number-field.tsx';

const ACTION_TEXT: Record<(typeof BUDGET_ACTIONS)[number], string> = {
  notify: 'Notify only',
  cap: 'Cap the rate',
  low: 'Drop to Low',
};

function Meter({ b }: { b: Budget }) {
  const f = Math.min(1, b.usedBytes / b.limitBytes);
  return (
    <div
      className="budget-meter"
      role="meter"
      aria-valuemin={0}
      aria-valuemax={b.limitBytes}
      aria-valuenow={b.usedBytes}
      aria-label={`${b.name}: used of its ${b.period} budget`}
    >
      <span
        className={`budget-fill${b.reached ? ' reached' : b.warned ? ' warned' : ''}`}
        style={{ width: `${f * 100}%` }}
      />
    </div>
  );
}

export function BudgetsPanel() {
  const session = useSession();
  const { store, apps } = useSnapshot();
  const [app, setApp] = useState('');
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('day');
  const [limitMb, setLimitMb] = useState('500');
  const [action, setAction] = useState<(typeof BUDGET_ACTIONS)[number]>('notify');
  const [capMbps, setCapMbps] = useState('1');
  const [problem, setProblem] = useState<string | null>(null);
  const choices = [...new Map(apps.map((a) => [a.bundleId || a.executablePath, a.name])).entries()].sort(
    (a, b) => a[1].localeCompare(b[1]),
  );

  const add = async () => {
    setProblem(null);
    try {
      await session.change('setBudget', {
        app: app || choices[0]?.[0],
        period,
        limitBytes: Math.round(Number(limitMb) * 1e6),
        action,
        ...(action === 'cap' ? { capBps: Math.round(Number(capMbps) * 1e6) } : {}),
      });
    } catch (e) {
      setProblem(reason(e));
    }
  };

  return (
    <section className="panel" aria-labelledby="budgets-title">
      <div className="panel-head">
        <h2 id="budgets-title">Data budgets</h2>
        <span className="muted">counted from the history, sent + received</span>
      </div>
      {store.budgets.length === 0 ? (
        <p className="muted">No budgets yet: set one below, per day, week or month.</p>
      ) : (
        <table className="table budget-table">
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Per</th>
              <th scope="col">Used</th>
              <th scope="col" className="num">
                Limit
              </th>
              <th scope="col">At 100 %</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {store.budgets.map((b) => (
              <tr key={`${b.app}/${b.period}`}>
                <th scope="row">{b.name}</th>
                <td>{b.period}</td>
                <td className="budget-used">
                  <Meter b={b} />
                  <span className="muted">{bytes(b.usedBytes)}</span>
                </td>
                <td className="num">{bytes(b.limitBytes)}</td>
                <td>
                  {ACTION_TEXT[b.action]}
                  {b.action === 'cap' && b.capBps ? ` at ${rate(b.capBps)}` : ''}
                  {b.reached && <strong className="budget-state"> · reached</strong>}
                </td>
                <td>
                  <button
                    type="button"
                    className="link-btn"
                    aria-label={`Remove the ${b.period} budget of ${b.name}`}
                    onClick={() =>
                      void session
                        .change('deleteBudget', { app: b.app, period: b.period })
                        .catch((e: unknown) => setProblem(reason(e)))
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="budget-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label className="field">
          <span>Application</span>
          <select className="select" value={app} onChange={(e) => setApp(e.target.value)}>
            {choices.map(([key, name]) => (
              <option key={key} value={key}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Per</span>
          <select
            className="select"
            value={period}
            onChange={(e) => setPeriod(e.target.value as typeof period)}
          >
            {PERIODS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <NumberField label="Limit (MB)" min="0.01" value={limitMb} onChange={setLimitMb} />
        <label className="field">
          <span>At 100 %</span>
          <select
            className="select"
            value={action}
            onChange={(e) => setAction(e.target.value as typeof action)}
          >
            {BUDGET_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {ACTION_TEXT[a]}
              </option>
            ))}
          </select>
        </label>
        {action === 'cap' && (
          <NumberField label="Cap (Mb/s)" min="0.008" value={capMbps} onChange={setCapMbps} />
        )}
        <button type="submit" className="btn btn-primary" disabled={choices.length === 0}>
          Add budget
        </button>
      </form>
      {problem && (
        <p className="banner banner-bad" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
