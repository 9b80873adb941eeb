/**
 * A live hex view of a window of mapped memory: offset, 16 bytes a row, ASCII. Bytes that
 * changed since the last frame flash and fade. Labels name the regions the rows start in.
 */
import { memo } from 'react';

interface Props {
  bytes: Uint8Array;
  /** The same window one frame earlier, or null. */
  before: Uint8Array | null;
  /** Offset of bytes[0] within the region. */
  base: number;
  /** Region names by start offset, shown beside the rows they start on. */
  labels?: ReadonlyMap<number, string>;
}

const ROW = 16;
const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·');

export const HexView = memo(function HexView({ bytes, before, base, labels }: Props) {
  const rows = [];
  for (let r = 0; r < bytes.length; r += ROW) {
    const offset = base + r;
    let label: string | undefined;
    for (let i = 0; i < ROW && label === undefined; i++) label = labels?.get(offset + i);
    const cells = [];
    let ascii = '';
    for (let i = r; i < Math.min(r + ROW, bytes.length); i++) {
      const hot = before !== null && before[i] !== bytes[i];
      cells.push(
        <span key={i} className={`hex-b${hot ? ' hot' : ''}${bytes[i] === 0 ? ' zero' : ''}`}>
          {bytes[i].toString(16).padStart(2, '0')}
        </span>,
        i === r + ROW - 1 ? '' : i === r + ROW / 2 - 1 ? '  ' : ' ',
      );
      ascii += printable(bytes[i]);
    }
    rows.push(
      <div key={offset} className="hex-row">
        <span className="hex-off">{offset.toString(16).padStart(8, '0')}</span>
        <span className="hex-bytes">{cells}</span>
        <span className="hex-ascii">{ascii}</span>
        <span className="hex-label">{label ?? ''}</span>
      </div>,
    );
  }
  return (
    <div className="hex-view" role="region" aria-label="Hex view of the mapped memory" aria-live="off">
      {rows}
    </div>
  );
});
