/** A short-lived message at the bottom with an optional action (Undo, for ten seconds). */
import { useEffect, useState } from 'react';

export interface ToastSpec {
  id: number;
  text: string;
  tone?: 'info' | 'error';
  action?: { label: string; run: () => void };
  /** How long it stays, ms. */
  ms?: number;
}

export function Toast({ toast, onDone }: { toast: ToastSpec | null; onDone: () => void }) {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (toast === null) return;
    const ms = toast.ms ?? 10_000;
    const end = Date.now() + ms;
    setLeft(Math.ceil(ms / 1000));
    const t = setInterval(() => {
      const s = Math.ceil((end - Date.now()) / 1000);
      if (s <= 0) onDone();
      else setLeft(s);
    }, 250);
    return () => clearInterval(t);
  }, [toast, onDone]);
  if (toast === null) return null;
  return (
    <div className={`toast toast-${toast.tone ?? 'info'}`} role={toast.tone === 'error' ? 'alert' : 'status'}>
      <span>{toast.text}</span>
      {toast.action && (
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => {
            toast.action!.run();
            onDone();
          }}
        >
          {toast.action.label} <span className="muted">({left} s)</span>
        </button>
      )}
      <button type="button" className="icon-btn" aria-label="Dismiss" onClick={onDone}>
        ×
      </button>
    </div>
  );
}
