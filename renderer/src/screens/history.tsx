/**
 * History: what each app sent and received over the last hour, day, week or month, from the
 * store. Rates as lines with their min–max band when a point covers more than a second (so a
 * zoomed-out chart never hides a burst), totals per day, and CSV export of what is shown.
 */
import { useMemo, useState } from 'react';
import uPlot from 'uplot';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { cssVar, useColorScheme } from '../hooks/use-color-scheme.ts';
import { UPlotChart } from '../components/uplot-chart.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { bytes, rate } from '../format.ts';
import { download } from '../download.ts';
import { axisStyle } from './lab/cdf-chart.tsx';
import { dayTotalsSchema, seriesSchema, type DayTotals, type SeriesResult } from '../session/store-data.ts';

const RANGES = [
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '24h', label: '24 hours', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
] as const;
type RangeId = (typeof RANGES)[number]['id'];

/** Series colours for apps (Okabe–Ito: colour-blind safe); lanes keep their blues elsewhere. */
const APP_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
const MAX_APPS = 6;
const POINTS = 600;

interface AppTotal {
  app: string;
  name: string;
  tx: number;
  rx: number;
}

function totalsByApp(days: DayTotals): AppTotal[] {
  const m = new Map<string, AppTotal>();
  for (const d of days) {
    const t = m.get(d.app) ?? { app: d.app, name: d.name, tx: 0, rx: 0 };
    t.tx += d.txBytes;
    t.rx += d.rxBytes;
    m.set(d.app, t);
  }
  return [...m.values()].sort((a, b) => b.tx + b.rx - (a.tx + a.rx));
}

function RateChart({
  result,
  names,
  direction,
}: {
  result: SeriesResult;
  names: Map<string, string>;
  direction: 'tx' | 'rx';
}) {
  const scheme = useColorScheme();
  const banded = result.step > 1;
  const data = useMemo<uPlot.AlignedData>(() => {
    const first = result.series[0];
    // A history shorter than the range (a fresh install) starts at its first sample, not at an
    // hour of empty axis.
    const any = (i: number) => result.series.some((s) => s.txMean[i] > 0 || s.rxMean[i] > 0);
    const start = Math.max(0, (first?.t.findIndex((_t, i) => any(i)) ?? 0) - 1);
    const cut = <T,>(a: T[]) => a.slice(start);
    const cols: (number | null)[][] = [];
    for (const s of result.series) {
      const mean = direction === 'tx' ? s.txMean : s.rxMean;
      cols.push(cut(mean).map((v) => v * 8));
      if (banded) {
        cols.push(cut(direction === 'tx' ? s.txMin : s.rxMin).map((v) => v * 8));
        cols.push(cut(direction === 'tx' ? s.txMax : s.rxMax).map((v) => v * 8));
      }
    }
    return [first ? cut(first.t) : [], ...cols] as uPlot.AlignedData;
  }, [result, direction, banded]);
  const options = useMemo<Omit<uPlot.Options, 'width'>>(() => {
    const axis = axisStyle();
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    result.series.forEach((s, i) => {
      const colour = APP_COLOURS[i % APP_COLOURS.length];
      const at = series.length;
      series.push({
        label: names.get(s.app ?? '') ?? s.app ?? 'all apps',
        stroke: colour,
        width: 1.5,
        points: { show: false },
      });
      if (banded) {
        series.push({ label: 'min', stroke: 'transparent', points: { show: false } });
        series.push({ label: 'max', stroke: 'transparent', points: { show: false } });
        bands.push({ series: [at + 2, at + 1], fill: `${colour}2e` });
      }
    });
    return {
      height: 240,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1000, max * 1.08)] } },
      axes: [
        { ...axis, stroke: cssVar('--muted') },
        { ...axis, size: 72, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => rate(t)) },
      ],
      series,
      bands,
    };
    // `scheme`: colours are read when the options are made.
  }, [result, names, banded, scheme]);
  return (
    <UPlotChart
      options={options}
      data={data}
      label={`${direction === 'tx' ? 'Upload' : 'Download'} rate per app over the range`}
      className="history-chart"
    />
  );
}

export function History() {
  const session = useSession();
  const { store, boot } = useSnapshot();
  const [range, setRange] = useState<RangeId>('1h');
  const [picked, setPicked] = useState<string[] | null>(null);
  const seconds = RANGES.find((r) => r.id === range)!.seconds;
  const available = store.status?.available === true;

  const totals = usePoll(
    async () => {
      const to = Math.floor(Date.now() / 1000) + 1;
      return dayTotalsSchema.parse(await session.request('dailyTotals', { from: to - seconds, to }));
    },
    available ? 5000 : 0,
    [range, boot, available],
  );
  const apps = useMemo(() => totalsByApp(totals.data ?? []), [totals.data]);
  const shown = (picked ?? apps.slice(0, 3).map((a) => a.app)).filter((k) => apps.some((a) => a.app === k));
  const names = useMemo(() => new Map(apps.map((a) => [a.app, a.name])), [apps]);
  const series = usePoll(
    async () => {
      if (shown.length === 0) return null;
      const to = Math.floor(Date.now() / 1000) + 1;
      return seriesSchema.parse(
        await session.request('history', { apps: shown, from: to - seconds, to, maxPoints: POINTS }),
      );
    },
    available ? (range === '1h' ? 2000 : 10_000) : 0,
    [range, shown.join('\n'), boot, available],
  );

  const exportCsv = async () => {
    const to = Math.floor(Date.now() / 1000) + 1;
    const csv = String(
      await session.request('historyCsv', { apps: shown, from: to - seconds, to, maxPoints: POINTS }),
    );
    download(`netlanes-history-${range}.csv`, csv, 'text/csv');
  };

  const toggle = (app: string) => {
    const now = new Set(shown);
    if (now.has(app)) now.delete(app);
    else if (now.size < MAX_APPS) now.add(app);
    setPicked([...now]);
  };

  const days = useMemo(() => {
    const m = new Map<string, number>();
    for (const d of totals.data ?? [])
      if (shown.includes(d.app)) m.set(d.day, (m.get(d.day) ?? 0) + d.txBytes + d.rxBytes);
    return [...m].sort((a, b) => a[0].localeCompare(b[0]));
  }, [totals.data, shown.join('\n')]);
  const dayMax = Math.max(1, ...days.map(([, v]) => v));

  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">History</h1>
        <span className="screen-sub">What each app sent and received, kept in the database.</span>
        <span className="spacer" />
        <div role="radiogroup" aria-label="Range" className="segmented">
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              role="radio"
              aria-checked={range === r.id}
              className="seg"
              onClick={() => setRange(r.id)}
            >
              {r.label}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="btn btn-small"
          disabled={shown.length === 0}
          onClick={() => void exportCsv()}
        >
          Export CSV
        </button>
      </div>
      {!available ? (
        <EmptyState tone="error" title="No history without the database">
          <p>{store.status?.error ?? 'The database is not available.'}</p>
        </EmptyState>
      ) : totals.loading && totals.data === undefined ? (
        <EmptyState tone="busy" title="Reading the history…" />
      ) : apps.length === 0 ? (
        <EmptyState title="Nothing recorded in this range yet">
          <p>The recorder writes one sample per app per second; traffic shows here within a few seconds.</p>
        </EmptyState>
      ) : (
        <div className="history-grid">
          <section className="panel" aria-labelledby="apps-title">
            <div className="panel-head">
              <h2 id="apps-title">Applications</h2>
              <span className="muted">up to {MAX_APPS} at once</span>
            </div>
            <ul className="history-apps">
              {apps.map((a) => {
                const i = shown.indexOf(a.app);
                return (
                  <li key={a.app}>
                    <label>
                      <input type="checkbox" checked={i >= 0} onChange={() => toggle(a.app)} />
                      <span
                        className="swatch"
                        style={{ background: i >= 0 ? APP_COLOURS[i % APP_COLOURS.length] : 'transparent' }}
                      />
                      <span className="history-app-name">{a.name}</span>
                      <span className="muted num">{bytes(a.tx + a.rx)}</span>
                    </label>
                  </li>
                );
              })}
            </ul>
          </section>
          <div className="history-charts">
            {series.error && (
              <p className="banner banner-bad" role="alert">
                {series.error}
              </p>
            )}
            {series.data ? (
              <>
                <section className="panel" aria-labelledby="up-title">
                  <div className="panel-head">
                    <h2 id="up-title">Upload</h2>
                    <span className="muted">
                      {series.data.step > 1
                        ? `each point ${series.data.step >= 3600 ? `${series.data.step / 3600} h` : series.data.step >= 60 ? `${series.data.step / 60} min` : `${series.data.step} s`}: mean, with the band from the slowest to the fastest second`
                        : 'every second'}
                    </span>
                  </div>
                  <RateChart result={series.data} names={names} direction="tx" />
                </section>
                <section className="panel" aria-labelledby="down-title">
                  <div className="panel-head">
                    <h2 id="down-title">Download</h2>
                  </div>
                  <RateChart result={series.data} names={names} direction="rx" />
                </section>
              </>
            ) : (
              <EmptyState title="Pick an application" />
            )}
            <section className="panel" aria-labelledby="days-title">
              <div className="panel-head">
                <h2 id="days-title">Totals per day</h2>
                <span className="muted">sent + received, the apps shown</span>
              </div>
              <table className="table day-table">
                <tbody>
                  {days.map(([day, total]) => (
                    <tr key={day}>
                      <th scope="row">{day}</th>
                      <td className="day-bar-cell">
                        <span className="day-bar" style={{ width: `${(100 * total) / dayMax}%` }} />
                      </td>
                      <td className="num">{bytes(total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </div>
      )}
    </section>
  );
}
