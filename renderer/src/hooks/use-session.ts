/** The session, to every component: its snapshot (re-rendering on change) and its actions. */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Session, Snapshot } from '../session/session.ts';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside <SessionContext.Provider>');
  return s;
}

export function useSnapshot(): Snapshot {
  const s = useSession();
  return useSyncExternalStore(s.subscribe, s.getSnapshot);
}
