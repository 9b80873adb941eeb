/**
 * Calls an async function now and every `ms` while the component is shown (and again when
 * `deps` change); keeps the last answer and the last error. `ms` 0: once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { reason } from '../format.ts';

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function usePoll<T>(fn: () => Promise<T>, ms: number, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    let alive = true;
    let busy = false;
    const run = async () => {
      if (busy) return;
      busy = true;
      try {
        const value = await fnRef.current();
        if (alive) {
          setData(value);
          setError(undefined);
        }
      } catch (e) {
        if (alive) setError(reason(e));
      } finally {
        busy = false;
        if (alive) setLoading(false);
      }
    };
    void run();
    const timer = ms > 0 ? setInterval(() => void run(), ms) : undefined;
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [ms, nonce, ...deps]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}
