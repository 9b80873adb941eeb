/**
 * Kinds of option value for `npm run sim`: each parses the text the user typed and carries
 * the range it accepts as one string, so the refusal and `--help` quote the same words.
 */
import { parseDuration } from '../../driver-runtime/sim/units.ts';
import { parseFault, type FaultSpec } from '../../driver-runtime/host/faults.ts';

/** The value is refused; `reason` (optional) says more than "out of range". */
export class ValueError extends Error {}

export interface ValueKind<T> {
  /** What the value may be, e.g. "an integer 0..4294967295". */
  readonly range: string;
  /** Parses `text`; throws ValueError when it is not in `range`. */
  parse(text: string): T;
}

// Digits only: Number() would also take "", " ", "0x10", "1e3" and "-1".
const INTEGER = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/** A number held to min..max; `int` refuses fractions. Range text "an integer 0..7 B". */
export function number(min: number, max: number, int: boolean, unit = ''): ValueKind<number> {
  return {
    range: `${int ? 'an integer ' : ''}${min}..${max}${unit === '' ? '' : ` ${unit}`}`,
    parse(text) {
      const ok = (int ? INTEGER : DECIMAL).test(text);
      const n = Number(text);
      if (!ok || n < min || n > max) throw new ValueError();
      return n;
    },
  };
}

/** An 802.1p priority 0..7, or "-" for none (the queue's frames are left as built). */
export function priorityOrNone(): ValueKind<number> {
  const pcp = number(0, 7, true);
  return {
    range: `${pcp.range} or - (none)`,
    parse: (text) => (text === '-' ? -1 : pcp.parse(text)),
  };
}

/** "3600s", "1ns": a whole number of ns in the largest unit that divides it. */
export function durationText(ns: number): string {
  for (const [unit, scale] of [
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ] as const) {
    if (ns % scale === 0) return `${ns / scale}${unit}`;
  }
  return `${ns}ns`;
}

/** Virtual time such as 10s, 250ms, 40us, 1500ns (a bare number is seconds), minNs..maxNs. */
export function duration(minNs: number, maxNs: number): ValueKind<number> {
  return {
    range: `${durationText(minNs)}..${durationText(maxNs)} (e.g. 10s, 250ms, 40us)`,
    parse(text) {
      let ns: number;
      try {
        ns = parseDuration(text);
      } catch {
        throw new ValueError('not a duration');
      }
      if (!(ns >= minNs && ns <= maxNs)) throw new ValueError();
      return ns;
    },
  };
}

/** One of a fixed list of words. */
export function oneOf<const T extends string>(words: readonly T[]): ValueKind<T> {
  return {
    range: `one of ${words.join(', ')}`,
    parse(text) {
      const w = words.find((x) => x === text);
      if (w === undefined) throw new ValueError();
      return w;
    },
  };
}

export type Four = [number, number, number, number];

/** Four comma-separated numbers (one per queue 0..3); `check` refuses a combination. */
export function four(item: ValueKind<number>, check?: (v: Four) => string | null): ValueKind<Four> {
  return {
    range: `four values A,B,C,D, each ${item.range}`,
    parse(text) {
      const parts = text.split(',');
      if (parts.length !== 4) throw new ValueError(`${parts.length} values, not four`);
      const v = parts.map((p) => item.parse(p.trim())) as Four;
      const problem = check?.(v) ?? null;
      if (problem !== null) throw new ValueError(problem);
      return v;
    },
  };
}

/** A path; only emptiness is refused here — the file itself is checked before the run. */
export function filePath(range: string): ValueKind<string> {
  return {
    range,
    parse(text) {
      if (text === '') throw new ValueError('empty');
      return text;
    },
  };
}

/**
 * A fault to inject (host/faults.ts syntax), with its times up to `maxNs` and its message
 * COUNT up to `maxCount`: an interrupt storm is one event per message, all at one instant.
 */
export function fault(maxNs: number, maxCount: number): ValueKind<FaultSpec> {
  return {
    range: `KIND@TIME[+DURATION][:qN|:vN][:COUNT] with TIME and DURATION 0..${durationText(maxNs)} and COUNT 1..${maxCount}`,
    parse(text) {
      let spec: FaultSpec;
      try {
        spec = parseFault(text);
      } catch (e) {
        // parseFault names the text itself; the caller already does.
        throw new ValueError((e as Error).message.replace(/^fault "[^"]*": /, ''));
      }
      if (spec.atNs > maxNs) throw new ValueError('TIME out of range');
      if (spec.durationNs !== Infinity && spec.durationNs > maxNs)
        throw new ValueError('DURATION out of range');
      if (!(spec.count >= 1 && spec.count <= maxCount)) throw new ValueError('COUNT out of range');
      return spec;
    },
  };
}
