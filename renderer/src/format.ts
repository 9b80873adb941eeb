/** Figures as people read them: scaled units, always shown. */
export function rate(bitsPerSecond: number): string {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 1) return '0 b/s';
  const units = ['b/s', 'kb/s', 'Mb/s', 'Gb/s'];
  let v = bitsPerSecond;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A duration in nanoseconds: ns, µs, ms or s with three significant figures. */
export function latency(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return '—';
  if (ns < 1000) return `${Math.round(ns)} ns`;
  const [v, unit] = ns < 1e6 ? [ns / 1e3, 'µs'] : ns < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's'];
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
}

/** Machine (virtual) time since boot: 1:02.345. */
export function clock(ns: number): string {
  const ms = Math.max(0, Math.floor(ns / 1e6));
  const m = Math.floor(ms / 60000);
  const s = ((ms % 60000) / 1000).toFixed(3).padStart(6, '0');
  return `${m}:${s}`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function percent(fraction: number, digits = 0): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function mac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function hex(n: number, width = 0): string {
  return `0x${(n >>> 0).toString(16).padStart(width, '0')}`;
}

export function ipv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };

/** The first letters of an app's name, for its monogram. */
export function initials(name: string): string {
  const all = name
    .replace(/[^\p{L}\p{N} ]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  // "League of Legends" is LL: small words do not make initials.
  const words = all.length > 2 ? all.filter((w) => !/^(of|the|and|for|a|an|de|la)$/i.test(w)) : all;
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2).replace(/^./, (c) => c.toUpperCase());
  return (words[0][0] + words[1][0]).toUpperCase();
}

/** An error as a sentence, without the transport's class prefix ("AppRequestError: …"). */
export function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^[A-Za-z]*Error: /, '');
}
