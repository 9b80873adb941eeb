/** Profiles: named rule sets ("Work", "Calls", "Gaming"…), one active; create (a copy), use, delete. */
import { useState } from 'react';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { reason } from '../../format.ts';

export function ProfilesPanel() {
  const session = useSession();
  const { store } = useSnapshot();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const profiles = store.profiles?.profiles ?? [];
  const act = (op: string, args: unknown) => {
    setProblem(null);
    void session.change(op, args).catch((e: unknown) => setProblem(reason(e)));
  };
  const active = profiles.find((p) => p.active)?.name;
  return (
    <section className="panel" aria-labelledby="profiles-title">
      <div className="panel-head">
        <h2 id="profiles-title">Profiles</h2>
        <span className="muted">switching is one step: every app's lane follows at once</span>
      </div>
      <ul className="profile-list">
        {profiles.map((p) => (
          <li key={p.id} className={p.active ? 'active' : undefined}>
            <span className="profile-name">{p.name}</span>
            <span className="muted">
              {p.ruleCount} {p.ruleCount === 1 ? 'rule' : 'rules'}
            </span>
            <span className="spacer" />
            {p.active ? (
              <strong className="muted">Active</strong>
            ) : (
              <>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => act('switchProfile', { name: p.name })}
                >
                  Use
                </button>
                <button
                  type="button"
                  className="link-btn"
                  aria-label={`Delete profile ${p.name}`}
                  onClick={() => act('deleteProfile', { name: p.name })}
                >
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          act('createProfile', { name, ...(active ? { copyFrom: active } : {}) });
          setName('');
        }}
      >
        <label className="field grow">
          <span>New profile (a copy of {active ?? 'the active one'})</span>
          <input
            className="input"
            value={name}
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
            placeholder="Calls"
          />
        </label>
        <button type="submit" className="btn" disabled={name.trim() === ''}>
          Create
        </button>
      </form>
      {problem && (
        <p className="banner banner-bad" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
