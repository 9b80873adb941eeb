/**
 * IOConnectMapMemory64 for as long as a component shows it: the replica of a memory type and
 * a copy of its bytes at most `hz` times a second (the broker updates it once a frame). A
 * new dext boot maps again.
 */
import { useEffect, useState } from 'react';
import type { MappedMemory } from '../../../ipc/replica.ts';
import { reason } from '../format.ts';
import { useSession, useSnapshot } from './use-session.ts';

export interface MappingView {
  bytes: Uint8Array | null;
  /** The copy before this one (what changed flashes in the hex view). */
  previous: Uint8Array | null;
  generation: number;
  length: number;
  readOnly: boolean;
  error?: string;
}

export function useMapping(memoryType: number, hz = 4): MappingView {
  const session = useSession();
  const { boot, phase } = useSnapshot();
  const [view, setView] = useState<MappingView>({
    bytes: null,
    previous: null,
    generation: 0,
    length: 0,
    readOnly: true,
  });
  useEffect(() => {
    const nl = session.nl;
    if (nl === null || phase !== 'live') return;
    let memory: MappedMemory | null = null;
    let alive = true;
    setView({ bytes: null, previous: null, generation: 0, length: 0, readOnly: true });
    let timer: ReturnType<typeof setInterval> | undefined;
    nl.map(memoryType)
      .then((m) => {
        if (!alive) {
          void nl.unmap(memoryType).catch(() => undefined);
          return;
        }
        memory = m;
        let seen = -1;
        const copy = () => {
          if (!m.isAttached || m.generation === seen) return;
          seen = m.generation;
          const bytes = m.bytes.slice();
          setView((v) => ({
            bytes,
            previous: v.bytes,
            generation: m.generation,
            length: m.length,
            readOnly: m.readOnly,
          }));
        };
        copy();
        timer = setInterval(copy, 1000 / hz);
      })
      .catch((e: unknown) => alive && setView((v) => ({ ...v, error: reason(e) })));
    return () => {
      alive = false;
      clearInterval(timer);
      if (memory !== null) void nl.unmap(memoryType).catch(() => undefined);
    };
    // Map again for each boot of the dext (its old mappings are gone).
  }, [session, memoryType, hz, boot, phase === 'live']);
  return view;
}
