/**
 * p99 wait under load per app, run A beside run B, on a log scale: grouped bars, A in grey,
 * B in the accent colour, the exact values in the table beside it.
 */
import { useMemo } from 'react';
import uPlot from 'uplot';
import type { WhatIfResult } from '../../session/what-if.ts';
import { latency } from '../../format.ts';
import { cssVar, useColorScheme } from '../../hooks/use-color-scheme.ts';
import { UPlotChart } from '../../components/uplot-chart.tsx';
import { axisStyle } from './cdf-chart.tsx';

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); 10 ** e <= max * 1.0001; e++) out.push(10 ** e);
  return out;
}

export function P99Chart({ result }: { result: WhatIfResult }) {
  const scheme = useColorScheme();
  const apps = result.apps.filter((c) => c.a.p99 > 0 || c.b.p99 > 0);
  const data = useMemo<uPlot.AlignedData>(
    () => [apps.map((_, i) => i), apps.map((c) => c.a.p99 || null), apps.map((c) => c.b.p99 || null)],
    [apps],
  );
  const options = useMemo<Omit<uPlot.Options, 'width'>>(() => {
    const axis = axisStyle();
    const names = apps.map((c) => c.name);
    const lo = Math.min(...apps.flatMap((c) => [c.a.p99, c.b.p99]).filter((x) => x > 0));
    const hi = Math.max(...apps.flatMap((c) => [c.a.p99, c.b.p99]));
    const bars = (align: -1 | 1) => uPlot.paths.bars!({ size: [0.32, 36], align, gap: 2 });
    return {
      height: 220,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: [-0.6, apps.length - 0.4] },
        y: {
          distr: 3,
          range: [10 ** Math.floor(Math.log10(Math.max(100, lo))), 10 ** Math.ceil(Math.log10(hi * 1.01))],
        },
      },
      axes: [
        {
          ...axis,
          splits: () => apps.map((_, i) => i),
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => names[t] ?? ''),
          gap: 4,
        },
        {
          ...axis,
          size: 64,
          // Decades only: a log axis with every minor line is noise at this size.
          splits: (_u: uPlot, _i: number, min: number, max: number) => decades(min, max),
          values: (_u: uPlot, ticks: number[]) => ticks.map((t) => latency(t)),
        },
      ],
      series: [
        {},
        {
          label: 'A · now',
          fill: cssVar('--faint'),
          stroke: cssVar('--faint'),
          paths: bars(-1),
          points: { show: false },
        },
        {
          label: 'B · proposed',
          fill: cssVar('--accent'),
          stroke: cssVar('--accent'),
          paths: bars(1),
          points: { show: false },
        },
      ],
    };
    // `scheme`: the theme's colours are read when the options are made.
  }, [apps, scheme]);
  return (
    <UPlotChart
      options={options}
      data={data}
      label={`p99 wait per app: ${apps.map((c) => `${c.name} ${latency(c.a.p99)} now, ${latency(c.b.p99)} proposed`).join('; ')}`}
      className="p99-chart"
    />
  );
}
