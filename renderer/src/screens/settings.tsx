/**
 * Settings: retention, database location, theme, the app's own CPU use. It needs the store's
 * `settings` and `profiles` requests; until then, a designed placeholder.
 * (Replace this file whole when the store lands.)
 */
import { ComingWithStore } from '../components/coming-with-store.tsx';

function Sketch() {
  return (
    <svg viewBox="0 0 420 150" width="100%" height="150">
      {[0, 1, 2, 3].map((i) => (
        <g key={i} transform={`translate(0 ${12 + i * 34})`}>
          <rect className="sketch-bar" x="0" y="6" width={120 + ((i * 37) % 60)} height="10" rx="3" />
          <rect className="sketch-band" x="250" y="0" width="170" height="22" rx="6" />
          <rect className="sketch-line-fill" x={252 + (i % 3) * 56} y="2" width="56" height="18" rx="5" />
        </g>
      ))}
    </svg>
  );
}

export function Settings() {
  return (
    <ComingWithStore
      title="Settings"
      lede="How long NetLanes keeps history, where it keeps it, and how it looks."
      features={[
        'Retention presets from 10 minutes to forever, with the database size shown',
        'Database location, profiles of rules you can switch between',
        'Theme: system, light or dark (today it follows your system)',
        "NetLanes' own CPU use",
      ]}
      sketch={<Sketch />}
    />
  );
}
