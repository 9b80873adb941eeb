import type { EventHandler } from '../sim/scheduler.ts';
import { parseDuration } from '../sim/units.ts';
import type { Machine } from './machine.ts';

export const FAULT_KINDS = [
  'link-flap',
  'surprise-removal',
  'tx-hang',
  'dma-error',
  'pool-exhaustion',
  'rx-overrun',
  'lost-interrupts',
  'interrupt-storm',
  'reset',
  'pause',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One injected fault: what, when, for how long, and where. */
export interface FaultSpec {
  kind: FaultKind;
  atNs: number;
  /** For faults that end by themselves (link-flap, pool-exhaustion, rx-overrun, pause, tx-hang). */
  durationNs: number;
  /** Queue (tx-hang, dma-error) or vector (interrupt-storm). */
  queue: number;
  /** Messages to lose (lost-interrupts) or to send (interrupt-storm). */
  count: number;
}

const DEFAULT_DURATION: Record<FaultKind, number> = {
  'link-flap': 200e6,
  'surprise-removal': 0,
  'tx-hang': Infinity,
  'dma-error': 0,
  'pool-exhaustion': 100e6,
  'rx-overrun': 50e6,
  'lost-interrupts': 0,
  'interrupt-storm': 0,
  reset: 0,
  pause: 300e6,
};

export const FAULT_SYNTAX =
  'KIND@TIME[+DURATION][:qN|:vN][:COUNT], e.g. link-flap@2s+500ms, tx-hang@1s:q0, lost-interrupts@1s:200';

/** Parses "link-flap@2s+500ms", "tx-hang@1s:q2", "interrupt-storm@1s:v0:1000". Throws with the reason. */
export function parseFault(text: string): FaultSpec {
  const m = /^([a-z-]+)@([^+:]+)(?:\+([^:]+))?((?::[^:]+)*)$/.exec(text.trim());
  if (!m) throw new Error(`fault "${text}": expected ${FAULT_SYNTAX}`);
  const kind = FAULT_KINDS.find((k) => k === m[1]);
  if (!kind) throw new Error(`fault "${text}": unknown kind "${m[1]}" (one of ${FAULT_KINDS.join(', ')})`);
  const spec: FaultSpec = {
    kind,
    atNs: parseDuration(m[2]),
    durationNs: m[3] ? parseDuration(m[3]) : DEFAULT_DURATION[kind],
    queue: 0,
    count: 100,
  };
  for (const arg of m[4].split(':').filter(Boolean)) {
    if (/^[qv][0-4]$/.test(arg)) spec.queue = Number(arg.slice(1));
    else if (/^\d+$/.test(arg)) spec.count = Number(arg);
    else throw new Error(`fault "${text}": bad argument "${arg}" (qN, vN or a count)`);
  }
  if (spec.queue > 3 && kind !== 'interrupt-storm') throw new Error(`fault "${text}": queue must be q0..q3`);
  return spec;
}

/** A fault that happened, for the event log. */
export interface FaultRecord {
  timeNs: number;
  kind: FaultKind;
  phase: 'begin' | 'end';
  detail: string;
}

/**
 * Schedules a fault on a machine in virtual time. The device side comes from the NIC's
 * fault hooks (nic-model.md §6.7); pool exhaustion is a system-side hog that takes every
 * free packet for the duration. The driver's reactions show up in `driver.events`.
 */
export function scheduleFault(machine: Machine, spec: FaultSpec, log: FaultRecord[]): ScheduledFault {
  const nic = machine.nic;
  const hog: number[] = [];
  const record = (phase: 'begin' | 'end', detail: string) =>
    log.push({ timeNs: machine.scheduler.now, kind: spec.kind, phase, detail });
  const begin = (): void => {
    switch (spec.kind) {
      case 'link-flap':
        nic.setLink(false);
        record('begin', 'link down');
        break;
      case 'surprise-removal':
        nic.faults.surpriseRemove();
        record('begin', 'device removed from the bus');
        break;
      case 'tx-hang':
        nic.faults.hangTxQueue(spec.queue, true);
        record('begin', `Tx queue ${spec.queue} stops advancing`);
        break;
      case 'dma-error':
        nic.faults.injectDmaErrorOnNextTx(spec.queue);
        record('begin', `next Tx on queue ${spec.queue} hits a bad descriptor`);
        break;
      case 'pool-exhaustion': {
        const pool = machine.driver.packetPool!;
        for (let h = pool.allocatePacket(); h >= 0; h = pool.allocatePacket()) hog.push(h);
        record('begin', `${hog.length} free packets taken from the pool`);
        break;
      }
      case 'rx-overrun':
        nic.faults.overrunRx(true);
        record('begin', 'Rx packet buffer overruns');
        break;
      case 'lost-interrupts':
        nic.faults.loseInterrupts(spec.count);
        record('begin', `next ${spec.count} MSI-X messages lost`);
        break;
      case 'interrupt-storm':
        nic.faults.stormInterrupts(spec.queue, spec.count);
        record('begin', `${spec.count} spurious messages on vector ${spec.queue}`);
        break;
      case 'reset':
        nic.mmioWrite32(0, 0x0000, nic.mmioRead32(0, 0x0000) | (1 << 26));
        record('begin', 'function reset (CTRL.RST) from outside the driver');
        break;
      case 'pause':
        nic.faults.setPause(true);
        record('begin', 'link partner sent XOFF');
        break;
    }
  };
  const end = (): void => {
    switch (spec.kind) {
      case 'link-flap':
        nic.setLink(true);
        record('end', 'link up');
        break;
      case 'tx-hang':
        nic.faults.hangTxQueue(spec.queue, false);
        record('end', `Tx queue ${spec.queue} released`);
        break;
      case 'pool-exhaustion': {
        const pool = machine.driver.packetPool;
        for (const h of hog) pool?.DeallocatePacket(h);
        record('end', `${hog.length} packets returned to the pool`);
        hog.length = 0;
        break;
      }
      case 'rx-overrun':
        nic.faults.overrunRx(false);
        record('end', 'Rx overruns stop');
        break;
      case 'pause':
        nic.faults.setPause(false);
        record('end', 'link partner sent XON');
        break;
      default:
        break;
    }
  };
  let begun = false;
  let ended = false;
  const handler = (fn: () => void): EventHandler => ({ onEvent: () => machine.within(fn) });
  const beginId = machine.scheduler.schedule(
    spec.atNs,
    handler(() => ((begun = true), begin())),
    0,
  );
  const timed = spec.durationNs > 0 && spec.durationNs !== Infinity;
  const endId = timed
    ? machine.scheduler.schedule(
        spec.atNs + spec.durationNs,
        handler(() => ((ended = true), end())),
        0,
      )
    : -1;
  return {
    finish: () => {
      // A run that stops before the fault is over ends it now, so nothing outlives the run.
      machine.scheduler.cancel(beginId);
      if (endId >= 0) machine.scheduler.cancel(endId);
      if (begun && timed && !ended) {
        ended = true;
        machine.within(end);
      }
    },
  };
}

/** Handle of a scheduled fault. */
export interface ScheduledFault {
  /** Cancels what has not happened yet and ends a fault in progress (before shutdown). */
  finish(): void;
}
