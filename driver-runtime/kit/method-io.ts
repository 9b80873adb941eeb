/**
 * What every user client's methods do with their arguments, as Apple's samples write it once
 * per dext: read the struct input wherever the kernel put it (in-band or out-of-line), answer
 * into whatever room the caller gave, count-prefix a list of records, and build the dispatch
 * table from the ABI's method shapes so the checks are never restated by hand.
 */
import { kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from './io-return.ts';
import { OSData } from './os-object.ts';
import {
  kIOUserClientVariableStructureSize,
  type IOUserClientMethodArguments,
  type IOUserClientMethodDispatch,
} from './io-user-client.ts';
import { AbiError, type StructLayout } from '../abi/struct-codec.ts';
import { VARIABLE_SIZE, type MethodShape } from '../abi/netlanes-abi.ts';

/** The bytes of the struct input, in-band or out-of-line (empty when there is none). */
export function structInput(args: IOUserClientMethodArguments): Uint8Array {
  if (args.structureInput !== null) return args.structureInput.getBytesNoCopy();
  if (args.structureInputDescriptor !== null) return args.structureInputDescriptor.bytes();
  return new Uint8Array(0);
}

/**
 * Answers with `bytes`: into the caller's out-of-line buffer when it passed one, else as an
 * OSData. A reply longer than the caller's room is kIOReturnBadArgument, as the kernel says.
 */
export function reply(args: IOUserClientMethodArguments, bytes: Uint8Array): IOReturn {
  const d = args.structureOutputDescriptor;
  if (d !== null) {
    if (bytes.length > d.GetLength()) return kIOReturnBadArgument;
    d.bytes().set(bytes);
    args.structureOutputDescriptorLength = bytes.length;
    return kIOReturnSuccess;
  }
  const room = args.structureOutputMaximumSize;
  if (room !== kIOUserClientVariableStructureSize && bytes.length > room) return kIOReturnBadArgument;
  args.structureOutput = OSData.withBytes(bytes);
  return kIOReturnSuccess;
}

/** A u32 count, 4 reserved bytes, then the records: how list replies travel. */
export function records<T extends object>(layout: StructLayout<T>, items: readonly T[]): Uint8Array {
  const bytes = new Uint8Array(8 + items.length * layout.size);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, items.length, true);
  items.forEach((item, i) => layout.write(v, 8 + i * layout.size, item));
  return bytes;
}

export type MethodHandler<C> = (client: C, args: IOUserClientMethodArguments) => IOReturn;

/**
 * One dispatch entry per selector, in selector order, its checks from the method's shape. A
 * struct the codec refuses (decodable bytes, meaningless values) is the caller's mistake:
 * kIOReturnBadArgument.
 */
export function dispatchTable<N extends string, C>(
  names: readonly N[],
  shapes: Readonly<Record<N, MethodShape>>,
  handlers: Readonly<Record<N, MethodHandler<C>>>,
): readonly IOUserClientMethodDispatch[] {
  const size = (n: number) => (n === VARIABLE_SIZE ? kIOUserClientVariableStructureSize : n);
  return names.map((name) => {
    const m = shapes[name];
    const handler = handlers[name];
    return {
      function: (target, _reference, args) => {
        try {
          return handler(target as C, args);
        } catch (e) {
          if (e instanceof AbiError) return kIOReturnBadArgument;
          throw e;
        }
      },
      checkCompletionExists: m.async ? 1 : 0,
      checkScalarInputCount: m.scalarIn,
      checkStructureInputSize: size(m.structIn),
      checkScalarOutputCount: m.scalarOut,
      checkStructureOutputSize: size(m.structOut),
    };
  });
}

/** The dispatch entry for a selector, or null beyond the table (never trust the selector). */
export function entryFor(
  table: readonly IOUserClientMethodDispatch[],
  selector: number,
): IOUserClientMethodDispatch | null {
  return Number.isInteger(selector) && selector >= 0 && selector < table.length ? table[selector] : null;
}
