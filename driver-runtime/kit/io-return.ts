/** IOReturn codes (abi/io-return.ts), and their names for logs and errors. */
export * from '../abi/io-return.ts';
import * as codes from '../abi/io-return.ts';
import type { IOReturn } from '../abi/io-return.ts';

/** Code → name, from the codes themselves. */
const NAMES = new Map<number, string>(
  Object.entries(codes as Record<string, unknown>)
    .filter((e): e is [string, number] => e[0].startsWith('kIOReturn') && typeof e[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/** "kIOReturnBadArgument (0xe00002c2)" — for logs, errors and CLI output. */
export function ioReturnName(code: IOReturn): string {
  const name = NAMES.get(code >>> 0) ?? 'unknown IOReturn';
  return `${name} (0x${(code >>> 0).toString(16).padStart(8, '0')})`;
}
