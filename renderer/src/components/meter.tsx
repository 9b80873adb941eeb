/** A thin bar for a share or an occupancy, with its text alternative. */
export function Meter({
  value,
  label,
  tone,
}: {
  value: number;
  label: string;
  tone?: 'lane' | 'warn' | 'neutral';
}) {
  const pct = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  return (
    <div
      className={`meter meter-${tone ?? 'lane'}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct * 100)}
    >
      <div className="meter-fill" style={{ width: `${(pct * 100).toFixed(1)}%` }} />
    </div>
  );
}
