/** The event stream the Lab and Driver screens show: the driver's log, link changes, our own actions. */
import { DRIVER_EVENT_CODES, type EventRecord } from '../../../driver-runtime/abi/netlanes-abi.ts';

export type Severity = 'info' | 'warn' | 'error';

export interface EventItem {
  key: string;
  /** Who says it: the driver's event log, or this window (what it asked for). */
  source: 'driver' | 'you' | 'app';
  /** Short name: the driver's event code ("link-down") or the action ("inject fault"). */
  name: string;
  detail: string;
  /** The machine's time, ns (driver events), else null. */
  timeNs: number | null;
  /** Wall-clock time it reached the page. */
  at: number;
  severity: Severity;
}

const WARN = new Set(['link-down', 'rx-overrun', 'interrupt-recovery', 'refused', 'reset']);
const ERROR = new Set(['tx-hang', 'dma-error', 'device-removed', 'unexpected-reset']);

export function driverEvent(e: EventRecord, boot: number): EventItem {
  const name = DRIVER_EVENT_CODES[e.code] ?? `event ${e.code}`;
  return {
    key: `d${boot}:${e.sequence}`,
    source: 'driver',
    name,
    detail: e.detail,
    timeNs: e.timeNs,
    at: Date.now(),
    severity: ERROR.has(name) ? 'error' : WARN.has(name) ? 'warn' : 'info',
  };
}

let localKey = 0;
export function localEvent(
  source: 'you' | 'app',
  name: string,
  detail: string,
  severity: Severity = 'info',
): EventItem {
  return { key: `l${++localKey}`, source, name, detail, timeNs: null, at: Date.now(), severity };
}

/** Events kept in the page (OURS). */
export const EVENTS_KEPT = 300;
