/** The user-client call log of this window: every IOKit call, its IOReturn and round trip. */
import { useState, useSyncExternalStore } from 'react';
import { returnName } from '../../io-return-names.ts';
import { SELECTOR_NAMES } from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { LAB_SELECTOR_NAMES } from '../../../../driver-runtime/abi/lab-abi.ts';
import { useSession } from '../../hooks/use-session.ts';
import type { CallEntry } from '../../session/call-log.ts';

/** Calls the screens repeat every second or two: hidden unless they fail. */
const POLLING =
  /^(GetInfo|GetStats|GetTxPolicy|GetStatus|Diagnose|GetFlows|request apps|request rules|IORegistry tree)/;
const MEMORY_NAMES = ['Stats', 'RingState', 'Capture', 'Command'];

function describe(
  e: CallEntry,
  driver: number | undefined,
  lab: number | undefined,
): { service: string; call: string } {
  const service =
    e.connection === driver
      ? 'driver'
      : e.connection === lab
        ? 'lab'
        : e.kind === 'app' || e.kind === 'registry'
          ? 'app'
          : `conn ${e.connection}`;
  switch (e.kind) {
    case 'map':
      return { service, call: `IOConnectMapMemory64(${MEMORY_NAMES[e.selector] ?? e.selector})` };
    case 'unmap':
      return { service, call: `IOConnectUnmapMemory64(${MEMORY_NAMES[e.selector] ?? e.selector})` };
    case 'app':
      return { service, call: `request ${e.op}` };
    case 'registry':
      return { service, call: 'IORegistry tree' };
  }
  const names = e.connection === lab ? LAB_SELECTOR_NAMES : SELECTOR_NAMES;
  return {
    service,
    call: `${names[e.selector] ?? `selector ${e.selector}`}${e.kind === 'async' ? ' (async)' : ''}`,
  };
}

export function CallLogTab() {
  const session = useSession();
  const log = session.log;
  useSyncExternalStore(log.subscribe, log.getVersion); // re-render as calls are logged
  const [paused, setPaused] = useState<{ at: number; entries: readonly CallEntry[] } | null>(null);
  const [quiet, setQuiet] = useState(true);
  const polling = (e: CallEntry) =>
    e.ret === 0 && POLLING.test(describe(e, session.nl?.connection, session.lab?.connection).call);
  const entries = (paused?.entries ?? log.all).filter((e) => !quiet || !polling(e));
  const shown = [...entries].reverse().slice(0, 200);
  return (
    <div className="call-log">
      <div className="hex-toolbar">
        <span className="muted">The last {log.all.length} calls this window made</span>
        <span className="spacer" />
        <label className="inline-field">
          <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
          Hide successful polling
        </label>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setPaused(paused ? null : { at: Date.now(), entries: log.all })}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <table className="table dense">
        <caption className="visually-hidden">User-client calls, newest first</caption>
        <colgroup>
          <col className="c-time" />
          <col className="c-service" />
          <col />
          <col className="c-bytes" />
          <col className="c-ret" />
          <col className="c-rt" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">To</th>
            <th scope="col">Call</th>
            <th scope="col" className="num">
              Bytes in/out
            </th>
            <th scope="col">IOReturn</th>
            <th scope="col" className="num">
              Round trip
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => {
            const d = describe(e, session.nl?.connection, session.lab?.connection);
            return (
              <tr key={e.id}>
                <td className="mono muted">
                  {new Date(e.at).toLocaleTimeString('en-GB', { hour12: false })}.
                  {String(e.at % 1000).padStart(3, '0')}
                </td>
                <td>{d.service}</td>
                <td className="mono">{d.call}</td>
                <td className="num mono">{e.inBytes || e.outBytes ? `${e.inBytes}/${e.outBytes}` : ''}</td>
                <td className={`mono ${e.ret === 0 ? 'ok-text' : 'bad-text'}`}>{returnName(e.ret)}</td>
                <td className="num mono">{e.ms.toFixed(1)} ms</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
