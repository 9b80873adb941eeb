/**
 * Open mappings: each memory type the user client serves, mapped with IOConnectMapMemory64
 * while shown, as a live hex view (changed bytes flash), with the regions of its layout named.
 */
import { useMemo, useState } from 'react';
import {
  CAPTURE_BYTES,
  CAPTURE_HEADER_BYTES,
  MemoryType,
  RING_RECORD_BYTES,
  RING_STATE_HEADER_BYTES,
} from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { APP_COLUMNS, QUEUE_COLUMNS, statsLayout } from '../../../../driver-runtime/abi/stats-layout.ts';
import { bytes as formatBytes } from '../../format.ts';
import { useMapping } from '../../hooks/use-mapping.ts';
import { useSnapshot } from '../../hooks/use-session.ts';
import { HexView } from '../../components/hex-view.tsx';
import { EmptyState } from '../../components/empty-state.tsx';

const PAGE = 512;

const TYPES = [
  {
    type: MemoryType.Stats,
    name: 'Stats',
    what: 'counters per device, queue and app slot; latency histograms',
  },
  { type: MemoryType.RingState, name: 'RingState', what: 'ring indices and pool use' },
  { type: MemoryType.Capture, name: 'Capture', what: 'captured frames (while capture is on)' },
] as const;

function regions(type: number, appSlots: number): Map<number, string> {
  const m = new Map<number, string>();
  if (type === MemoryType.Stats) {
    const l = statsLayout(appSlots);
    m.set(0, 'header: magic, version, sequence…');
    m.set(32, 'updatedAtNs');
    for (const c of APP_COLUMNS) m.set(l.appColumnOffset[c], `app.${c}[slot]`);
    for (const c of QUEUE_COLUMNS) m.set(l.queueColumnOffset[c], `queue.${c}[4]`);
    m.set(l.latencyOffset, 'latency buckets [slot][608]');
  } else if (type === MemoryType.RingState) {
    m.set(0, 'header: sequence, queues, pool');
    for (let i = 0; i < 8; i++)
      m.set(RING_STATE_HEADER_BYTES + i * RING_RECORD_BYTES, i < 4 ? `TxRing[${i}]` : `RxRing[${i - 4}]`);
  } else if (type === MemoryType.Capture) {
    m.set(0, 'header: writeIndex, records, snap, enabled');
    m.set(CAPTURE_HEADER_BYTES, 'record[0]');
  }
  return m;
}

export function MappingsTab() {
  const { info } = useSnapshot();
  const [type, setType] = useState<number>(MemoryType.Stats);
  const [offset, setOffset] = useState(0);
  const m = useMapping(type, 4);
  const labels = useMemo(() => regions(type, info?.appSlots ?? 0), [type, info?.appSlots]);
  const length = m.length || (type === MemoryType.Capture ? CAPTURE_BYTES : 0);
  const jumps = [...labels.entries()];
  return (
    <div className="mappings">
      <ul className="mapping-list" aria-label="Memory types">
        {TYPES.map((t) => (
          <li key={t.type}>
            <button
              type="button"
              className="mapping-item"
              aria-pressed={t.type === type}
              onClick={() => {
                setType(t.type);
                setOffset(0);
              }}
            >
              <span className="mapping-name">
                {t.name} <span className="muted mono">type {t.type}</span>
              </span>
              <span className="muted">{t.what}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="mapping-view">
        <div className="hex-toolbar">
          <span>
            <strong>{TYPES.find((t) => t.type === type)?.name}</strong>{' '}
            <span className="muted">
              {length ? formatBytes(length) : '…'} · {m.readOnly ? 'read-only' : 'read-write'} · generation{' '}
              {m.generation}
            </span>
          </span>
          <span className="spacer" />
          <label className="inline-field">
            <span>Jump to</span>
            <select
              className="select"
              value=""
              onChange={(e) => setOffset(Math.floor(Number(e.target.value) / 16) * 16)}
            >
              <option value="" disabled>
                region…
              </option>
              {jumps.map(([at, name]) => (
                <option key={at} value={at}>
                  {name} @ 0x{at.toString(16)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn btn-small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            ← Prev
          </button>
          <span className="mono figure">0x{offset.toString(16).padStart(6, '0')}</span>
          <button
            type="button"
            className="btn btn-small"
            disabled={length > 0 && offset + PAGE >= length}
            onClick={() => setOffset(offset + PAGE)}
          >
            Next →
          </button>
        </div>
        {m.error ? (
          <EmptyState tone="error" title="Cannot map this memory type">
            {m.error}
          </EmptyState>
        ) : m.bytes === null ? (
          <EmptyState tone="busy" title="Mapping…" />
        ) : (
          <HexView
            bytes={m.bytes.subarray(offset, offset + PAGE)}
            before={m.previous?.subarray(offset, offset + PAGE) ?? null}
            base={offset}
            labels={labels}
          />
        )}
      </div>
    </div>
  );
}
