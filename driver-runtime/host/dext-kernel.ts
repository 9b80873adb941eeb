/**
 * The kernel's half of IOKit user clients for one simulated machine: what XNU's
 * is_io_service_open / is_io_connect_method / is_io_connect_map_memory do for a dext. It opens
 * connections (NewUserClient, then the userclient-access entitlement check), marshals calls
 * (scalars checked, structs in-band up to 4096 bytes and as memory descriptors beyond, replies
 * copied back), routes async completions to the connection that asked, and maps memory the
 * user client serves from CopyClientMemoryForType — one reference per mapping, unmapped on
 * close. Every failure is an IOReturn; nothing a client sends throws out of here.
 */
import {
  kIOReturnBadArgument,
  kIOReturnIPCError,
  kIOReturnNoMemory,
  kIOReturnNotOpen,
  kIOReturnNotPermitted,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../kit/io-return.ts';
import { IODispatchQueue } from '../kit/dispatch-queue.ts';
import { OSAction } from '../kit/os-action.ts';
import { OSData, out } from '../kit/os-object.ts';
import type { IOService } from '../kit/io-service.ts';
import { withRuntime, type DextRuntime } from '../kit/runtime.ts';
import {
  IOUserClient,
  kIOUserClientMemoryReadOnly,
  kIOUserClientScalarArrayCountMax,
  kIOUserClientStructInbandMax,
  kIOUserClientVariableStructureSize,
  newMethodArguments,
  type IOUserClientMemory,
} from '../kit/io-user-client.ts';
import { IOBufferMemoryDescriptor, kIOMemoryMapClientShared } from '../memory/buffer-memory-descriptor.ts';
import type { IORegistry, Matching } from './io-registry.ts';

/** kOSAsyncRef64Count: the most reference values an async call carries (driverkit.md §2.1). */
export const ASYNC_REFERENCE_COUNT_MAX = 8;
/** The largest out-of-line struct the kernel wraps (OURS: 16 MiB). */
export const STRUCT_OUT_OF_LINE_MAX = 16 * 1024 * 1024;
/** kIOReturnNotPermitted's log line, as the kernel prints it. */
const ACCESS_ENTITLEMENT = 'com.apple.developer.driverkit.userclient-access';

export interface CallRequest {
  connection: number;
  selector: number;
  scalarInput: readonly number[];
  structInput: Uint8Array | null;
  /** How many scalars the caller can take back (≤ 16). */
  scalarOutputCount: number;
  /** The caller's output buffer size; kIOUserClientVariableStructureSize for "any". */
  structOutputSize: number;
  /** Sent as an out-of-line buffer whatever its size (a raw MIG caller's choice). */
  structInputOutOfLine?: boolean;
  /** For async calls: the reference array (slot 0 reserved for the system, ≥ 1 value). */
  asyncReference?: readonly number[];
}

export interface CallResult {
  ret: IOReturn;
  scalarOutput: number[];
  structOutput: Uint8Array | null;
}

export interface MapResult {
  ret: IOReturn;
  /** The descriptor's own buffer (a SharedArrayBuffer when the machine shares memory). */
  buffer: ArrayBufferLike | null;
  offset: number;
  length: number;
  readOnly: boolean;
}

/** What the kernel tells clients outside a call. */
export type KernelNotification =
  | {
      kind: 'async';
      connection: number;
      reference: readonly number[];
      status: IOReturn;
      args: readonly number[];
    }
  | { kind: 'terminated'; connection: number };

interface Connection {
  client: IOUserClient;
  service: IOService;
  /** Mapped memory types → the descriptor reference the mapping holds and its count. */
  mappings: Map<number, { memory: IOUserClientMemory; count: number }>;
  completions: Set<OSAction<[IOReturn, readonly number[]]>>;
}

const isScalar = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

export class DextKernel {
  private nextConnection: number;
  private readonly connections = new Map<number, Connection>();
  /** The queue async completions are delivered on (the kernel's side of the Mach port). */
  private readonly completionQueue: IODispatchQueue;

  constructor(
    private readonly runtime: DextRuntime,
    readonly registry: IORegistry,
    firstConnection: number,
    private readonly notify: (n: KernelNotification) => void,
  ) {
    this.nextConnection = firstConnection;
    this.completionQueue = IODispatchQueue.createIn(runtime, 'kernel.completions');
  }

  match(m: Matching): number {
    return this.registry.match(m);
  }

  /**
   * IOServiceOpen: the service's NewUserClient, then the entitlement gate (driverkit.md §1.9):
   * the client's userclient-access list must name the service's bundle id, or the new user
   * client is terminated and the open fails with kIOReturnNotPermitted.
   */
  open(
    serviceId: number,
    type: number,
    entitlements: Readonly<Record<string, unknown>>,
  ): { ret: IOReturn; connection: number } {
    const service = this.registry.service(serviceId);
    if (service === null || service.serviceState !== 'registered')
      return { ret: kIOReturnBadArgument, connection: 0 };
    if (!Number.isSafeInteger(type) || type < 0 || type > 0xffff_ffff)
      return { ret: kIOReturnBadArgument, connection: 0 };
    return withRuntime(this.runtime, () => {
      const created = out<IOService>();
      const ret = service.NewUserClient(type, created);
      if (ret !== kIOReturnSuccess) return { ret, connection: 0 };
      const client = created.value;
      if (!(client instanceof IOUserClient)) {
        created.value?.release();
        return { ret: kIOReturnUnsupported, connection: 0 };
      }
      const bundle = service.properties.get('CFBundleIdentifier');
      const access = entitlements[ACCESS_ENTITLEMENT];
      const allowed =
        typeof access === 'string' ? access === bundle : Array.isArray(access) && access.includes(bundle);
      if (!allowed) {
        this.runtime.tracer.warn(
          'kernel',
          `UC failed userclient-access check, needed bundle ID ${String(bundle)}`,
        );
        client.Stop(service);
        client.release();
        return { ret: kIOReturnNotPermitted, connection: 0 };
      }
      const connection = this.nextConnection++;
      this.connections.set(connection, { client, service, mappings: new Map(), completions: new Set() });
      this.registry.add(client, service);
      return { ret: kIOReturnSuccess, connection };
    });
  }

  /** IOServiceClose: the user client stops; its mappings and pending completions go with it. */
  close(connection: number): IOReturn {
    const c = this.connections.get(connection);
    if (c === undefined) return kIOReturnNotOpen;
    this.connections.delete(connection);
    withRuntime(this.runtime, () => {
      for (const m of c.mappings.values()) m.memory.release();
      c.mappings.clear();
      for (const a of c.completions) a.Cancel();
      c.completions.clear();
      this.registry.remove(c.client);
      c.client.Stop(c.service);
      c.client.release();
    });
    return kIOReturnSuccess;
  }

  /** Every open connection is closed (the service is going away) and told so. */
  terminateAll(): void {
    for (const id of [...this.connections.keys()]) {
      this.close(id);
      this.notify({ kind: 'terminated', connection: id });
    }
  }

  /** Closes everything and releases the kernel's own objects (machine shutdown). */
  dispose(): void {
    this.terminateAll();
    withRuntime(this.runtime, () => {
      // Closing queued the release of each connection's completions: let it run first.
      this.runtime.scheduler.runUntil(this.runtime.scheduler.now);
      this.completionQueue.Cancel();
      this.completionQueue.release();
    });
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** IOConnectCallMethod / IOConnectCallAsyncMethod. */
  call(req: CallRequest): CallResult {
    const fail = (ret: IOReturn): CallResult => ({ ret, scalarOutput: [], structOutput: null });
    const c = this.connections.get(req.connection);
    if (c === undefined) return fail(kIOReturnNotOpen);
    if (!isScalar(req.selector) || req.selector > 0xffff_ffff) return fail(kIOReturnBadArgument);
    const scalars = req.scalarInput;
    if (
      !Array.isArray(scalars) ||
      scalars.length > kIOUserClientScalarArrayCountMax ||
      !scalars.every(isScalar)
    )
      return fail(kIOReturnBadArgument);
    if (!isScalar(req.scalarOutputCount) || req.scalarOutputCount > kIOUserClientScalarArrayCountMax)
      return fail(kIOReturnBadArgument);
    const outSize = req.structOutputSize;
    if (
      !isScalar(outSize) ||
      (outSize > STRUCT_OUT_OF_LINE_MAX && outSize !== kIOUserClientVariableStructureSize)
    )
      return fail(kIOReturnBadArgument);
    const input = req.structInput;
    if (input !== null && !(input instanceof Uint8Array)) return fail(kIOReturnBadArgument);
    if (input !== null && input.length > STRUCT_OUT_OF_LINE_MAX) return fail(kIOReturnNoMemory);
    // A raw io_connect_method caller may send any struct out-of-line; the kernel refuses one
    // that would have fitted in-band (the IOKit library never does this: it chooses by size).
    if (req.structInputOutOfLine === true && (input === null || input.length <= kIOUserClientStructInbandMax))
      return fail(kIOReturnIPCError);
    const ref = req.asyncReference;
    if (
      ref !== undefined &&
      (!Array.isArray(ref) ||
        ref.length < 1 ||
        ref.length > ASYNC_REFERENCE_COUNT_MAX ||
        !ref.every(isScalar))
    )
      return fail(kIOReturnBadArgument);
    return withRuntime(this.runtime, () => this.dispatch(req.connection, c, req, input, outSize, ref));
  }

  private dispatch(
    id: number,
    c: Connection,
    req: CallRequest,
    input: Uint8Array | null,
    outSize: number,
    ref: readonly number[] | undefined,
  ): CallResult {
    const args = newMethodArguments(req.selector);
    args.scalarInput = req.scalarInput.slice();
    args.scalarInputCount = req.scalarInput.length;
    args.scalarOutputCount = req.scalarOutputCount;
    args.structureOutputMaximumSize = outSize;
    const held: IOBufferMemoryDescriptor[] = [];
    const buffer = (bytes: number): IOBufferMemoryDescriptor | null => {
      const d = out<IOBufferMemoryDescriptor>();
      if (
        IOBufferMemoryDescriptor.Create(kIOMemoryMapClientShared, Math.max(1, bytes), 0, d) !==
        kIOReturnSuccess
      )
        return null;
      held.push(d.value!);
      return d.value!;
    };
    try {
      if (input !== null && input.length > 0) {
        if (input.length <= kIOUserClientStructInbandMax) args.structureInput = OSData.withBytes(input);
        else {
          const d = buffer(input.length);
          if (d === null) return { ret: kIOReturnNoMemory, scalarOutput: [], structOutput: null };
          d.SetLength(input.length);
          d.bytes().set(input);
          args.structureInputDescriptor = d;
        }
      }
      if (outSize > kIOUserClientStructInbandMax && outSize !== kIOUserClientVariableStructureSize) {
        const d = buffer(outSize);
        if (d === null) return { ret: kIOReturnNoMemory, scalarOutput: [], structOutput: null };
        args.structureOutputDescriptor = d;
      }
      if (ref !== undefined) args.completion = this.completionFor(id, c, ref);
      const ret = c.client.ExternalMethod(req.selector, args, null, null, null);
      // The completion lives on only if the driver retained it (its aborted handler forgets it).
      args.completion?.release();
      return this.result(ret, args, outSize);
    } finally {
      args.structureInput?.release();
      args.structureOutput?.release();
      for (const d of held) d.release();
    }
  }

  private result(ret: IOReturn, args: ReturnType<typeof newMethodArguments>, outSize: number): CallResult {
    const scalarOutput = args.scalarOutput.slice(
      0,
      Math.min(args.scalarOutputCount, kIOUserClientScalarArrayCountMax),
    );
    if (ret !== kIOReturnSuccess) return { ret, scalarOutput: [], structOutput: null };
    if (args.structureOutputDescriptor !== null) {
      // An out-of-line caller gets its answer only through the descriptor (is_io_connect_method).
      if (args.structureOutput !== null && args.structureOutput.getLength() > 0)
        return { ret: kIOReturnBadArgument, scalarOutput: [], structOutput: null };
      const length = Math.min(
        args.structureOutputDescriptorLength,
        args.structureOutputDescriptor.GetLength(),
      );
      return { ret, scalarOutput, structOutput: args.structureOutputDescriptor.bytes().slice(0, length) };
    }
    const reply = args.structureOutput;
    if (reply === null) return { ret, scalarOutput, structOutput: null };
    // A reply longer than the caller's buffer fails the call (is_io_connect_method).
    if (outSize !== kIOUserClientVariableStructureSize && reply.getLength() > outSize)
      return { ret: kIOReturnBadArgument, scalarOutput: [], structOutput: null };
    return { ret, scalarOutput, structOutput: reply.getBytesNoCopy().slice() };
  }

  /** The KernelCompletion OSAction for one async call: its results go to the calling connection. */
  private completionFor(
    id: number,
    c: Connection,
    ref: readonly number[],
  ): OSAction<[IOReturn, readonly number[]]> {
    const reference = ref.slice();
    // Slot 0 belongs to the system (the wake port); the client's values start at 1.
    reference[0] = id;
    const action = new OSAction<[IOReturn, readonly number[]]>(
      c.client,
      this.completionQueue,
      (_a, status, args) => {
        if (this.connections.get(id) === c)
          this.notify({ kind: 'async', connection: id, reference, status, args });
      },
    );
    c.completions.add(action);
    action.SetAbortedHandler(() => c.completions.delete(action));
    return action;
  }

  /** IOConnectMapMemory64: the user client's descriptor for `type`, as its own buffer. */
  map(connection: number, type: number): MapResult {
    const none: MapResult = { ret: kIOReturnBadArgument, buffer: null, offset: 0, length: 0, readOnly: true };
    const c = this.connections.get(connection);
    if (c === undefined) return { ...none, ret: kIOReturnNotOpen };
    if (!isScalar(type) || type > 0xffff_ffff) return none;
    return withRuntime(this.runtime, () => {
      const options = out<number>();
      options.value = 0;
      const memory = out<IOUserClientMemory>();
      const ret = c.client.CopyClientMemoryForType(type, options, memory);
      // No mapping results from an error: the caller sees kIOReturnBadArgument (driverkit.md §1.7).
      if (ret !== kIOReturnSuccess || memory.value === null) return none;
      const descriptor = memory.value;
      const bytes = descriptor.bytes();
      const existing = c.mappings.get(type);
      if (existing) {
        existing.count++;
        descriptor.release();
      } else c.mappings.set(type, { memory: descriptor, count: 1 });
      const readOnly = ((options.value ?? 0) & kIOUserClientMemoryReadOnly) !== 0;
      return {
        ret: kIOReturnSuccess,
        buffer: bytes.buffer,
        offset: bytes.byteOffset,
        length: bytes.length,
        readOnly,
      };
    });
  }

  /** IOConnectUnmapMemory64: drops one mapping of `type`; none there is kIOReturnBadArgument. */
  unmap(connection: number, type: number): IOReturn {
    const c = this.connections.get(connection);
    if (c === undefined) return kIOReturnNotOpen;
    const m = c.mappings.get(type);
    if (m === undefined) return kIOReturnBadArgument;
    if (--m.count === 0) {
      c.mappings.delete(type);
      withRuntime(this.runtime, () => m.memory.release());
    }
    return kIOReturnSuccess;
  }
}
