/**
 * A struct the driver returned, shown the way a register view shows registers: field, byte
 * offset, type, raw value and what it means. The layout comes from the ABI itself.
 */
import type { ReactNode } from 'react';
import type { StructLayout } from '../../../driver-runtime/abi/struct-codec.ts';

type Raw = number | number[] | Uint8Array | string | undefined;

function rawText(v: Raw): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return Number.isInteger(v) && v >= 0 ? `${v} (0x${v.toString(16)})` : String(v);
}

interface Props<T extends object> {
  layout: StructLayout<T>;
  value: T | undefined;
  decode?: Partial<Record<keyof T & string, (v: never) => ReactNode>>;
  caption: string;
}

export function StructTable<T extends object>({ layout, value, decode, caption }: Props<T>) {
  return (
    <table className="table dense struct-table">
      <caption>
        {caption}{' '}
        <span className="muted">
          {layout.name}, {layout.size} bytes
        </span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col" className="num">
            Offset
          </th>
          <th scope="col">Type</th>
          <th scope="col">Value</th>
          <th scope="col">Decoded</th>
        </tr>
      </thead>
      <tbody>
        {layout.fields.map((f) => {
          const v = value ? ((value as Record<string, Raw>)[f.name] as Raw) : undefined;
          const d = decode?.[f.name as keyof T & string];
          const type =
            'count' in f && f.count ? `${f.type}[${f.count}]` : 'size' in f ? `${f.type}[${f.size}]` : f.type;
          return (
            <tr key={f.name}>
              <td className="mono">{f.name}</td>
              <td className="num mono">0x{f.offset.toString(16).padStart(2, '0')}</td>
              <td className="mono muted">{type}</td>
              <td className="mono raw">{rawText(v)}</td>
              <td>{d && v !== undefined ? d(v as never) : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
