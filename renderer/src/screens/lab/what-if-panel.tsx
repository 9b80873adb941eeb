/**
 * What-if: replay this workload under the rules now (A) and under a proposal (B), same seed,
 * in a thread of its own, with a progress bar; then compare side by side.
 */
import { useState } from 'react';
import { reason } from '../../format.ts';
import type { Priority } from '../../lanes.ts';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { priorityOf, withPriorities } from '../../hooks/use-lane-change.ts';
import { whatIfResultSchema, type WhatIfResult } from '../../session/what-if.ts';
import { LanePicker } from '../../components/lane-picker.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { Monogram } from '../../components/monogram.tsx';
import { WhatIfResults, type SideQueues } from './what-if-results.tsx';
import { laneOfPriority } from '../../lanes.ts';

const DURATIONS = [2, 5, 10];

type Run =
  | { state: 'idle' }
  | { state: 'running'; progress: number }
  | {
      state: 'done';
      result: WhatIfResult;
      queues: SideQueues;
      seconds: number;
      scenario: string;
      fifo: boolean;
    }
  | { state: 'failed'; error: string };

export function WhatIfPanel() {
  const session = useSession();
  const { apps, rules, scenario } = useSnapshot();
  const [picks, setPicks] = useState<ReadonlyMap<string, Priority>>(new Map());
  const [seconds, setSeconds] = useState(DURATIONS[0]);
  const [run, setRun] = useState<Run>({ state: 'idle' });
  /** B: the proposal below, or latency under load against one FIFO queue (flent's RRUL, per app). */
  const [fifo, setFifo] = useState(false);
  const pick = (bundleId: string, fallback: Priority) => picks.get(bundleId) ?? fallback;
  const preset = (p: Priority | null) =>
    setPicks(p === null ? new Map() : new Map(apps.map((a) => [a.bundleId, p])));
  const changed = apps.filter((a) => pick(a.bundleId, priorityOf(rules, a)) !== priorityOf(rules, a)).length;

  const start = async () => {
    const lab = session.lab;
    if (lab === null || !scenario) return;
    const proposal = apps.map((app) => ({ app, priority: pick(app.bundleId, priorityOf(rules, app)) }));
    const rulesB = withPriorities(rules, proposal);
    const queues: SideQueues = new Map(
      proposal.map(({ app, priority }) => [
        app.name,
        { a: laneOfPriority(priorityOf(rules, app)).queue, b: fifo ? -1 : laneOfPriority(priority).queue },
      ]),
    );
    setRun({ state: 'running', progress: 0 });
    try {
      const raw = await lab.whatIf(
        {
          scenario,
          rulesA: rules,
          rulesB: fifo ? null : rulesB,
          durationNs: seconds * 1e9,
          ...(fifo ? { fifoB: true } : {}),
        },
        (f) => setRun({ state: 'running', progress: f }),
      );
      setRun({ state: 'done', result: whatIfResultSchema.parse(raw), queues, seconds, scenario, fifo });
    } catch (e) {
      setRun({ state: 'failed', error: reason(e) });
    }
  };

  return (
    <section className="panel" aria-labelledby="whatif-title">
      <div className="panel-head">
        <h2 id="whatif-title">What if…</h2>
        <span className="muted">
          Replays “{scenario ?? '…'}” twice with the same seed — under the rules now (A) and your proposal (B)
          — away from the live machine.
        </span>
      </div>
      <div role="radiogroup" aria-label="Compare the rules now with" className="segmented what-if-kind">
        <button
          type="button"
          role="radio"
          aria-checked={!fifo}
          className="seg"
          onClick={() => setFifo(false)}
        >
          Your proposal
        </button>
        <button type="button" role="radio" aria-checked={fifo} className="seg" onClick={() => setFifo(true)}>
          One FIFO queue — latency under load
        </button>
      </div>
      {fifo && (
        <p className="muted">
          B sends the same traffic through one FIFO queue with no priority, as a card without lanes would
          (flent's RRUL, per app): the CDFs below show what the lanes spare each app.
        </p>
      )}
      <div className="what-if-setup">
        <div hidden={fifo}>
          <div className="setup-head">
            <h3>B · proposed lanes</h3>
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => preset(null)}>
              Same as now
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => preset('normal')}
              title="Every app in Normal: the nearest rule-set stand-in for one shared queue (apps still take turns inside the lane)"
            >
              All in one lane
            </button>
          </div>
          <ul className="proposal">
            {apps.map((a) => {
              const now = priorityOf(rules, a);
              const p = pick(a.bundleId, now);
              return (
                <li key={a.slot} className={p !== now ? 'changed' : undefined}>
                  <Monogram name={a.name} size={22} />
                  <span className="proposal-name">{a.name}</span>
                  <LanePicker
                    value={p}
                    label={`${a.name} in run B`}
                    onChange={(v) => setPicks(new Map(picks).set(a.bundleId, v))}
                    compact
                  />
                </li>
              );
            })}
          </ul>
        </div>
        <div className="what-if-run">
          <label className="inline-field">
            <span>Run each side for</span>
            <select className="select" value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
              {DURATIONS.map((d) => (
                <option key={d} value={d}>
                  {d} s of machine time
                </option>
              ))}
            </select>
          </label>
          <p className="muted">
            {fifo
              ? 'B: every app in one FIFO queue, no rules.'
              : changed === 0
                ? 'B is the same as A: change a lane to see a difference.'
                : `${changed} app${changed === 1 ? '' : 's'} in another lane in B.`}
          </p>
          <button
            type="button"
            className="btn btn-primary"
            disabled={run.state === 'running' || session.lab === null}
            onClick={() => void start()}
          >
            {run.state === 'running' ? 'Running…' : 'Run the comparison'}
          </button>
          {run.state === 'running' && (
            <ProgressBar
              value={run.progress}
              label={
                run.progress < 0.5
                  ? 'Run A · the rules now'
                  : fifo
                    ? 'Run B · one FIFO queue'
                    : 'Run B · proposed'
              }
            />
          )}
          {run.state === 'failed' && (
            <p className="bad-text" role="alert">
              The what-if run failed: {run.error}
            </p>
          )}
        </div>
      </div>
      {run.state === 'done' && (
        <WhatIfResults
          result={run.result}
          queues={run.queues}
          seconds={run.seconds}
          scenario={run.scenario}
          labelB={run.fifo ? 'one FIFO queue' : 'proposed'}
        />
      )}
    </section>
  );
}
