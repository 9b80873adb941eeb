/** Rings and pool, live from the RingState mapping (IOConnectMapMemory64, memory type 1). */
import { MemoryType, RING_FIELDS } from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { readRingState, type RingRecord } from '../../../../driver-runtime/abi/ring-state-reader.ts';
import { bytes, clock, count, percent } from '../../format.ts';
import { laneOf } from '../../lanes.ts';
import { useMapping } from '../../hooks/use-mapping.ts';
import { Meter } from '../../components/meter.tsx';
import { RingDial } from '../../components/ring-dial.tsx';
import { EmptyState } from '../../components/empty-state.tsx';

/** RingState flags (driver/client-regions.ts): the queue is stopped at its byte limit (BQL). */
const RING_FLAG_STOPPED = 1;

function RingRows({
  rings,
  kind,
  highlight,
}: {
  rings: RingRecord[];
  kind: 'Tx' | 'Rx';
  highlight: string | null;
}) {
  return (
    <>
      {rings.map((r, q) => {
        const name = `${kind}Ring[${q}]`;
        return (
          <tr key={name} className={highlight === name ? 'highlight' : undefined}>
            <th scope="row" className="mono">
              {name}
            </th>
            {RING_FIELDS.map((f) => (
              <td key={f} className="num mono">
                {f === 'inflightBytes' || f === 'byteLimit'
                  ? r[f]
                    ? bytes(r[f])
                    : '—'
                  : f === 'flags'
                    ? r.flags & RING_FLAG_STOPPED
                      ? 'STOPPED'
                      : r.flags
                        ? `0x${r.flags.toString(16)}`
                        : '—'
                    : count(r[f])}
              </td>
            ))}
          </tr>
        );
      })}
    </>
  );
}

export function RingsTab({ highlight }: { highlight: string | null }) {
  const m = useMapping(MemoryType.RingState, 8);
  if (m.error)
    return (
      <EmptyState tone="error" title="Cannot map the ring state">
        {m.error}
      </EmptyState>
    );
  const state = m.bytes ? readRingState(m.bytes) : null;
  if (state === null) return <EmptyState tone="busy" title="Mapping the ring state…" />;
  const pool = state.poolPackets > 0 ? state.poolInUse / state.poolPackets : 0;
  return (
    <div className="rings">
      <div className="ring-dials">
        {state.tx.map((r, q) => (
          <RingDial
            key={q}
            ring={r}
            label={`TxRing[${q}] · ${laneOf(q)?.name}`}
            priority={laneOf(q)?.priority ?? 'normal'}
          />
        ))}
        <div className="pool-card">
          <h3>Packet pool</h3>
          <p className="pool-figure figure">
            {count(state.poolInUse)} <span className="muted">of {count(state.poolPackets)} in use</span>
          </p>
          <Meter value={pool} label="Packet pool in use" tone={pool > 0.9 ? 'warn' : 'neutral'} />
          <p className="muted">
            {percent(pool, 1)} · as of {clock(state.updatedAtNs)} machine time
          </p>
          <p className="muted small">
            generation {m.generation} · sequence {state.sequence}
          </p>
        </div>
      </div>
      <div className="scroll-x">
        <table className="table dense ring-table">
          <caption className="visually-hidden">Ring indices</caption>
          <thead>
            <tr>
              <th scope="col">Ring</th>
              {RING_FIELDS.map((f) => (
                <th key={f} scope="col" className="num">
                  {f}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <RingRows rings={state.tx} kind="Tx" highlight={highlight} />
            <RingRows rings={state.rx.filter((r) => r.size > 0)} kind="Rx" highlight={highlight} />
          </tbody>
        </table>
      </div>
      <p className="muted small">
        nextToUse and nextToClean count descriptors since start; tail and head are ring indices. The head is
        read from the device on each watchdog pass.
      </p>
    </div>
  );
}
