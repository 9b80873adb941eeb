/** A lane as a chip: its colour and always its name as text (never colour alone). */
import { laneOf } from '../lanes.ts';

export function LaneChip({ queue, showQueue = true }: { queue: number; showQueue?: boolean }) {
  const lane = laneOf(queue);
  if (lane === undefined)
    return (
      <span className="chip chip-none" data-queue="">
        no lane yet
      </span>
    );
  return (
    <span
      className={`chip lane-${lane.priority}`}
      data-queue={queue}
      title={`${lane.name} lane: hardware Queue ${queue}`}
    >
      <span className="swatch" aria-hidden="true" />
      {lane.name}
      {showQueue && <span className="chip-q">Q{queue}</span>}
    </span>
  );
}
