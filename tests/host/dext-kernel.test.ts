/**
 * The kernel's half of IOKit user clients (driverkit.md §1.4–1.9): IOServiceOpen with the
 * userclient-access entitlement gate, matching by name and class, call marshalling (structs up
 * to 4096 bytes in-band, larger ones as memory descriptors, in both directions; replies copied
 * back within the caller's room), async completions routed to the connection that asked with
 * reference slot 0 the system's, and client memory mappings with reference counts.
 *
 * Most of it runs against a probe service whose user client records exactly what the kernel
 * handed it; the last part checks the same rules against the NetLanes dext on a machine.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../driver-runtime/sim/scheduler.ts';
import { HostMemory, PAGE_SIZE } from '../../driver-runtime/sim/host-memory.ts';
import { createRuntime, withRuntime, type DextRuntime } from '../../driver-runtime/kit/runtime.ts';
import type { OSAction } from '../../driver-runtime/kit/os-action.ts';
import { OSData, out, type Out } from '../../driver-runtime/kit/os-object.ts';
import { IOService } from '../../driver-runtime/kit/io-service.ts';
import {
  IOUserClient,
  kIOUserClientMemoryReadOnly,
  kIOUserClientVariableStructureSize,
  type IOUserClientMemory,
  type IOUserClientMethodArguments,
  type IOUserClientMethodDispatch,
} from '../../driver-runtime/kit/io-user-client.ts';
import {
  IOBufferMemoryDescriptor,
  kIOMemoryMapClientShared,
} from '../../driver-runtime/memory/buffer-memory-descriptor.ts';
import {
  kIOReturnBadArgument,
  kIOReturnIPCError,
  kIOReturnNoMemory,
  kIOReturnNotOpen,
  kIOReturnNotPermitted,
  kIOReturnNotReady,
  kIOReturnSuccess,
  kIOReturnUnsupported,
  type IOReturn,
} from '../../driver-runtime/kit/io-return.ts';
import { IORegistry } from '../../driver-runtime/host/io-registry.ts';
import {
  DextKernel,
  STRUCT_OUT_OF_LINE_MAX,
  type CallRequest,
  type KernelNotification,
} from '../../driver-runtime/host/dext-kernel.ts';
import { Machine } from '../../driver-runtime/host/machine.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import {
  CAPTURE_BYTES,
  COMMAND_BUFFER_BYTES,
  MemoryType,
  NETLANES_DEXT_BUNDLE_ID,
  NETLANES_SERVICE_NAME,
  RING_STATE_BYTES,
  USERCLIENT_ACCESS_ENTITLEMENT,
} from '../../driver-runtime/abi/netlanes-abi.ts';
import { statsLayout } from '../../driver-runtime/abi/stats-layout.ts';
import { scenario } from '../machine/helpers.ts';

type Completion = OSAction<[IOReturn, readonly number[]]>;

const PROBE_BUNDLE = 'app.netlanes.probe';
const PROBE_ENTITLEMENTS = { [USERCLIENT_ACCESS_ENTITLEMENT]: [PROBE_BUNDLE] };

/** The probe's selectors. */
const ECHO = 0; // replies with its struct input, in-band or into the caller's out-of-line buffer
const REPLY = 1; // replies with an OSData of scalarInput[0] bytes
const KEEP = 2; // retains its completion for the test to fire
const SCALARS = 3; // fills 20 scalars (4 past the array) and sets the count to scalarInput[0]
const FAIL = 4; // sets outputs, then answers kIOReturnNotReady
const OSDATA_ANYWAY = 5; // sets structureOutput even when the caller passed a descriptor

/** What the kernel handed the user client for one call. */
interface Seen {
  selector: number;
  scalarInput: readonly number[];
  structureInput: Uint8Array | null;
  descriptorInput: Uint8Array | null;
  outputDescriptorLength: number | null;
  outputMaximum: number;
  hasCompletion: boolean;
  /** The in-band input's own bytes, not copied by the probe. */
  inputView: Uint8Array | null;
}

const pattern = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

class ProbeUserClient extends IOUserClient {
  readonly seen: Seen[] = [];
  readonly kept: Completion[] = [];

  constructor(readonly owner: ProbeService) {
    super(owner.runtime);
  }

  override ExternalMethod(
    selector: number,
    a: IOUserClientMethodArguments,
    _dispatch: IOUserClientMethodDispatch | null,
  ): IOReturn {
    const input = a.structureInput?.getBytesNoCopy() ?? a.structureInputDescriptor?.bytes() ?? null;
    this.seen.push({
      selector,
      scalarInput: [...a.scalarInput],
      structureInput: a.structureInput?.getBytesNoCopy().slice() ?? null,
      descriptorInput: a.structureInputDescriptor?.bytes().slice() ?? null,
      outputDescriptorLength: a.structureOutputDescriptor?.GetLength() ?? null,
      outputMaximum: a.structureOutputMaximumSize,
      hasCompletion: a.completion !== null,
      inputView: a.structureInput?.getBytesNoCopy() ?? null,
    });
    switch (selector) {
      case ECHO: {
        const bytes = input ?? new Uint8Array(0);
        if (a.structureOutputDescriptor !== null) {
          a.structureOutputDescriptor.bytes().set(bytes);
          a.structureOutputDescriptorLength = bytes.length;
        } else a.structureOutput = OSData.withBytes(bytes);
        return kIOReturnSuccess;
      }
      case REPLY:
        a.structureOutput = OSData.withBytes(pattern(a.scalarInput[0]));
        return kIOReturnSuccess;
      case KEEP:
        this.kept.push(a.completion!.retain());
        return kIOReturnSuccess;
      case SCALARS:
        // A careless dext may write past the 16 slots; the caller still gets at most 16.
        for (let i = 0; i < 20; i++) a.scalarOutput[i] = i + 1;
        a.scalarOutputCount = a.scalarInput[0];
        return kIOReturnSuccess;
      case FAIL:
        a.scalarOutput[0] = 5;
        a.scalarOutputCount = 1;
        a.structureOutput = OSData.withBytes(pattern(8));
        return kIOReturnNotReady;
      case OSDATA_ANYWAY:
        a.structureOutput = OSData.withBytes(pattern(8));
        return kIOReturnSuccess;
    }
    return kIOReturnBadArgument;
  }

  override CopyClientMemoryForType(
    type: number,
    options: Out<number>,
    memory: Out<IOUserClientMemory>,
  ): IOReturn {
    const r = this.owner.regions[type];
    if (r === undefined) return kIOReturnUnsupported;
    options.value = r.readOnly ? kIOUserClientMemoryReadOnly : 0;
    memory.value = r.memory.retain();
    return kIOReturnSuccess;
  }
}

class ProbeService extends IOService {
  regions: { memory: IOBufferMemoryDescriptor; readOnly: boolean }[] = [];
  readonly clients: ProbeUserClient[] = [];

  override NewUserClient(type: number, userClient: Out<IOService>): IOReturn {
    if (type !== 0) return kIOReturnBadArgument;
    const c = new ProbeUserClient(this);
    c.Start(this);
    this.clients.push(c);
    userClient.value = c;
    return kIOReturnSuccess;
  }
}

let rt: DextRuntime;
let registry: IORegistry;
let kernel: DextKernel;
let notes: KernelNotification[];
let service: ProbeService;
let serviceId: number;

function clientBuffer(bytes: number): IOBufferMemoryDescriptor {
  const d = out<IOBufferMemoryDescriptor>();
  expect(IOBufferMemoryDescriptor.Create(kIOMemoryMapClientShared, bytes, 0, d)).toBe(kIOReturnSuccess);
  return d.value!;
}

beforeEach(() => {
  rt = createRuntime(new Scheduler(), new HostMemory({ size: 1 << 20 }));
  registry = new IORegistry();
  notes = [];
  kernel = new DextKernel(rt, registry, 1, (n) => notes.push(n));
  withRuntime(rt, () => {
    service = new ProbeService();
    service.SetName('ProbeDriver');
    service.properties.set('CFBundleIdentifier', PROBE_BUNDLE);
    service.registry = registry;
    expect(service.Start(null)).toBe(kIOReturnSuccess);
    expect(service.RegisterService()).toBe(kIOReturnSuccess);
    service.regions = [
      { memory: clientBuffer(8192), readOnly: true },
      { memory: clientBuffer(100), readOnly: false },
    ];
  });
  serviceId = kernel.match({ name: 'ProbeDriver' });
});

function open(entitlements: Readonly<Record<string, unknown>> = PROBE_ENTITLEMENTS): number {
  const r = kernel.open(serviceId, 0, entitlements);
  expect(r.ret).toBe(kIOReturnSuccess);
  expect(r.connection).toBeGreaterThan(0);
  return r.connection;
}

function call(connection: number, o: Partial<CallRequest> = {}) {
  return kernel.call({
    connection,
    selector: ECHO,
    scalarInput: [],
    structInput: null,
    scalarOutputCount: 0,
    structOutputSize: 0,
    ...o,
  });
}

const probe = (i = 0) => service.clients[i];
const lastSeen = (i = 0) => probe(i).seen[probe(i).seen.length - 1];
const settle = () => rt.scheduler.runUntil(rt.scheduler.now);

// ---------------------------------------------------------------- matching and opening

describe('matching (IOServiceNameMatching / IOServiceMatching)', () => {
  it('finds the service by its name, its class or a superclass; nothing else matches', () => {
    expect(serviceId).toBeGreaterThan(0);
    expect(registry.service(serviceId)).toBe(service);
    expect(kernel.match({ className: 'ProbeService' })).toBe(serviceId);
    expect(kernel.match({ className: 'IOService' })).toBe(serviceId);
    expect(kernel.match({ name: 'ProbeDriver', className: 'ProbeService' })).toBe(serviceId);
    expect(kernel.match({ name: 'ProbeDriver', className: 'IOUserClient' })).toBe(0);
    expect(kernel.match({ name: 'Nope' })).toBe(0);
    expect(kernel.match({ className: 'IOUserNetworkEthernet' })).toBe(0);
    expect(kernel.match({})).toBe(0);
  });

  it('a stopped service is no longer matched, nor opened', () => {
    withRuntime(rt, () => service.Stop(null));
    expect(kernel.match({ name: 'ProbeDriver' })).toBe(0);
    expect(kernel.open(serviceId, 0, PROBE_ENTITLEMENTS)).toEqual({
      ret: kIOReturnBadArgument,
      connection: 0,
    });
  });
});

describe('IOServiceOpen and the userclient-access entitlement', () => {
  it('opens with the dext bundle id in the entitlement (array or single string)', () => {
    const a = open();
    const b = open({ [USERCLIENT_ACCESS_ENTITLEMENT]: PROBE_BUNDLE });
    expect(b).not.toBe(a);
    expect(kernel.openConnections).toBe(2);
  });

  it.each([
    ['no entitlements', {}],
    ['another dext', { [USERCLIENT_ACCESS_ENTITLEMENT]: ['app.other.driver'] }],
    ['another dext as a string', { [USERCLIENT_ACCESS_ENTITLEMENT]: 'app.other.driver' }],
    ['a prefix of the bundle id', { [USERCLIENT_ACCESS_ENTITLEMENT]: ['app.netlanes'] }],
    ['a boolean', { [USERCLIENT_ACCESS_ENTITLEMENT]: true }],
    ['the id under another key', { 'com.apple.developer.driverkit': [PROBE_BUNDLE] }],
  ])('%s: kIOReturnNotPermitted, logged once, and the new user client is gone', (_what, entitlements) => {
    const r = kernel.open(serviceId, 0, entitlements);
    expect(r).toEqual({ ret: kIOReturnNotPermitted, connection: 0 });
    expect(kernel.openConnections).toBe(0);
    const lines = rt.tracer.find(/UC failed userclient-access check/);
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toBe(`UC failed userclient-access check, needed bundle ID ${PROBE_BUNDLE}`);
    expect(lines[0].level).toBe('warn');
    // NewUserClient ran, then the kernel stopped and released what it made.
    expect(service.clients).toHaveLength(1);
    expect(probe().isFreed).toBe(true);
    expect(rt.liveObjects.get('ProbeUserClient')).toBeUndefined();
    expect(registry.tree()[0].children).toEqual([]);
  });

  it('an open user client sits under its service in the registry until closed', () => {
    const c = open();
    expect(registry.tree()[0].children.map((n) => n.className)).toEqual(['ProbeUserClient']);
    expect(kernel.close(c)).toBe(kIOReturnSuccess);
    expect(registry.tree()[0].children).toEqual([]);
    expect(probe().isFreed).toBe(true);
    expect(kernel.openConnections).toBe(0);
  });

  it('an unknown service, a bad type, or a service without user clients is refused', () => {
    expect(kernel.open(9999, 0, PROBE_ENTITLEMENTS).ret).toBe(kIOReturnBadArgument);
    expect(kernel.open(serviceId, -1, PROBE_ENTITLEMENTS).ret).toBe(kIOReturnBadArgument);
    expect(kernel.open(serviceId, 2 ** 32, PROBE_ENTITLEMENTS).ret).toBe(kIOReturnBadArgument);
    // NewUserClient's own answer for a type it does not serve is passed back.
    expect(kernel.open(serviceId, 1, PROBE_ENTITLEMENTS).ret).toBe(kIOReturnBadArgument);
    const plain = withRuntime(rt, () => {
      const s = new IOService();
      s.SetName('Plain');
      s.registry = registry;
      s.Start(null);
      s.RegisterService();
      return s;
    });
    expect(kernel.open(registry.idOf(plain), 0, PROBE_ENTITLEMENTS)).toEqual({
      ret: kIOReturnUnsupported,
      connection: 0,
    });
    expect(kernel.openConnections).toBe(0);
  });
});

describe('a closed or unknown connection', () => {
  it('calls, maps, unmaps and closes answer kIOReturnNotOpen', () => {
    const c = open();
    expect(kernel.close(c)).toBe(kIOReturnSuccess);
    for (const id of [c, 9999, 0]) {
      expect(call(id)).toEqual({ ret: kIOReturnNotOpen, scalarOutput: [], structOutput: null });
      expect(kernel.map(id, 0).ret).toBe(kIOReturnNotOpen);
      expect(kernel.map(id, 0).buffer).toBeNull();
      expect(kernel.unmap(id, 0)).toBe(kIOReturnNotOpen);
      expect(kernel.close(id)).toBe(kIOReturnNotOpen);
    }
    expect(probe().seen).toHaveLength(0);
  });

  it('closing one connection leaves the others working', () => {
    const a = open();
    const b = open();
    kernel.close(a);
    expect(call(b, { structInput: Uint8Array.of(1), structOutputSize: 1 }).ret).toBe(kIOReturnSuccess);
    expect(probe(1).seen).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- call marshalling

describe('struct input: in-band up to 4096 bytes, a descriptor beyond', () => {
  it('4096 bytes arrive as structureInput, no descriptor', () => {
    const c = open();
    const input = pattern(4096, 1);
    call(c, { structInput: input, structOutputSize: 4096 });
    const s = lastSeen();
    expect(s.structureInput).toEqual(input);
    expect(s.descriptorInput).toBeNull();
  });

  it('4097 bytes arrive as a descriptor of exactly that length, structureInput null', () => {
    const c = open();
    const input = pattern(4097, 2);
    const r = call(c, { structInput: input, structOutputSize: 5000 });
    const s = lastSeen();
    expect(s.structureInput).toBeNull();
    expect(s.descriptorInput).not.toBeNull();
    expect(s.descriptorInput!.length).toBe(4097);
    expect(s.descriptorInput).toEqual(input);
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.structOutput).toEqual(input);
  });

  it('a raw caller sending a struct that fits in-band out-of-line gets kIOReturnIPCError; a larger one goes through', () => {
    const c = open();
    const before = probe().seen.length;
    for (const size of [0, 1, 4096])
      expect(
        call(c, { structInput: size === 0 ? null : pattern(size), structInputOutOfLine: true }).ret,
      ).toBe(kIOReturnIPCError);
    expect(probe().seen.length).toBe(before); // refused before the dext saw it
    const r = call(c, { structInput: pattern(4097, 3), structInputOutOfLine: true, structOutputSize: 5000 });
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(lastSeen().descriptorInput!.length).toBe(4097);
  });

  it('no input, or an empty one, arrives as neither', () => {
    const c = open();
    call(c, { structInput: null });
    expect([lastSeen().structureInput, lastSeen().descriptorInput]).toEqual([null, null]);
    call(c, { structInput: new Uint8Array(0) });
    expect([lastSeen().structureInput, lastSeen().descriptorInput]).toEqual([null, null]);
  });

  it('the caller’s buffer is copied: the dext never sees later changes', () => {
    const c = open();
    const input = pattern(16);
    call(c, { selector: KEEP, structInput: input, asyncReference: [0, 1] });
    input[0] = 0xee;
    expect(lastSeen().inputView).not.toBeNull();
    expect(lastSeen().inputView![0]).toBe(0);
    expect(lastSeen().inputView!.buffer).not.toBe(input.buffer);
  });
});

describe('struct output: in-band up to 4096 bytes, a descriptor beyond', () => {
  it('a caller room of 4096 bytes: no descriptor, the reply comes back as OSData', () => {
    const c = open();
    const r = call(c, { selector: REPLY, scalarInput: [4096], structOutputSize: 4096 });
    expect(lastSeen().outputDescriptorLength).toBeNull();
    expect(lastSeen().outputMaximum).toBe(4096);
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.structOutput).toEqual(pattern(4096));
  });

  it('a caller room of 4097 bytes: the dext gets a descriptor of that length and the caller what it wrote', () => {
    const c = open();
    const input = pattern(4097, 3);
    const r = call(c, { structInput: input, structOutputSize: 4097 });
    expect(lastSeen().outputDescriptorLength).toBe(4097);
    expect(lastSeen().outputMaximum).toBe(4097);
    expect(r.structOutput).toEqual(input);
    // A shorter answer into a large buffer: the caller sees only the bytes written.
    const short = call(c, { structInput: pattern(10), structOutputSize: 100_000 });
    expect(lastSeen().outputDescriptorLength).toBe(100_000);
    expect(short.structOutput).toEqual(pattern(10));
  });

  it('a variable-size room: no descriptor, the maximum says "any", a long reply comes back whole', () => {
    const c = open();
    const r = call(c, {
      selector: REPLY,
      scalarInput: [10_000],
      structOutputSize: kIOUserClientVariableStructureSize,
    });
    expect(lastSeen().outputDescriptorLength).toBeNull();
    expect(lastSeen().outputMaximum).toBe(0xffffffff);
    expect(r.structOutput).toEqual(pattern(10_000));
  });

  it('a reply longer than the caller’s room fails with kIOReturnBadArgument; a shorter one is fine', () => {
    const c = open();
    expect(call(c, { selector: REPLY, scalarInput: [17], structOutputSize: 16 })).toEqual({
      ret: kIOReturnBadArgument,
      scalarOutput: [],
      structOutput: null,
    });
    const r = call(c, { selector: REPLY, scalarInput: [10], structOutputSize: 16 });
    expect(r.ret).toBe(kIOReturnSuccess);
    expect(r.structOutput).toEqual(pattern(10));
    expect(call(c, { selector: REPLY, scalarInput: [16], structOutputSize: 16 }).structOutput).toEqual(
      pattern(16),
    );
  });

  // is_io_connect_method: an out-of-line caller is answered only through its descriptor.
  it('a dext that sets structureOutput for an out-of-line caller fails the call', () => {
    const c = open();
    const r = call(c, { selector: OSDATA_ANYWAY, structOutputSize: 8192 });
    expect(lastSeen().outputDescriptorLength).toBe(8192);
    expect(r.ret).toBe(kIOReturnBadArgument);
  });

  it('the dext’s OSData and the kernel’s descriptors are released after the call', () => {
    const c = open();
    const before = new Map(rt.liveObjects);
    call(c, { structInput: pattern(5000), structOutputSize: 6000 });
    call(c, { selector: REPLY, scalarInput: [100], structOutputSize: 100 });
    call(c, { selector: FAIL, scalarOutputCount: 1, structOutputSize: 100 });
    expect(rt.liveObjects).toEqual(before);
  });
});

describe('scalars and argument checks', () => {
  it('the dext may lower the scalar output count; the caller gets that many', () => {
    const c = open();
    expect(call(c, { selector: SCALARS, scalarInput: [3], scalarOutputCount: 16 }).scalarOutput).toEqual([
      1, 2, 3,
    ]);
    expect(call(c, { selector: SCALARS, scalarInput: [0], scalarOutputCount: 16 }).scalarOutput).toEqual([]);
    // Never more than 16, whatever the dext claims.
    expect(call(c, { selector: SCALARS, scalarInput: [40], scalarOutputCount: 16 }).scalarOutput).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
  });

  it('an error answer carries no scalars and no struct', () => {
    const c = open();
    expect(call(c, { selector: FAIL, scalarOutputCount: 1, structOutputSize: 100 })).toEqual({
      ret: kIOReturnNotReady,
      scalarOutput: [],
      structOutput: null,
    });
  });

  it.each<[string, Partial<CallRequest>, IOReturn]>([
    ['17 scalars', { scalarInput: new Array(17).fill(0) }, kIOReturnBadArgument],
    ['a negative scalar', { scalarInput: [-1] }, kIOReturnBadArgument],
    ['a fractional scalar', { scalarInput: [1.5] }, kIOReturnBadArgument],
    ['a NaN scalar', { scalarInput: [Number.NaN] }, kIOReturnBadArgument],
    ['a scalar beyond 2^53', { scalarInput: [2 ** 53] }, kIOReturnBadArgument],
    ['room for 17 scalars', { scalarOutputCount: 17 }, kIOReturnBadArgument],
    ['a negative selector', { selector: -1 }, kIOReturnBadArgument],
    ['a selector beyond 32 bits', { selector: 2 ** 32 }, kIOReturnBadArgument],
    ['an output room beyond 16 MiB', { structOutputSize: STRUCT_OUT_OF_LINE_MAX + 1 }, kIOReturnBadArgument],
    ['a negative output room', { structOutputSize: -1 }, kIOReturnBadArgument],
    [
      'an input beyond 16 MiB',
      { structInput: new Uint8Array(STRUCT_OUT_OF_LINE_MAX + 1) },
      kIOReturnNoMemory,
    ],
    ['input that is not bytes', { structInput: [1, 2] as unknown as Uint8Array }, kIOReturnBadArgument],
    ['an empty async reference', { asyncReference: [] }, kIOReturnBadArgument],
    ['9 async reference values', { asyncReference: new Array(9).fill(0) }, kIOReturnBadArgument],
    ['a negative async reference value', { asyncReference: [0, -1] }, kIOReturnBadArgument],
  ])('%s is refused before the dext sees it', (_what, o, ret) => {
    const c = open();
    expect(call(c, o)).toEqual({ ret, scalarOutput: [], structOutput: null });
    expect(probe().seen).toHaveLength(0);
  });

  it('the limits themselves are accepted: 16 scalars, room for 16, 8 reference values, 16 MiB room', () => {
    const c = open();
    expect(call(c, { scalarInput: new Array(16).fill(1), scalarOutputCount: 16 }).ret).toBe(kIOReturnSuccess);
    expect(call(c, { selector: KEEP, asyncReference: new Array(8).fill(0) }).ret).toBe(kIOReturnSuccess);
    expect(call(c, { structOutputSize: STRUCT_OUT_OF_LINE_MAX }).ret).toBe(kIOReturnSuccess);
    expect(probe().seen).toHaveLength(3);
  });
});

// ---------------------------------------------------------------- async completions

describe('async completions', () => {
  it('a sync call carries no completion; an async one does', () => {
    const c = open();
    call(c);
    expect(lastSeen().hasCompletion).toBe(false);
    call(c, { selector: KEEP, asyncReference: [0] });
    expect(lastSeen().hasCompletion).toBe(true);
  });

  it('reach the calling connection, with reference slot 0 the system’s and the client’s values after it', () => {
    const a = open();
    const b = open();
    call(a, { selector: KEEP, asyncReference: [12345, 7, 8] });
    expect(notes).toEqual([]);
    probe(0).AsyncCompletion(probe(0).kept[0], kIOReturnSuccess, [4, 5], 2);
    expect(notes).toEqual([]); // delivered later, not inside AsyncCompletion
    settle();
    expect(notes).toEqual([
      { kind: 'async', connection: a, reference: [a, 7, 8], status: kIOReturnSuccess, args: [4, 5] },
    ]);
    expect(notes.some((n) => n.connection === b)).toBe(false);
  });

  it('two connections each hear only their own completions', () => {
    const a = open();
    const b = open();
    call(a, { selector: KEEP, asyncReference: [0, 1] });
    call(b, { selector: KEEP, asyncReference: [0, 2] });
    probe(1).AsyncCompletion(probe(1).kept[0], kIOReturnNotReady, [9], 1);
    settle();
    expect(notes).toEqual([
      { kind: 'async', connection: b, reference: [b, 2], status: kIOReturnNotReady, args: [9] },
    ]);
    probe(0).AsyncCompletion(probe(0).kept[0], kIOReturnSuccess, [], 0);
    settle();
    expect(notes.map((n) => n.connection)).toEqual([b, a]);
  });

  it('a completion the dext did not keep is released after the call; one it kept lives on', () => {
    const c = open();
    call(c, { asyncReference: [0, 1] }); // ECHO does not retain it
    settle();
    expect(rt.liveObjects.get('OSAction') ?? 0).toBe(0);
    call(c, { selector: KEEP, asyncReference: [0, 1] });
    settle();
    expect(rt.liveObjects.get('OSAction')).toBe(1);
    expect(probe().kept[0].getRetainCount()).toBe(1);
  });

  it('after close a kept completion is cancelled and delivers nothing', () => {
    const c = open();
    call(c, { selector: KEEP, asyncReference: [0, 1] });
    const kept = probe().kept[0];
    kernel.close(c);
    expect(kept.isCancelled).toBe(true);
    probe().AsyncCompletion(kept, kIOReturnSuccess, [1], 1);
    settle();
    expect(notes).toEqual([]);
    withRuntime(rt, () => kept.release());
  });

  it('terminateAll closes every connection and tells each one', () => {
    const a = open();
    const b = open();
    kernel.terminateAll();
    expect(kernel.openConnections).toBe(0);
    expect(notes).toEqual([
      { kind: 'terminated', connection: a },
      { kind: 'terminated', connection: b },
    ]);
    expect(call(a).ret).toBe(kIOReturnNotOpen);
  });
});

// ---------------------------------------------------------------- memory mappings

describe('IOConnectMapMemory64 / IOConnectUnmapMemory64', () => {
  const ro = () => service.regions[0].memory;
  const rw = () => service.regions[1].memory;

  it('maps the descriptor’s own bytes: the same buffer on every call, its length, offset 0', () => {
    const c = open();
    const m1 = kernel.map(c, 0);
    const m2 = kernel.map(c, 0);
    expect(m1.ret).toBe(kIOReturnSuccess);
    expect(m2.buffer).toBe(m1.buffer);
    expect(m1.length).toBe(8192);
    expect(m1.offset).toBe(0);
    expect(m1.buffer!.byteLength).toBe(8192);
    expect(m1.buffer).toBe(ro().bytes().buffer);
    expect(m1.buffer).not.toBe(rt.memory.buffer);
    // Another connection maps the same descriptor too.
    const other = open();
    expect(kernel.map(other, 0).buffer).toBe(m1.buffer);
  });

  it('a mapping is the dext’s memory: writes on either side are seen on the other', () => {
    const c = open();
    const m = kernel.map(c, 1);
    const client = new Uint8Array(m.buffer!, m.offset, m.length);
    client[5] = 42;
    expect(rw().bytes()[5]).toBe(42);
    rw().bytes()[6] = 43;
    expect(client[6]).toBe(43);
    // A 100-byte descriptor: the client sees 100 bytes, in a buffer of its own page.
    expect(m.length).toBe(100);
    expect(m.buffer!.byteLength).toBe(PAGE_SIZE);
  });

  it('read-only as the dext says', () => {
    const c = open();
    expect(kernel.map(c, 0).readOnly).toBe(true);
    expect(kernel.map(c, 1).readOnly).toBe(false);
  });

  it('counts references: map twice, unmap once keeps it, unmap again drops it, a third unmap is refused', () => {
    const c = open();
    const base = ro().getRetainCount();
    kernel.map(c, 0);
    expect(ro().getRetainCount()).toBe(base + 1);
    kernel.map(c, 0);
    expect(ro().getRetainCount()).toBe(base + 1); // one reference for the type, however often mapped
    expect(kernel.unmap(c, 0)).toBe(kIOReturnSuccess);
    expect(ro().getRetainCount()).toBe(base + 1);
    expect(kernel.unmap(c, 0)).toBe(kIOReturnSuccess);
    expect(ro().getRetainCount()).toBe(base);
    expect(kernel.unmap(c, 0)).toBe(kIOReturnBadArgument);
    expect(ro().getRetainCount()).toBe(base);
    // Mapping again after that works.
    expect(kernel.map(c, 0).ret).toBe(kIOReturnSuccess);
    expect(ro().getRetainCount()).toBe(base + 1);
  });

  it('unmapping a type never mapped is refused', () => {
    const c = open();
    expect(kernel.unmap(c, 1)).toBe(kIOReturnBadArgument);
    expect(kernel.unmap(c, 77)).toBe(kIOReturnBadArgument);
  });

  it('close unmaps everything the connection mapped', () => {
    const c = open();
    const other = open();
    const [roBase, rwBase] = [ro().getRetainCount(), rw().getRetainCount()];
    kernel.map(c, 0);
    kernel.map(c, 0);
    kernel.map(c, 1);
    kernel.map(other, 1);
    expect(kernel.close(c)).toBe(kIOReturnSuccess);
    expect(ro().getRetainCount()).toBe(roBase);
    expect(rw().getRetainCount()).toBe(rwBase + 1); // the other connection's mapping stays
    expect(kernel.unmap(other, 1)).toBe(kIOReturnSuccess);
    expect(rw().getRetainCount()).toBe(rwBase);
  });

  it('a type the dext does not serve, or not a type at all, is kIOReturnBadArgument with no buffer', () => {
    const c = open();
    for (const type of [2, 99, -1, 1.5, 2 ** 32]) {
      const m = kernel.map(c, type);
      expect(m.ret).toBe(kIOReturnBadArgument);
      expect(m.buffer).toBeNull();
    }
    expect(kernel.unmap(c, 2)).toBe(kIOReturnBadArgument);
  });
});

// ---------------------------------------------------------------- the NetLanes dext

describe('the NetLanes dext through the kernel', () => {
  let m: Machine;
  beforeEach(() => {
    m = Machine.boot({ scenario: scenario('home-office') });
  });
  afterEach(() => {
    expect(m.shutdown().liveObjects).toBe(0);
  });

  it('is matched by its name and by its family class, and that service is the driver', () => {
    const byName = m.kernel.match({ name: NETLANES_SERVICE_NAME });
    expect(byName).toBeGreaterThan(0);
    expect(m.kernel.match({ className: 'IOUserNetworkEthernet' })).toBe(byName);
    expect(m.kernel.match({ className: 'NetLanesDriver' })).toBe(byName);
    expect(m.registry.service(byName)).toBe(m.driver);
    expect(m.kernel.match({ name: 'NetLanesUserClient' })).toBe(0); // user clients are not services to match
  });

  it('opening without the entitlement is kIOReturnNotPermitted, logged once with the dext’s bundle id', () => {
    const id = m.kernel.match({ name: NETLANES_SERVICE_NAME });
    const open = m.kernel.open(id, 0, { [USERCLIENT_ACCESS_ENTITLEMENT]: ['com.example.other'] });
    expect(open).toEqual({ ret: kIOReturnNotPermitted, connection: 0 });
    const lines = m.runtime.tracer.find(/userclient-access/);
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toContain(`needed bundle ID ${NETLANES_DEXT_BUNDLE_ID}`);
    expect(m.kernel.openConnections).toBe(1); // the machine's own client only
    expect(APP_ENTITLEMENTS[USERCLIENT_ACCESS_ENTITLEMENT]).toContain(NETLANES_DEXT_BUNDLE_ID);
    const ok = m.kernel.open(id, 0, APP_ENTITLEMENTS);
    expect(ok.ret).toBe(kIOReturnSuccess);
    expect(m.kernel.close(ok.connection)).toBe(kIOReturnSuccess);
  });

  it.each([
    ['Stats', MemoryType.Stats, true],
    ['RingState', MemoryType.RingState, true],
    ['Capture', MemoryType.Capture, true],
    ['Command', MemoryType.Command, false],
  ])('%s maps %s', (_name, type, readOnly) => {
    const c = m.openClient();
    const first = m.kernel.map(c.connection, type);
    expect(first.ret).toBe(kIOReturnSuccess);
    expect(first.readOnly).toBe(readOnly);
    expect(m.kernel.map(c.connection, type).buffer).toBe(first.buffer);
    expect(m.kernel.map(m.client.connection, type).buffer).toBe(first.buffer);
  });

  it('each mapping exposes exactly its region: the ABI size, in a buffer of its own', () => {
    const c = m.openClient();
    const slots = m.client.info().appSlots;
    const expected: [number, number][] = [
      [MemoryType.Stats, statsLayout(slots).bytes],
      [MemoryType.RingState, RING_STATE_BYTES],
      [MemoryType.Capture, CAPTURE_BYTES],
      [MemoryType.Command, COMMAND_BUFFER_BYTES],
    ];
    for (const [type, bytes] of expected) {
      const r = m.kernel.map(c.connection, type);
      expect(r.length, `type ${type}`).toBe(bytes);
      expect(r.offset, `type ${type}`).toBe(0);
      expect(r.buffer, `type ${type}`).not.toBe(m.memory.buffer);
      // Whole pages (a mapping is page-granular) and nothing more: no other memory is reachable.
      expect(r.buffer!.byteLength, `type ${type}`).toBe(Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE);
      expect(new Uint8Array(r.buffer!, r.length).every((b) => b === 0)).toBe(true);
    }
  });

  it('an unknown memory type is kIOReturnBadArgument', () => {
    const r = m.kernel.map(m.client.connection, 4);
    expect(r.ret).toBe(kIOReturnBadArgument);
    expect(r.buffer).toBeNull();
  });

  it('closing a client unmaps what it mapped; the machine’s own mapping keeps working', () => {
    const c = m.openClient();
    c.map(MemoryType.Capture);
    c.map(MemoryType.Stats);
    expect(c.close()).toBe(kIOReturnSuccess);
    expect(c.unmap(MemoryType.Stats)).toBe(kIOReturnNotOpen);
    m.run(20e6);
    expect(m.stats.queue.txPackets.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
