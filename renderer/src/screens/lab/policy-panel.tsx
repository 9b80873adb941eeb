/**
 * The scheduler policy (SetTxPolicy, applied without a reset): the arbiter's mode and, per
 * lane, the DRR quantum, a guaranteed floor, a maximum rate and 802.1p marking.
 */
import { useEffect, useState } from 'react';
import { TX_MODES, type TxPolicyRecord } from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { LANES } from '../../lanes.ts';
import { reason } from '../../format.ts';
import { usePoll } from '../../hooks/use-poll.ts';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { returnName } from '../../io-return-names.ts';
import { LaneChip } from '../../components/lane-chip.tsx';

const MODES: Record<(typeof TX_MODES)[number], { name: string; what: string }> = {
  fifo: { name: 'One FIFO', what: 'All lanes share one queue in arrival order: the baseline.' },
  sp: { name: 'Strict priority', what: 'A higher lane always goes first. The default.' },
  drr: { name: 'Round robin', what: 'Lanes take turns by their quanta (deficit round robin).' },
  'sp-drr': { name: 'Strict over round robin', what: 'Highest first, the rest take turns.' },
};

export function PolicyPanel() {
  const session = useSession();
  const { boot } = useSnapshot();
  const current = usePoll(() => session.nl!.txPolicy(), 0, [boot]);
  const [draft, setDraft] = useState<TxPolicyRecord | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  useEffect(() => {
    if (current.data) setDraft(current.data);
  }, [current.data]);
  if (!draft) return <section className="panel">Reading the policy…</section>;
  const setQ = (key: 'quanta' | 'floors' | 'maxBps' | 'pcp', q: number, v: number) =>
    setDraft({ ...draft, [key]: draft[key].map((x, i) => (i === q ? v : x)) });
  const apply = async () => {
    try {
      const ret = await session.nl!.setTxPolicy(draft);
      if (ret === 0) {
        setMessage({ tone: 'ok', text: `Applied: ${MODES[TX_MODES[draft.mode]].name}.` });
        session.note('you', 'scheduler policy', `${MODES[TX_MODES[draft.mode]].name} applied`);
        current.reload();
      } else
        setMessage({
          tone: 'bad',
          text: `The driver refused the policy (${returnName(ret)}). Nothing was changed.`,
        });
    } catch (e) {
      setMessage({ tone: 'bad', text: `The driver refused the policy: ${reason(e)}. Nothing was changed.` });
    }
  };
  const dirty = JSON.stringify(draft) !== JSON.stringify(current.data);
  return (
    <section className="panel" aria-labelledby="policy-title">
      <div className="panel-head">
        <h2 id="policy-title">Scheduler policy</h2>
        <span className="muted">
          How the NIC's Tx arbiter serves the four lanes. Applied at once, without a reset.
        </span>
      </div>
      <div className="mode-cards" role="radiogroup" aria-label="Arbiter mode">
        {TX_MODES.map((m, i) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={draft.mode === i}
            className="mode-card"
            onClick={() => setDraft({ ...draft, mode: i })}
          >
            <span className="mode-name">{MODES[m].name}</span>
            <span className="muted">{MODES[m].what}</span>
          </button>
        ))}
      </div>
      <table className="table dense policy-table">
        <caption className="visually-hidden">Per-lane settings</caption>
        <thead>
          <tr>
            <th scope="col">Lane</th>
            <th scope="col">Quantum (bytes)</th>
            <th scope="col">Floor (% of link)</th>
            <th scope="col">Max rate (Mb/s, 0 = none)</th>
            <th scope="col">802.1p mark</th>
          </tr>
        </thead>
        <tbody>
          {LANES.map((l) => (
            <tr key={l.queue}>
              <th scope="row">
                <LaneChip queue={l.queue} />
              </th>
              <td>
                <input
                  className="input num-input"
                  type="number"
                  min={0}
                  step={1}
                  value={draft.quanta[l.queue]}
                  aria-label={`${l.name} quantum`}
                  onChange={(e) => setQ('quanta', l.queue, Number(e.target.value))}
                />
              </td>
              <td>
                <input
                  className="input num-input"
                  type="number"
                  min={0}
                  max={100}
                  step={1}
                  value={Math.round(draft.floors[l.queue] * 100)}
                  aria-label={`${l.name} floor`}
                  onChange={(e) => setQ('floors', l.queue, Number(e.target.value) / 100)}
                />
              </td>
              <td>
                <input
                  className="input num-input"
                  type="number"
                  min={0}
                  step={1}
                  value={draft.maxBps[l.queue] / 1e6}
                  aria-label={`${l.name} maximum rate`}
                  onChange={(e) => setQ('maxBps', l.queue, Number(e.target.value) * 1e6)}
                />
              </td>
              <td>
                <select
                  className="select"
                  value={draft.pcp[l.queue]}
                  aria-label={`${l.name} 802.1p priority`}
                  onChange={(e) => setQ('pcp', l.queue, Number(e.target.value))}
                >
                  <option value={-1}>none</option>
                  {[0, 1, 2, 3, 4, 5, 6, 7].map((p) => (
                    <option key={p} value={p}>
                      PCP {p}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="panel-foot">
        {message && (
          <span
            className={message.tone === 'ok' ? 'ok-text' : 'bad-text'}
            role={message.tone === 'bad' ? 'alert' : 'status'}
          >
            {message.text}
          </span>
        )}
        <span className="spacer" />
        <button
          type="button"
          className="btn"
          disabled={!dirty}
          onClick={() => current.data && setDraft(current.data)}
        >
          Revert
        </button>
        <button type="button" className="btn btn-primary" disabled={!dirty} onClick={() => void apply()}>
          Apply policy
        </button>
      </div>
    </section>
  );
}
