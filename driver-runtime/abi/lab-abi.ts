/**
 * The lab's ABI: the simulated machine's own control service, `NetLanesLab`, reached exactly
 * as the driver is (IOServiceGetMatchingService, IOServiceOpen, struct and async struct
 * methods). It does what a test bench does to a real card — pull the cable, change the link
 * partner's speed, swap the workload, replay the workload under other rules — and nothing the
 * driver could not also see happen to real hardware. Versioned with its own number.
 */
import { StructLayout } from './struct-codec.ts';
import type { MethodShape } from './netlanes-abi.ts';
import { VARIABLE_SIZE } from './netlanes-abi.ts';

export const LAB_ABI_VERSION = 1;
export const LAB_SERVICE_NAME = 'NetLanesLab';
/** The bundle id the lab's userclient-access entitlement names. */
export const LAB_BUNDLE_ID = 'app.netlanes.lab';
export const LAB_USER_CLIENT_TYPE = 0;

export const LabSelector = {
  GetStatus: 0,
  InjectFault: 1,
  SetLinkSpeed: 2,
  SwitchScenario: 3,
  RunWhatIf: 4,
  GetWhatIfResult: 5,
} as const;
export type LabSelectorName = keyof typeof LabSelector;
export const LAB_SELECTOR_COUNT = 6;

/** A fault spec, a scenario name: UTF-8 text, at most this long. */
export const LAB_TEXT_MAX = 256;

/** Link speeds the link partner can be switched to, in Mb/s (SetLinkSpeed's scalar). */
export const LAB_LINK_SPEEDS_MBPS = [1000, 2500, 10000] as const;

export const LAB_METHODS: Record<LabSelectorName, MethodShape> = {
  GetStatus: { async: false, scalarIn: 0, structIn: 0, scalarOut: 0, structOut: 128 },
  InjectFault: { async: false, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 1, structOut: 0 },
  SetLinkSpeed: { async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: 0 },
  SwitchScenario: { async: false, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 0, structOut: 0 },
  RunWhatIf: { async: true, scalarIn: 0, structIn: VARIABLE_SIZE, scalarOut: 1, structOut: 0 },
  GetWhatIfResult: { async: false, scalarIn: 1, structIn: 0, scalarOut: 0, structOut: VARIABLE_SIZE },
};
export const LAB_SELECTOR_NAMES = Object.keys(LabSelector) as LabSelectorName[];

export interface LabStatus {
  abiVersion: number;
  /** The machine's virtual time, ns. */
  virtualNs: number;
  /** How far virtual time is behind the wall clock, ns (0 when stepped by hand). */
  lagNs: number;
  /** Wall time the pacer spent running the machine, and the wall time it has run for, ms. */
  busyMs: number;
  elapsedMs: number;
  linkMbps: number;
  /** 1 while the link is up. */
  linkUp: number;
  faultsInjected: number;
  whatIfRunning: number;
  scenario: string;
}

export const LAB_STATUS = new StructLayout<LabStatus>('LabStatus', 128, [
  { name: 'abiVersion', offset: 0, type: 'u32' },
  { name: 'linkMbps', offset: 4, type: 'u32' },
  { name: 'virtualNs', offset: 8, type: 'f64' },
  { name: 'lagNs', offset: 16, type: 'f64' },
  { name: 'busyMs', offset: 24, type: 'f64' },
  { name: 'elapsedMs', offset: 32, type: 'f64' },
  { name: 'linkUp', offset: 40, type: 'u32' },
  { name: 'faultsInjected', offset: 44, type: 'u32' },
  { name: 'whatIfRunning', offset: 48, type: 'u32' },
  { name: 'scenario', offset: 64, type: 'text', size: 64 },
]);

/** RunWhatIf's completions carry [phase, permille, job id]. */
export const WhatIfPhase = {
  Progress: 1,
  Done: 2,
  Failed: 3,
} as const;
