/**
 * Settings: history retention, the database (where, how big, what happened to it), the theme,
 * profiles and data budgets.
 */
import { useEffect, useState } from 'react';
import { useSession, useSnapshot } from '../hooks/use-session.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { bytes, reason } from '../format.ts';
import { settingsSchema, type Retention } from '../session/store-data.ts';
import { applyTheme, savedTheme, type ThemeChoice } from '../theme.ts';
import { ProfilesPanel } from './settings/profiles-panel.tsx';
import { BudgetsPanel } from './settings/budgets-panel.tsx';
import { NumberField } from '../components/number-field.tsx';

const HOUR = 3600;
const DAY = 86_400;

function RetentionForm({ value, onSave }: { value: Retention; onSave: (r: Retention) => Promise<void> }) {
  const [seconds, setSeconds] = useState(String(value.seconds / HOUR));
  const [minutes, setMinutes] = useState(String(value.minutes / DAY));
  const [hours, setHours] = useState(String(value.hours / DAY));
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    setSeconds(String(value.seconds / HOUR));
    setMinutes(String(value.minutes / DAY));
    setHours(String(value.hours / DAY));
  }, [value.seconds, value.minutes, value.hours]);
  return (
    <form
      className="retention-form"
      onSubmit={(e) => {
        e.preventDefault();
        setNote(null);
        onSave({
          seconds: Math.round(Number(seconds) * HOUR),
          minutes: Math.round(Number(minutes) * DAY),
          hours: Math.round(Number(hours) * DAY),
        })
          .then(() => setNote({ ok: true, text: 'Saved. Older rows are pruned a little at a time.' }))
          .catch((err: unknown) => setNote({ ok: false, text: reason(err) }));
      }}
    >
      <NumberField label="Every second, for (hours)" min="0.05" value={seconds} onChange={setSeconds} />
      <NumberField label="Every minute, for (days)" min="0.1" value={minutes} onChange={setMinutes} />
      <NumberField label="Every hour, for (days)" min="2" value={hours} onChange={setHours} />
      <button type="submit" className="btn btn-primary">
        Save retention
      </button>
      {note && (
        <p className={`banner ${note.ok ? 'banner-info' : 'banner-bad'}`} role={note.ok ? 'status' : 'alert'}>
          {note.text}
        </p>
      )}
    </form>
  );
}

export function Settings() {
  const session = useSession();
  const { store, boot } = useSnapshot();
  const available = store.status?.available === true;
  const settings = usePoll(
    async () => settingsSchema.parse(await session.request('settings')),
    available ? 10_000 : 0,
    [boot, available],
  );
  const [theme, setTheme] = useState<ThemeChoice>(savedTheme);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <h1 id="screen-title">Settings</h1>
      </div>
      <div className="settings-grid">
        <section className="panel" aria-labelledby="theme-title">
          <div className="panel-head">
            <h2 id="theme-title">Appearance</h2>
          </div>
          <div role="radiogroup" aria-label="Theme" className="segmented">
            {(['system', 'light', 'dark'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="radio"
                aria-checked={theme === t}
                className="seg"
                onClick={() => {
                  applyTheme(t);
                  setTheme(t);
                }}
              >
                {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
              </button>
            ))}
          </div>
        </section>
        {!available ? (
          <EmptyState tone="error" title="The database is not available">
            <p>
              {store.status?.error ?? 'NetLanes runs on the driver’s current rules; nothing is recorded.'}
            </p>
          </EmptyState>
        ) : (
          <>
            <section className="panel" aria-labelledby="db-title">
              <div className="panel-head">
                <h2 id="db-title">Database</h2>
              </div>
              {settings.data ? (
                <>
                  <dl className="facts">
                    <dt>File</dt>
                    <dd className="mono">{settings.data.database.file}</dd>
                    <dt>Size</dt>
                    <dd>{bytes(settings.data.database.bytes)}</dd>
                    <dt>Schema</dt>
                    <dd>version {settings.data.database.schemaVersion}</dd>
                  </dl>
                  {settings.data.database.notices.map((n) => (
                    <p key={n} className="banner banner-warn" role="status">
                      {n}
                    </p>
                  ))}
                  <h3 className="section-title">Traffic history kept</h3>
                  <RetentionForm
                    value={settings.data.retention}
                    onSave={async (r) => {
                      await session.request('setRetention', r);
                      settings.reload();
                    }}
                  />
                </>
              ) : (
                <p className="muted">{settings.error ?? 'Reading…'}</p>
              )}
            </section>
            <ProfilesPanel />
            <BudgetsPanel />
          </>
        )}
      </div>
    </section>
  );
}
