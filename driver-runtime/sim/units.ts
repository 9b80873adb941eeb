/** Time and rate units. Virtual time is a float64 count of nanoseconds. */
export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

/** Ethernet per-frame overhead on the wire beyond the frame itself: preamble+SFD (8) and IFG (12). */
export const PREAMBLE_BYTES = 8;
export const IFG_BYTES = 12;
export const FCS_BYTES = 4;

export type LinkSpeed = '1g' | '2.5g' | '10g';

export const LINK_BPS: Record<LinkSpeed, number> = {
  '1g': 1e9,
  '2.5g': 2.5e9,
  '10g': 10e9,
};

/** Parses "10s", "250ms", "40us", "1500ns" or a bare number of seconds into ns. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 10s, 250ms, 40us)`);
  const value = Number(m[1]);
  const unit = m[2] ?? 's';
  const scale = unit === 'ns' ? NS : unit === 'us' || unit === 'µs' ? US : unit === 'ms' ? MS : SECOND;
  return value * scale;
}
