/** p99 latency with its bufferbloat grade letter (A+ … F). */
import { gradeOf, gradeTone } from '../grade.ts';
import { latency } from '../format.ts';

export function GradeBadge({ meanNs }: { meanNs: number | null }) {
  if (meanNs === null) return null;
  const g = gradeOf(meanNs);
  return (
    <span
      className={`grade grade-${gradeTone(g)}`}
      title={`Bufferbloat grade ${g}: mean wait ${latency(meanNs)}`}
    >
      <span className="visually-hidden">grade </span>
      {g}
    </span>
  );
}

/** "2.21 ms  A+" — or a dash with the reason when the app sent nothing lately. */
export function LatencyFigure({ p99, meanNs }: { p99: number | null; meanNs: number | null }) {
  if (p99 === null)
    return (
      <span className="muted" title="Sent nothing in the last 5 seconds">
        —
      </span>
    );
  return (
    <span className="latency-figure">
      <span className="figure">{latency(p99)}</span>
      <GradeBadge meanNs={meanNs} />
    </span>
  );
}
