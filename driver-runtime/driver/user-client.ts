/**
 * NetLanesUserClient: the dext's user client, as Apple's samples write one — a dispatch table
 * indexed by selector, each entry naming its function and the exact counts and sizes the base
 * class checks (taken from the ABI header, never restated), and `ExternalMethod` bounds-checking
 * the selector before it calls the base. Every handler decodes with the ABI codecs, checks
 * values, and answers with an IOReturn; nothing a client sends can throw out of here.
 */
import {
  kIOReturnBadArgument,
  kIOReturnNotReady,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../kit/io-return.ts';
import type { Out } from '../kit/os-object.ts';
import {
  IOUserClient,
  kIOUserClientMemoryReadOnly,
  type IOUserClientMemory,
  type IOUserClientMethodArguments,
  type IOUserClientMethodDispatch,
} from '../kit/io-user-client.ts';
import {
  APP_SETTING,
  CAPTURE_SNAP_MAX,
  COMMAND_SET_APP_SETTINGS,
  COMMAND_SET_FLOWS,
  DRIVER_INFO,
  EVENT,
  FINDING,
  FLOW_ENTRY,
  FLOW_STAT,
  METHODS,
  MemoryType,
  PACKET_DESCRIPTION,
  SELECTOR_COUNT,
  SELECTOR_NAMES,
  STATS_SNAPSHOT,
  Selector,
  TX_POLICY,
  type SelectorName,
} from '../abi/netlanes-abi.ts';
import { decodeBatch } from '../abi/struct-codec.ts';
import {
  dispatchTable,
  entryFor,
  records,
  reply,
  structInput,
  type MethodHandler,
} from '../kit/method-io.ts';
import type { DriverControl } from './driver-control.ts';

type Handler = MethodHandler<NetLanesUserClient>;
const input = structInput;

const text = (lines: string[]) => new TextEncoder().encode(lines.join('\n'));
const isFlag = (x: number) => x === 0 || x === 1;

/**
 * Async methods: the input was checked; apply it now — the call runs between two events on
 * the driver's serial queue, so no packet sees half of it — and complete with [generation]
 * through the client's completion, which the system delivers after this call returns.
 */
function applyThenComplete(
  uc: NetLanesUserClient,
  args: IOUserClientMethodArguments,
  apply: () => [IOReturn, number],
): IOReturn {
  const [status, generation] = apply();
  uc.AsyncCompletion(args.completion!, status, [generation], 1);
  return kIOReturnSuccess;
}

function setFlows(uc: NetLanesUserClient, bytes: Uint8Array, args: IOUserClientMethodArguments): IOReturn {
  const batch = decodeBatch(FLOW_ENTRY, bytes);
  if (batch === null) return kIOReturnBadArgument;
  const problem = uc.control.invalidFlows(batch.items);
  if (problem !== null) return uc.refuse('SetFlows', problem);
  return applyThenComplete(uc, args, () => {
    uc.control.applyFlows(batch.items);
    return [kIOReturnSuccess, batch.generation];
  });
}

function setAppSettings(
  uc: NetLanesUserClient,
  bytes: Uint8Array,
  args: IOUserClientMethodArguments,
): IOReturn {
  const batch = decodeBatch(APP_SETTING, bytes);
  if (batch === null) return kIOReturnBadArgument;
  const problem = uc.control.invalidSettings(batch.items);
  if (problem !== null) return uc.refuse('SetAppSettings', problem);
  return applyThenComplete(uc, args, () => {
    uc.control.applySettings(batch.items, batch.generation);
    return [kIOReturnSuccess, batch.generation];
  });
}

const HANDLERS: Record<SelectorName, Handler> = {
  GetInfo: (uc, a) => reply(a, DRIVER_INFO.encode(uc.control.info())),
  GetTxPolicy: (uc, a) => reply(a, TX_POLICY.encode(uc.control.policyRecord())),
  SetTxPolicy: (uc, a) => uc.control.setPolicy(TX_POLICY.decode(input(a))),
  SetMTU: (uc, a) => uc.control.setMtu(a.scalarInput[0]),
  SetInterfaceEnable: (uc, a) =>
    isFlag(a.scalarInput[0]) ? uc.control.setInterfaceEnable(a.scalarInput[0] === 1) : kIOReturnBadArgument,
  SetFlows: (uc, a) => setFlows(uc, input(a), a),
  SetAppSettings: (uc, a) => setAppSettings(uc, input(a), a),
  SetRuleSet: (uc, a) => {
    const status = uc.control.setRuleSet(input(a).slice());
    if (status !== kIOReturnSuccess) return status;
    return applyThenComplete(uc, a, () => [kIOReturnSuccess, uc.control.currentRuleSetGeneration]);
  },
  GetRuleSet: (uc, a) => {
    a.scalarOutput[0] = uc.control.currentRuleSetGeneration;
    a.scalarOutputCount = 1;
    return reply(a, uc.control.ruleSetBytes());
  },
  ExplainApp: (uc, a) => reply(a, text(uc.control.explainSlot(a.scalarInput[0]))),
  ExplainPacket: (uc, a) => reply(a, text(uc.control.explainPacket(PACKET_DESCRIPTION.decode(input(a))))),
  GetStats: (uc, a) => reply(a, STATS_SNAPSHOT.encode(uc.control.snapshot())),
  GetFlows: (uc, a) => {
    const flows = uc.control.flows(a.scalarInput[0]);
    a.scalarOutput[0] = flows.length;
    a.scalarOutputCount = 1;
    return reply(a, records(FLOW_STAT, flows));
  },
  Diagnose: (uc, a) => {
    const found = uc.control.diagnose();
    a.scalarOutput[0] = found.length;
    a.scalarOutputCount = 1;
    return reply(a, records(FINDING, found));
  },
  Subscribe: (uc, a) =>
    uc.control.subscribe(uc, a.completion!, a.scalarInput[0], (action, status, data) =>
      uc.AsyncCompletion(action, status, data, data.length),
    ),
  GetEvents: (uc, a) => {
    const events = uc.control.eventsSince(a.scalarInput[0]);
    a.scalarOutput[0] = events.length > 0 ? events[events.length - 1].sequence : a.scalarInput[0];
    a.scalarOutputCount = 1;
    return reply(a, records(EVENT, uc.control.eventRecords(events)));
  },
  SubmitCommand: (uc, a) => {
    const [kind, offset, length] = a.scalarInput;
    const memory = uc.control.memoryFor(MemoryType.Command);
    if (memory === null) return kIOReturnNotReady;
    const size = memory.memory.GetLength();
    if (offset > size || length > size - offset) return kIOReturnBadArgument;
    // Copy before the checks: the client may keep writing to its mapping.
    const bytes = memory.memory.bytes().slice(offset, offset + length);
    if (kind === COMMAND_SET_FLOWS) return setFlows(uc, bytes, a);
    if (kind === COMMAND_SET_APP_SETTINGS) return setAppSettings(uc, bytes, a);
    return kIOReturnBadArgument;
  },
  SetCapture: (uc, a) => {
    const [enable, snap] = a.scalarInput;
    if (!isFlag(enable) || snap < 64 || snap > CAPTURE_SNAP_MAX) return kIOReturnBadArgument;
    return uc.control.setCapture(enable === 1, snap);
  },
};

/** The dispatch table: one entry per selector, checks from the ABI. */
const DISPATCH = dispatchTable(SELECTOR_NAMES, METHODS, HANDLERS);
if (DISPATCH.length !== SELECTOR_COUNT || Selector.SetCapture !== SELECTOR_COUNT - 1)
  throw new Error('user client: dispatch table and ABI selectors disagree');

export class NetLanesUserClient extends IOUserClient {
  private controlRef: DriverControl | null = null;

  /** Bound by the driver's NewUserClient before Start. */
  bind(control: DriverControl): void {
    this.controlRef = control;
  }

  get control(): DriverControl {
    return this.controlRef!;
  }

  override ExternalMethod(
    selector: number,
    args: IOUserClientMethodArguments,
    _dispatch: IOUserClientMethodDispatch | null,
    _target: unknown,
    _reference: unknown,
  ): IOReturn {
    // Never trust the selector: beyond the table the base answers for a missing entry.
    const entry = entryFor(DISPATCH, selector);
    if (this.controlRef === null) return kIOReturnNotReady;
    return super.ExternalMethod(selector, args, entry, this, null);
  }

  override CopyClientMemoryForType(
    type: number,
    options: Out<number>,
    memory: Out<IOUserClientMemory>,
  ): IOReturn {
    const found = this.controlRef?.memoryFor(type) ?? null;
    if (found === null) return kIOReturnUnsupported;
    options.value = found.readOnly ? kIOUserClientMemoryReadOnly : 0;
    // The caller consumes one reference; the driver keeps its own.
    memory.value = found.memory.retain();
    return kIOReturnSuccess;
  }

  /** Logs a refused call once per cause, as the system log would, and answers BadArgument. */
  refuse(call: string, why: string): IOReturn {
    this.runtime.tracer.warn('driver', `${call} refused: ${why}`);
    return kIOReturnBadArgument;
  }

  override Stop(provider: Parameters<IOUserClient['Stop']>[0]): IOReturn {
    this.controlRef?.unsubscribe(this);
    this.controlRef = null;
    return super.Stop(provider);
  }
}
