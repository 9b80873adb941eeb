/**
 * The gesture: put an app in a lane with one click (or arrow keys inside, or 1–4 on its row).
 * A radio group of the four lanes, top lane first; the chosen one filled with its colour.
 */
import { useRef, type KeyboardEvent } from 'react';
import { LANES, type Priority } from '../lanes.ts';

interface Props {
  value: Priority | null;
  onChange: (p: Priority) => void;
  /** Whose lane it is, for screen readers ("FaceTime"). */
  label: string;
  disabled?: boolean;
  pending?: boolean;
  compact?: boolean;
}

export function LanePicker({ value, onChange, label, disabled, pending, compact }: Props) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const index = LANES.findIndex((l) => l.priority === value);
  const onKeyDown = (e: KeyboardEvent) => {
    const step =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? -1
          : 0;
    if (step === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const next = LANES[(Math.max(index, 0) + step + LANES.length) % LANES.length];
    onChange(next.priority);
    refs.current[LANES.indexOf(next)]?.focus();
  };
  return (
    <div
      className={`lane-picker${compact ? ' compact' : ''}${pending ? ' pending' : ''}`}
      role="radiogroup"
      aria-label={`Lane for ${label}`}
      aria-busy={pending || undefined}
      onKeyDown={onKeyDown}
    >
      {LANES.map((lane, i) => {
        const checked = lane.priority === value;
        return (
          <button
            key={lane.priority}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="radio"
            aria-checked={checked}
            tabIndex={checked || (index < 0 && i === 0) ? 0 : -1}
            disabled={disabled}
            className={`seg lane-${lane.priority}`}
            title={`${lane.name} (Queue ${lane.queue}) — key ${lane.key}`}
            onClick={() => !checked && onChange(lane.priority)}
          >
            {lane.name}
          </button>
        );
      })}
    </div>
  );
}
