/**
 * uPlot in React: made once per `options` (and theme), fed new data with setData, sized to
 * its container, destroyed on unmount. Options are built by the caller with theme colours.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

interface Props {
  options: Omit<uPlot.Options, 'width'>;
  data: uPlot.AlignedData;
  label: string;
  className?: string;
}

export function UPlotChart({ options, data, label, className }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const u = new uPlot({ ...options, width: Math.max(120, el.clientWidth) }, data, el);
    chart.current = u;
    const observer = new ResizeObserver(() =>
      u.setSize({ width: Math.max(120, el.clientWidth), height: options.height }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      chart.current = null;
    };
    // Data changes go through setData below; a new chart only for new options.
  }, [options]);
  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);
  return <div ref={host} className={`uplot-host ${className ?? ''}`} role="img" aria-label={label} />;
}
