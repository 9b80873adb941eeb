/** An app's upload cap: none, a preset, or a custom rate in Mb/s. */
import { useState } from 'react';
import { rate } from '../format.ts';

const PRESETS_MBPS = [1, 5, 10, 25, 50, 100, 250];

export function CapControl({
  capBps,
  label,
  onChange,
}: {
  capBps: number | undefined;
  label: string;
  onChange: (capBps: number | null) => void;
}) {
  const [custom, setCustom] = useState<string | null>(null);
  const preset =
    capBps === undefined ? 'none' : PRESETS_MBPS.includes(capBps / 1e6) ? String(capBps / 1e6) : 'other';
  if (custom !== null)
    return (
      <form
        className="cap-custom"
        onSubmit={(e) => {
          e.preventDefault();
          const mbps = Number(custom);
          setCustom(null);
          if (Number.isFinite(mbps) && custom.trim() !== '') onChange(Math.round(mbps * 1e6));
        }}
      >
        <input
          className="input"
          autoFocus
          inputMode="decimal"
          aria-label={`Custom cap for ${label}, Mb/s`}
          value={custom}
          onChange={(e) => setCustom(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setCustom(null)}
          placeholder="Mb/s"
        />
        <button type="submit" className="btn btn-small">
          Set
        </button>
      </form>
    );
  return (
    <select
      className="select cap-select"
      aria-label={`Upload cap for ${label}`}
      value={preset}
      onChange={(e) => {
        const v = e.target.value;
        if (v === 'custom') setCustom(capBps ? String(capBps / 1e6) : '');
        else onChange(v === 'none' ? null : Number(v) * 1e6);
      }}
    >
      <option value="none">No cap</option>
      {PRESETS_MBPS.map((m) => (
        <option key={m} value={String(m)}>
          {m} Mb/s
        </option>
      ))}
      {preset === 'other' && capBps !== undefined && <option value="other">{rate(capBps)}</option>}
      <option value="custom">Custom…</option>
    </select>
  );
}
