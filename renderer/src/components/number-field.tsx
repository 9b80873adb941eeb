/** A labelled decimal input (the settings forms' retention, budget and cap fields). */
export function NumberField({
  label,
  min,
  value,
  onChange,
}: {
  label: string;
  min: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        className="input"
        type="number"
        min={min}
        step="any"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
