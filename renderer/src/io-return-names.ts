/** IOReturn codes by name, as a developer reads them (kIOReturnNotAttached, not 0xe00002d9). */
import * as IOReturn from '../../driver-runtime/abi/io-return.ts';

const RETURN_NAMES = new Map<number, string>(
  Object.entries(IOReturn)
    .filter(([k, v]) => k.startsWith('kIOReturn') && typeof v === 'number')
    .map(([k, v]) => [(v as number) >>> 0, k]),
);

export function returnName(ret: number | 'error'): string {
  if (ret === 'error') return 'transport error';
  return RETURN_NAMES.get(ret >>> 0) ?? `0x${(ret >>> 0).toString(16)}`;
}
