/**
 * NetLanesLab: the test bench around the simulated card, served as an IOService with its own
 * user client so the app, the command line and tests reach it the way they reach the driver.
 * It pulls cables and breaks things (faults), swaps the link partner's port speed, swaps the
 * workload, and replays a workload under other rules (what-if, async with progress). None of
 * it touches the driver: the driver sees what it would see on real hardware.
 */
import {
  kIOReturnBadArgument,
  kIOReturnNotFound,
  kIOReturnNotReady,
  kIOReturnSuccess,
  type IOReturn,
} from '../kit/io-return.ts';
import { IOService } from '../kit/io-service.ts';
import { IOUserClient, type IOUserClientMethodArguments } from '../kit/io-user-client.ts';
import type { OSAction } from '../kit/os-action.ts';
import type { Out } from '../kit/os-object.ts';
import { dispatchTable, entryFor, reply, structInput, type MethodHandler } from '../kit/method-io.ts';
import {
  LAB_ABI_VERSION,
  LAB_BUNDLE_ID,
  LAB_METHODS,
  LAB_SELECTOR_COUNT,
  LAB_SELECTOR_NAMES,
  LAB_SERVICE_NAME,
  LAB_STATUS,
  LAB_TEXT_MAX,
  LAB_USER_CLIENT_TYPE,
  WhatIfPhase,
  type LabSelectorName,
} from '../abi/lab-abi.ts';
import { parseFault, scheduleFault } from './faults.ts';
import { changeLinkSpeed, linkMbps, linkSpeedOfMbps } from './link-change.ts';
import type { Machine } from './machine.ts';
import type { WhatIfLauncher } from './what-if-launcher.ts';

/** What the lab works on: the running machine and the things around it that outlive it. */
export interface LabHost {
  readonly machine: Machine;
  readonly scenarioName: string;
  readonly whatIf: WhatIfLauncher;
  pacerStats(): { busyMs: number; elapsedMs: number; lagNs: number } | null;
  /** A completion was queued outside any call (a what-if thread's message): deliver it. */
  completionQueued(): void;
  /** Replaces the running machine with one of `name`'s workload after this call returns. */
  switchScenario(name: string): IOReturn;
}

type Completion = OSAction<[IOReturn, readonly number[]]>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of at most LAB_TEXT_MAX bytes, or null. */
function textInput(args: IOUserClientMethodArguments, max = LAB_TEXT_MAX): string | null {
  const bytes = structInput(args);
  if (bytes.length === 0 || bytes.length > max) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

const HANDLERS: Record<LabSelectorName, MethodHandler<LabUserClient>> = {
  GetStatus: (uc, a) => {
    const m = uc.host.machine;
    const pacer = uc.host.pacerStats();
    const link = m.nic.core.link;
    return reply(
      a,
      LAB_STATUS.encode({
        abiVersion: LAB_ABI_VERSION,
        virtualNs: m.scheduler.now,
        lagNs: pacer?.lagNs ?? 0,
        busyMs: pacer?.busyMs ?? 0,
        elapsedMs: pacer?.elapsedMs ?? 0,
        linkMbps: linkMbps(link.speed),
        linkUp: link.up ? 1 : 0,
        faultsInjected: uc.service.faultsInjected,
        whatIfRunning: uc.host.whatIf.runningCount,
        scenario: uc.host.scenarioName,
      }),
    );
  },
  InjectFault: (uc, a) => {
    const text = textInput(a);
    if (text === null) return kIOReturnBadArgument;
    let spec;
    try {
      spec = parseFault(text);
    } catch (e) {
      return uc.refuse('InjectFault', e instanceof Error ? e.message : String(e));
    }
    const m = uc.host.machine;
    const atNs = m.scheduler.now + spec.atNs;
    scheduleFault(m, { ...spec, atNs }, []);
    uc.service.faultsInjected++;
    a.scalarOutput[0] = atNs;
    a.scalarOutputCount = 1;
    return kIOReturnSuccess;
  },
  SetLinkSpeed: (uc, a) => {
    const speed = linkSpeedOfMbps(a.scalarInput[0]);
    if (speed === null)
      return uc.refuse('SetLinkSpeed', `${a.scalarInput[0]} Mb/s is not 1000, 2500 or 10000`);
    changeLinkSpeed(uc.host.machine, speed);
    return kIOReturnSuccess;
  },
  SwitchScenario: (uc, a) => {
    const name = textInput(a, 64);
    if (name === null) return kIOReturnBadArgument;
    return uc.host.switchScenario(name);
  },
  RunWhatIf: (uc, a) => {
    const text = textInput(a, 1 << 20);
    if (text === null) return kIOReturnBadArgument;
    let job: number;
    try {
      job = uc.startWhatIf(JSON.parse(text), a.completion!);
    } catch (e) {
      return uc.refuse('RunWhatIf', e instanceof Error ? e.message : String(e));
    }
    a.scalarOutput[0] = job;
    a.scalarOutputCount = 1;
    return kIOReturnSuccess;
  },
  GetWhatIfResult: (uc, a) => {
    const outcome = uc.host.whatIf.result(a.scalarInput[0]);
    if (outcome === null) return kIOReturnNotFound;
    return reply(a, new TextEncoder().encode(JSON.stringify(outcome)));
  },
};

const DISPATCH = dispatchTable(LAB_SELECTOR_NAMES, LAB_METHODS, HANDLERS);
if (DISPATCH.length !== LAB_SELECTOR_COUNT) throw new Error('lab: dispatch table and ABI selectors disagree');

export class LabUserClient extends IOUserClient {
  private serviceRef: LabService | null = null;
  /** What-if jobs this client started, with the completion their progress goes to. */
  private readonly jobs = new Map<number, Completion>();

  bind(service: LabService): void {
    this.serviceRef = service;
  }

  get service(): LabService {
    return this.serviceRef!;
  }

  get host(): LabHost {
    return this.service.host;
  }

  startWhatIf(args: unknown, completion: Completion): number {
    const send = (job: number, phase: number, permille: number) => {
      const action = this.jobs.get(job);
      if (action === undefined) return;
      this.host.machine.within(() =>
        this.AsyncCompletion(
          action,
          phase === WhatIfPhase.Failed ? kIOReturnNotReady : kIOReturnSuccess,
          [phase, permille, job],
          3,
        ),
      );
      this.host.completionQueued();
      if (phase !== WhatIfPhase.Progress) {
        this.jobs.delete(job);
        action.release();
      }
    };
    const job = this.host.whatIf.start(args, {
      progress: (id, fraction) => send(id, WhatIfPhase.Progress, Math.round(fraction * 1000)),
      done: (id, outcome) => send(id, outcome.ok ? WhatIfPhase.Done : WhatIfPhase.Failed, 1000),
    });
    completion.retain();
    this.jobs.set(job, completion);
    return job;
  }

  override ExternalMethod(
    selector: number,
    args: IOUserClientMethodArguments,
    _dispatch: unknown,
    _target: unknown,
    _reference: unknown,
  ): IOReturn {
    if (this.serviceRef === null) return kIOReturnNotReady;
    return super.ExternalMethod(selector, args, entryFor(DISPATCH, selector), this, null);
  }

  /** Logs a refused call with its reason, as the system log would, and answers BadArgument. */
  refuse(call: string, why: string): IOReturn {
    this.runtime.tracer.warn('lab', `${call} refused: ${why}`);
    return kIOReturnBadArgument;
  }

  override Stop(provider: Parameters<IOUserClient['Stop']>[0]): IOReturn {
    for (const action of this.jobs.values()) action.release();
    this.jobs.clear();
    this.serviceRef = null;
    return super.Stop(provider);
  }
}

export class LabService extends IOService {
  faultsInjected = 0;

  constructor(readonly host: LabHost) {
    super();
    this.SetName(LAB_SERVICE_NAME);
    this.properties.set('CFBundleIdentifier', LAB_BUNDLE_ID);
  }

  override NewUserClient(type: number, userClient: Out<IOService>): IOReturn {
    if (type !== LAB_USER_CLIENT_TYPE) return kIOReturnBadArgument;
    const client = new LabUserClient(this.runtime);
    client.SetName('NetLanesLabUserClient');
    client.bind(this);
    const ret = client.Start(this);
    if (ret !== kIOReturnSuccess) {
      client.release();
      return ret;
    }
    userClient.value = client;
    return kIOReturnSuccess;
  }
}
