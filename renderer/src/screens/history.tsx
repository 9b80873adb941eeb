/**
 * History: rate per app over 1 h … 30 d with min–max bands, daily totals, CSV export. It needs
 * the store's `history` and `dailyTotals` requests; until then, a designed placeholder.
 * (Replace this file whole when the store lands.)
 */
import { ComingWithStore } from '../components/coming-with-store.tsx';

function Sketch() {
  const bars = [38, 52, 47, 70, 64, 30, 22, 58, 61, 75, 49, 66, 80, 44];
  return (
    <svg viewBox="0 0 420 150" width="100%" height="150">
      <path
        className="sketch-band"
        d="M0 95 C40 60 70 80 105 70 S170 30 210 55 S290 90 320 50 S390 40 420 45 L420 85 C390 80 350 95 320 90 S250 110 210 95 S140 80 105 100 S40 115 0 120Z"
      />
      <path
        className="sketch-line"
        d="M0 108 C40 85 70 92 105 86 S170 55 210 75 S290 100 320 70 S390 62 420 65"
      />
      {bars.map((h, i) => (
        <rect
          key={i}
          className="sketch-bar"
          x={8 + i * 29.5}
          y={150 - h * 0.35}
          width="18"
          height={h * 0.35}
          rx="2"
        />
      ))}
    </svg>
  );
}

export function History() {
  return (
    <ComingWithStore
      title="History"
      lede="What every app sent and received, and how long its packets waited — over the last hour, day, week or month."
      features={[
        'Rate per app for 1 h, 24 h, 7 d and 30 d, with the min–max band around the mean when zoomed out',
        'Totals per day as bars, per app and per lane',
        'A crosshair with exact values, and CSV export',
      ]}
      sketch={<Sketch />}
    />
  );
}
