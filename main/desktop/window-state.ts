/**
 * The window's place and size, remembered between launches (in the user-data folder), and put
 * back only where it fits: a display that went away, or a size larger than any screen, must not
 * open the window off-screen.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const stateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof stateSchema>;

export const DEFAULT_SIZE = { width: 1280, height: 820 };
export const MIN_SIZE = { width: 960, height: 640 };
/** How much of the window must lie on a display for the saved place to be used (OURS). */
const MIN_VISIBLE = 96;

export const WINDOW_STATE_FILE = 'window-state.json';

export function readWindowState(dir: string): WindowState | null {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path.join(dir, WINDOW_STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWindowState(dir: string, state: WindowState): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, WINDOW_STATE_FILE), JSON.stringify(state));
  } catch {
    /* a read-only folder: the next launch opens at the default place */
  }
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Where to open: the saved bounds, shrunk to fit the display they are on, when enough of the
 * title bar area shows on some display; else the default size, centred by the OS.
 */
export function restoreBounds(
  saved: WindowState | null,
  workAreas: readonly Rect[],
): Partial<Rect> & { maximized: boolean } {
  if (saved === null) return { ...DEFAULT_SIZE, maximized: false };
  const display = workAreas.find((d) => {
    const o = overlap(saved, d);
    return o.width >= MIN_VISIBLE && o.height >= MIN_VISIBLE && saved.y >= d.y && saved.y < d.y + d.height;
  });
  if (display === undefined) return { ...DEFAULT_SIZE, maximized: saved.maximized };
  const width = Math.max(MIN_SIZE.width, Math.min(saved.width, display.width));
  const height = Math.max(MIN_SIZE.height, Math.min(saved.height, display.height));
  return { x: saved.x, y: saved.y, width, height, maximized: saved.maximized };
}
