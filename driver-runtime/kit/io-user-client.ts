/**
 * IOUserClient (XNU iokit/DriverKit/IOUserClient.iig; driverkit.md §1): the object a client
 * process talks to after IOServiceOpen. The system calls `ExternalMethod` with the arguments
 * it marshalled; a subclass picks its dispatch entry and calls the base, which runs the
 * checks; `CopyClientMemoryForType` serves IOConnectMapMemory64; `AsyncCompletion` sends a
 * status and up to 16 values back to a completion the client passed with an async call.
 */
import {
  kIOReturnBadArgument,
  kIOReturnNoCompletion,
  kIOReturnUnsupported,
  type IOReturn,
} from './io-return.ts';
import { IOService } from './io-service.ts';
import type { OSAction } from './os-action.ts';
import type { OSData, Out } from './os-object.ts';

export const kIOUserClientScalarArrayCountMax = 16;
export const kIOUserClientAsyncReferenceCountMax = 16;
export const kIOUserClientAsyncArgumentsCountMax = 16;
export const kIOUserClientMemoryReadOnly = 0x1;
export const kIOUserClientVariableStructureSize = 0xffffffff;
export const kIOUserClientMethodArgumentsCurrentVersion = 2;
/** `io_struct_inband_t` is char[4096]: larger structs travel as memory descriptors. */
export const kIOUserClientStructInbandMax = 4096;
/** `checkCompletionExists` value meaning "don't care" (-1U). */
export const kIOUserClientCompletionDontCare = 0xffffffff;

/** What a memory descriptor offers the user-client machinery: its bytes, length and references. */
export interface IOUserClientMemory {
  GetLength(): number;
  bytes(): Uint8Array;
  retain(): this;
  release(): void;
}

/** The arguments of one call, as the system fills them (driverkit.md §1.2, in declaration order). */
export interface IOUserClientMethodArguments {
  version: number;
  selector: number;
  /** The async call's completion; retained only while ExternalMethod runs. */
  completion: OSAction<[IOReturn, readonly number[]]> | null;
  scalarInput: readonly number[];
  scalarInputCount: number;
  /** In-band struct input (≤ 4096 bytes), or null. */
  structureInput: OSData | null;
  /** Out-of-line struct input (> 4096 bytes); `structureInput` is then null. */
  structureInputDescriptor: IOUserClientMemory | null;
  /** Room for up to 16 scalars; the method lowers `scalarOutputCount` to what it wrote. */
  scalarOutput: number[];
  scalarOutputCount: number;
  /** Set by the method for an in-band reply; an error when `structureOutputDescriptor` is set. */
  structureOutput: OSData | null;
  /** The caller's out-of-line output buffer (> 4096 bytes); the method writes into it. */
  structureOutputDescriptor: IOUserClientMemory | null;
  /** The caller's output capacity, or kIOUserClientVariableStructureSize. */
  structureOutputMaximumSize: number;
  /** Bytes the method wrote into `structureOutputDescriptor` (OURS: the kernel learns it from the mapping). */
  structureOutputDescriptorLength: number;
}

export type IOUserClientMethodFunction = (
  target: unknown,
  reference: unknown,
  args: IOUserClientMethodArguments,
) => IOReturn;

/** One entry of a user client's dispatch table (driverkit.md §1.3). */
export interface IOUserClientMethodDispatch {
  readonly function: IOUserClientMethodFunction | null;
  /** 1: a completion must be passed; 0: must not; kIOUserClientCompletionDontCare. */
  readonly checkCompletionExists: number;
  readonly checkScalarInputCount: number;
  readonly checkStructureInputSize: number;
  readonly checkScalarOutputCount: number;
  readonly checkStructureOutputSize: number;
}

/** Where AsyncCompletion results go: the system side of a connection (OURS: the host installs it). */
export type AsyncCompletionSink = (status: IOReturn, args: readonly number[]) => void;

function inputSize(args: IOUserClientMethodArguments): number {
  if (args.structureInput !== null) return args.structureInput.getLength();
  if (args.structureInputDescriptor !== null) return args.structureInputDescriptor.GetLength();
  return 0;
}

const sizeMatches = (check: number, actual: number) =>
  check === kIOUserClientVariableStructureSize || check === actual;

export class IOUserClient extends IOService {
  /**
   * The base ExternalMethod: runs `dispatch`'s checks, then its function. A failed check, or
   * no dispatch entry at all (a selector beyond the subclass's table), is kIOReturnBadArgument
   * — the kernel's answer (IOUserClient.cpp); the DriverKit library is not public, so this is
   * the assumption driverkit.md §1.3 recommends. A null function after passing checks is
   * kIOReturnNoCompletion.
   */
  ExternalMethod(
    _selector: number,
    args: IOUserClientMethodArguments,
    dispatch: IOUserClientMethodDispatch | null,
    target: unknown,
    reference: unknown,
  ): IOReturn {
    if (dispatch === null) return kIOReturnBadArgument;
    const c = dispatch.checkCompletionExists;
    if (c !== kIOUserClientCompletionDontCare && (c !== 0) !== (args.completion !== null))
      return kIOReturnBadArgument;
    if (!sizeMatches(dispatch.checkScalarInputCount, args.scalarInputCount)) return kIOReturnBadArgument;
    if (!sizeMatches(dispatch.checkStructureInputSize, inputSize(args))) return kIOReturnBadArgument;
    if (!sizeMatches(dispatch.checkScalarOutputCount, args.scalarOutputCount)) return kIOReturnBadArgument;
    if (!sizeMatches(dispatch.checkStructureOutputSize, args.structureOutputMaximumSize))
      return kIOReturnBadArgument;
    if (dispatch.function === null) return kIOReturnNoCompletion;
    return dispatch.function(target, reference, args);
  }

  /** IOConnectMapMemory64 lands here: the same descriptor for the same type, one reference to the caller. */
  CopyClientMemoryForType(_type: number, _options: Out<number>, _memory: Out<IOUserClientMemory>): IOReturn {
    return kIOReturnUnsupported;
  }

  /**
   * Sends `status` and up to 16 values to a completion the client passed with an async call
   * (the driver retains it to call later, maybe more than once). More than 16 values is
   * kIOReturnMessageTooLarge in the kernel, which AsyncCompletion cannot report: the message
   * is dropped (driverkit.md §1.6).
   */
  AsyncCompletion(
    action: OSAction<[IOReturn, readonly number[]]>,
    status: IOReturn,
    asyncData: readonly number[],
    asyncDataCount: number,
  ): void {
    if (asyncDataCount < 0 || asyncDataCount > kIOUserClientAsyncArgumentsCountMax) return;
    if (asyncDataCount > asyncData.length || action.isCancelled || action.isFreed) return;
    // The message is on its way: it holds the completion until it is delivered.
    action.retain();
    const data = asyncData.slice(0, asyncDataCount);
    action.queue.DispatchAsync(() => {
      action.invoke(status, data);
      action.release();
    });
  }
}

/** A fresh, empty argument record for `selector` (the host fills the rest). */
export function newMethodArguments(selector: number): IOUserClientMethodArguments {
  return {
    version: kIOUserClientMethodArgumentsCurrentVersion,
    selector,
    completion: null,
    scalarInput: [],
    scalarInputCount: 0,
    structureInput: null,
    structureInputDescriptor: null,
    scalarOutput: new Array<number>(kIOUserClientScalarArrayCountMax).fill(0),
    scalarOutputCount: 0,
    structureOutput: null,
    structureOutputDescriptor: null,
    structureOutputMaximumSize: 0,
    structureOutputDescriptorLength: 0,
  };
}
