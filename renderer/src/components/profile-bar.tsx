/**
 * The rules' tools above the Applications table: the active profile (switch in one step),
 * pause all rules, and import / export of the rules file. A refused import lists its problems
 * and changes nothing.
 */
import { useRef, useState } from 'react';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { reason } from '../format.ts';
import { download } from '../download.ts';

export function ProfileBar() {
  const session = useSession();
  const { store } = useSnapshot();
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (store.status?.available !== true || store.profiles === null) return null;
  const { profiles, paused } = store.profiles;
  const active = profiles.find((p) => p.active)?.name ?? '';

  const act = async (what: () => Promise<unknown>, success?: string) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      await what();
      if (success) setDone(success);
    } catch (e) {
      setProblem(reason(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="profile-bar">
      <label className="field-inline">
        <span>Profile</span>
        <select
          value={active}
          disabled={busy}
          onChange={(e) => void act(() => session.change('switchProfile', { name: e.target.value }))}
        >
          {profiles.map((p) => (
            <option key={p.id} value={p.name}>
              {p.name} ({p.ruleCount} {p.ruleCount === 1 ? 'rule' : 'rules'})
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline toggle">
        <input
          type="checkbox"
          checked={paused}
          disabled={busy}
          onChange={(e) => void act(() => session.change('pause', { paused: e.target.checked }))}
        />
        <span>Pause all rules</span>
      </label>
      <span className="spacer" />
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => file.current?.click()}>
        Import rules…
      </button>
      <input
        ref={file}
        type="file"
        accept="application/json,.json"
        className="visually-hidden"
        aria-label="Rules file to import"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f)
            void act(async () => {
              const r = (await session.change('importRules', { document: await f.text() })) as {
                rules: number;
                profiles: number;
              };
              setDone(`Imported ${r.rules} rules in ${r.profiles} profiles.`);
            });
        }}
      />
      <button
        type="button"
        className="btn btn-small"
        disabled={busy}
        onClick={() =>
          void act(async () =>
            download(
              'netlanes-rules.json',
              JSON.stringify(await session.request('exportRules'), null, 2),
              'application/json',
            ),
          )
        }
      >
        Export rules
      </button>
      <button
        type="button"
        className="btn btn-small btn-quiet"
        disabled={busy || (profiles.find((p) => p.active)?.ruleCount ?? 0) === 0}
        onClick={() => {
          if (window.confirm(`Remove every rule of “${active}”? Apps go back to their service class's lane.`))
            void act(
              () => session.change('setRules', { version: 1, rules: [] }),
              `The rules of “${active}” were reset.`,
            );
        }}
      >
        Reset rules
      </button>
      {paused && (
        <p className="banner banner-warn wide" role="status">
          All rules are paused: every app takes its service class's lane until you resume.
        </p>
      )}
      {problem && (
        <div className="banner banner-bad wide" role="alert">
          <pre className="problem-text">{problem}</pre>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setProblem(null)}>
            ×
          </button>
        </div>
      )}
      {done && (
        <p className="banner banner-good wide" role="status">
          {done}
        </p>
      )}
      <span className="visually-hidden" aria-live="polite">
        {`Active profile ${active}`}
      </span>
    </div>
  );
}
