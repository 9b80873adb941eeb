/** A what-if comparison side by side: per app, run A and run B, a p99 chart, and CDFs when the lab sends histograms. */
import { cdfFromBuckets, type WhatIfResult } from '../../session/what-if.ts';
import { latency, percent, rate } from '../../format.ts';
import { LaneChip } from '../../components/lane-chip.tsx';
import { CdfChart } from './cdf-chart.tsx';
import { P99Chart } from './p99-chart.tsx';

/** The lane each app was in on each side, by name (what the run was asked to do). */
export type SideQueues = ReadonlyMap<string, { a: number; b: number }>;

function Delta({ a, b }: { a: number; b: number }) {
  if (a <= 0 || b <= 0) return <span className="muted">—</span>;
  const f = b / a;
  if (f < 0.95) return <span className="ok-text">{(a / b).toFixed(a / b >= 10 ? 0 : 1)}× shorter</span>;
  if (f > 1.05) return <span className="bad-text">{f.toFixed(f >= 10 ? 0 : 1)}× longer</span>;
  return <span className="muted">same</span>;
}

type Figures = WhatIfResult['apps'][number]['a'];

function Side({ f, other }: { f: Figures; other: Figures }) {
  // Next to nothing on the wire where the other run sent plenty: it waited behind someone.
  const starved = f.p99 === 0 && other.txBps > 0 && f.txBps < other.txBps / 10;
  return (
    <>
      <td className="num">{rate(f.txBps)}</td>
      <td className="num">{f.p99 ? latency(f.p50) : '—'}</td>
      <td className="num">
        {f.p99 ? latency(f.p99) : starved ? <span className="bad-text">starved</span> : '—'}
      </td>
      <td>{f.p99 ? <span className="grade grade-plain">{f.grade}</span> : null}</td>
    </>
  );
}

export function WhatIfResults({
  result,
  queues,
  seconds,
  scenario,
  labelB = 'proposed',
}: {
  result: WhatIfResult;
  queues: SideQueues;
  seconds: number;
  scenario: string;
  /** What run B was: your proposal, or one FIFO queue without priority. */
  labelB?: string;
}) {
  const withCdf = result.apps
    .filter((c) => c.a.buckets?.length && c.b.buckets?.length)
    .map((c) => ({ name: c.name, a: cdfFromBuckets(c.a.buckets!), b: cdfFromBuckets(c.b.buckets!) }));
  const xs = withCdf.flatMap((c) => [...c.a, ...c.b].map((p) => p[0]));
  const range: [number, number] = [Math.max(100, Math.min(...xs) / 1.5), Math.max(...xs) * 1.5];
  return (
    <div className="what-if-results" aria-live="polite">
      <div className="results-head">
        <h3>Result</h3>
        <span className="muted">
          {seconds} s of “{scenario}” each, same seed · link use A {percent(result.a.linkUtilisation)}, B{' '}
          {percent(result.b.linkUtilisation)}
        </span>
      </div>
      <div className="results-grid">
        <table className="table dense what-if-table">
          <caption className="visually-hidden">What-if comparison per app</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                App
              </th>
              <th scope="colgroup" colSpan={5}>
                A · the rules now
              </th>
              <th scope="colgroup" colSpan={5} className="side-b">
                B · {labelB}
              </th>
              <th scope="col" rowSpan={2} className="num">
                Change
              </th>
            </tr>
            <tr>
              {['a', 'b'].map((s) => (
                <Headers key={s} side={s} />
              ))}
            </tr>
          </thead>
          <tbody>
            {result.apps.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>
                  <LaneChip queue={queues.get(c.name)?.a ?? -1} showQueue={false} />
                </td>
                <Side f={c.a} other={c.b} />
                <td className="side-b">
                  <LaneChip queue={queues.get(c.name)?.b ?? -1} showQueue={false} />
                </td>
                <Side f={c.b} other={c.a} />
                <td className="num">
                  <Delta a={c.a.p99} b={c.b.p99} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <figure className="chart-card">
          <figcaption>
            <strong>p99 wait under load</strong>
            <span className="cdf-legend">
              <span>
                <i className="key-a" /> A · now
              </span>
              <span>
                <i className="key-b" /> B · {labelB}
              </span>
            </span>
          </figcaption>
          <P99Chart result={result} />
        </figure>
      </div>
      {withCdf.length > 0 && (
        <>
          <h3 className="detail-title">Latency under load — CDF per app</h3>
          <div className="cdf-grid">
            {withCdf.map((c) => (
              <figure key={c.name} className="cdf-cell">
                <figcaption>
                  <strong>{c.name}</strong>
                </figcaption>
                <CdfChart
                  name={c.name}
                  a={c.a}
                  b={c.b}
                  queues={queues.get(c.name) ?? { a: 1, b: 1 }}
                  range={range}
                />
              </figure>
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function Headers({ side }: { side: string }) {
  return (
    <>
      <th scope="col" className={side === 'b' ? 'side-b' : undefined}>
        Lane
      </th>
      <th scope="col" className="num">
        Rate
      </th>
      <th scope="col" className="num">
        p50
      </th>
      <th scope="col" className="num">
        p99
      </th>
      <th scope="col">Grade</th>
    </>
  );
}
