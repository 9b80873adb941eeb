/**
 * The tray icon, drawn rather than shipped: four lane bars, top (Highest) to bottom (Low), in
 * the lanes' single-hue sequence, as a BGRA bitmap Electron's nativeImage takes as it is.
 */

/** The lane colours (RGB), Highest … Low: one blue from saturated to pale (colour-blind safe). */
export const LANE_RGB: readonly [number, number, number][] = [
  [0x08, 0x51, 0x9c],
  [0x2a, 0x6f, 0xb0],
  [0x6b, 0xae, 0xd6],
  [0xb7, 0xd3, 0xec],
];

export function laneIconBitmap(size: number): Buffer {
  const bgra = Buffer.alloc(size * size * 4);
  const pad = Math.max(1, Math.round(size / 8));
  const gap = Math.max(1, Math.round(size / 16));
  const barHeight = Math.floor((size - 2 * pad - 3 * gap) / 4);
  for (let lane = 0; lane < 4; lane++) {
    const top = pad + lane * (barHeight + gap);
    // Higher lanes are longer: the shape reads as priority even without colour.
    const right = size - pad - Math.round((lane * (size - 2 * pad)) / 8);
    const [r, g, b] = LANE_RGB[lane];
    for (let y = top; y < top + barHeight; y++)
      for (let x = pad; x < right; x++) {
        const i = (y * size + x) * 4;
        bgra[i] = b;
        bgra[i + 1] = g;
        bgra[i + 2] = r;
        bgra[i + 3] = 0xff;
      }
  }
  return bgra;
}
