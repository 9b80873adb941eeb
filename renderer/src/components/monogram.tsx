/** An app's monogram: its initials on a tile (apps carry no icons in the simulation). */
import type { CSSProperties } from 'react';
import { initials } from '../format.ts';

export function Monogram({ name, size = 28 }: { name: string; size?: number }) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (
    <span
      className="monogram"
      style={{ width: size, height: size, '--hue': h % 360 } as CSSProperties}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
