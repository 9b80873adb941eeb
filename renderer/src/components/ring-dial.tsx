/**
 * A descriptor ring drawn as a circle: the arc from next-to-clean to the tail is what the
 * driver handed the NIC and has not reaped yet; ticks mark the tail (T) and the head the
 * device last reported (H).
 */
import type { RingRecord } from '../../../driver-runtime/abi/ring-state-reader.ts';

const R = 38;
const C = 60;

function point(index: number, size: number, r = R): [number, number] {
  const a = (index / size) * 2 * Math.PI - Math.PI / 2;
  return [C + r * Math.cos(a), C + r * Math.sin(a)];
}

export function RingDial({ ring, label, priority }: { ring: RingRecord; label: string; priority: string }) {
  const size = Math.max(1, ring.size);
  const inFlight = (ring.nextToUse - ring.nextToClean) >>> 0;
  const from = ring.nextToClean % size;
  const to = ring.tail % size;
  const [x1, y1] = point(from, size);
  const [x2, y2] = point(to, size);
  const large = inFlight > size / 2 ? 1 : 0;
  const tick = (i: number, cls: string, text: string) => {
    const [a, b] = point(i % size, size, R - 9);
    const [c, d] = point(i % size, size, R + 9);
    const [tx, ty] = point(i % size, size, R + 17);
    return (
      <g className={cls}>
        <line x1={a} y1={b} x2={c} y2={d} />
        <text x={tx} y={ty} dominantBaseline="middle" textAnchor="middle">
          {text}
        </text>
      </g>
    );
  };
  return (
    <figure className={`ring-dial lane-${priority}`}>
      <svg
        width={2 * C}
        height={2 * C}
        viewBox={`0 0 ${2 * C} ${2 * C}`}
        role="img"
        aria-label={`${label}: ${inFlight} of ${size} descriptors in flight, head ${ring.head}, tail ${ring.tail}`}
      >
        <circle className="ring-track" cx={C} cy={C} r={R} />
        {inFlight > 0 && inFlight < size && (
          <path className="ring-arc" d={`M ${x1} ${y1} A ${R} ${R} 0 ${large} 1 ${x2} ${y2}`} />
        )}
        {inFlight >= size && <circle className="ring-arc" cx={C} cy={C} r={R} />}
        {tick(ring.tail, 'ring-tail', 'T')}
        {tick(ring.head, 'ring-head', 'H')}
        <text className="ring-count" x={C} y={C - 4} textAnchor="middle">
          {inFlight}
        </text>
        <text className="ring-unit" x={C} y={C + 12} textAnchor="middle">
          in flight
        </text>
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
