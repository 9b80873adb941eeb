/**
 * The workloads the app ships, embedded in the build (no file to find at run time): the
 * home-office day is what the app shows on first start; the contention proof and a busy desk
 * of fifty apps (the load the screens must stay smooth under) are the others.
 */
import homeOffice from '../scenarios/home-office.json' with { type: 'json' };
import contention from '../scenarios/contention.json' with { type: 'json' };
import busyDesk from '../scenarios/busy-desk.json' with { type: 'json' };
import { parseScenario, type Scenario } from '../driver-runtime/stack/scenario.ts';

export const DEFAULT_SCENARIO = 'home-office';

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'home-office': parseScenario(homeOffice, 'home-office.json'),
  contention: parseScenario(contention, 'contention.json'),
  'busy-desk': parseScenario(busyDesk, 'busy-desk.json'),
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);
