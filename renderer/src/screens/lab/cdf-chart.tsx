/**
 * Latency under load, the way flent draws RRUL: one small CDF per app, log-scale wait on x
 * (µs → ms), the share of packets that waited at most that long on y; run A dashed, run B
 * solid, each in the colour of the lane the app was in. Steps, because a histogram bucket is
 * all it knows.
 */
import { useMemo } from 'react';
import uPlot from 'uplot';
import { cdfAt } from '../../session/what-if.ts';
import { latency } from '../../format.ts';
import { laneOf } from '../../lanes.ts';
import { cssVar, useColorScheme } from '../../hooks/use-color-scheme.ts';
import { UPlotChart } from '../../components/uplot-chart.tsx';

interface Props {
  name: string;
  a: [number, number][];
  b: [number, number][];
  queues: { a: number; b: number };
  /** Shared x range (ns) so the small multiples compare. */
  range: [number, number];
}

const laneColour = (queue: number) => cssVar(`--lane-${laneOf(queue)?.priority ?? 'normal'}`);

export function axisStyle() {
  return {
    stroke: cssVar('--muted'),
    grid: { stroke: cssVar('--border'), width: 1 },
    ticks: { stroke: cssVar('--border'), width: 1 },
    font: '11px system-ui, sans-serif',
  };
}

export function CdfChart({ name, a, b, queues, range }: Props) {
  const scheme = useColorScheme();
  const data = useMemo<uPlot.AlignedData>(() => {
    const xs = [...new Set([range[0], ...a.map((p) => p[0]), ...b.map((p) => p[0]), range[1]])].sort(
      (x, y) => x - y,
    );
    return [xs, xs.map((x) => cdfAt(a, x)), xs.map((x) => cdfAt(b, x))];
  }, [a, b, range]);
  const options = useMemo<Omit<uPlot.Options, 'width'>>(() => {
    const axis = axisStyle();
    const stepped = uPlot.paths.stepped!({ align: 1 });
    return {
      height: 170,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { distr: 3, range: () => range }, y: { range: [0, 1] } },
      axes: [
        { ...axis, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => latency(t)), space: 48 },
        {
          ...axis,
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => `${Math.round(t * 100)}%`),
          size: 42,
        },
      ],
      series: [
        {},
        {
          label: 'A',
          stroke: laneColour(queues.a),
          width: 2,
          dash: [5, 4],
          paths: stepped,
          points: { show: false },
        },
        { label: 'B', stroke: laneColour(queues.b), width: 2.5, paths: stepped, points: { show: false } },
      ],
    };
    // `scheme`: the theme's colours are read when the options are made.
  }, [queues.a, queues.b, range, scheme]);
  return (
    <UPlotChart
      options={options}
      data={data}
      label={`Latency CDF of ${name}, run A and run B`}
      className="cdf"
    />
  );
}
