/** A 60-second sparkline: an SVG area, decorative (the figure beside it says the value). */
import { memo } from 'react';

interface Props {
  values: readonly number[];
  width?: number;
  height?: number;
  /** Full scale; defaults to the largest value. */
  max?: number;
  className?: string;
}

export const Sparkline = memo(function Sparkline({ values, width = 72, height = 20, max, className }: Props) {
  const n = values.length;
  // Headroom above the largest value: a steady rate sits below the top, not glued to it.
  const top = Math.max(max ?? 0, ...values.map((v) => v * 1.25), 1e-9);
  const pts =
    n < 2
      ? ''
      : values
          .map(
            (v, i) =>
              `${((i / (n - 1)) * width).toFixed(1)},${(height - 1 - (Math.min(v, top) / top) * (height - 2)).toFixed(1)}`,
          )
          .join(' ');
  return (
    <svg
      className={`sparkline ${className ?? ''}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      aria-hidden="true"
    >
      {n >= 2 && (
        <>
          <polygon className="spark-fill" points={`0,${height} ${pts} ${width},${height}`} />
          <polyline className="spark-line" points={pts} />
        </>
      )}
    </svg>
  );
});
