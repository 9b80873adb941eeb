/**
 * What the driver reports about the card and itself, field by field at its offsets: GetInfo,
 * GetTxPolicy, and GetStats counters with their rates. (The MMIO register file itself is the
 * driver's; a client sees it through these calls.)
 */
import { useRef } from 'react';
import {
  DRIVER_INFO,
  INFO_DEVICE_REMOVED,
  INFO_ENABLED,
  INFO_LINK_UP,
  STATS_SNAPSHOT,
  TX_MODES,
  TX_POLICY,
  type StatsSnapshot,
} from '../../../../driver-runtime/abi/netlanes-abi.ts';
import { count, mac, rate } from '../../format.ts';
import { usePoll } from '../../hooks/use-poll.ts';
import { useSession, useSnapshot } from '../../hooks/use-session.ts';
import { StructTable } from '../../components/struct-table.tsx';

export const MODE_NAMES: Record<string, string> = {
  fifo: 'FIFO: one queue, arrival order',
  sp: 'strict priority',
  drr: 'deficit round robin',
  'sp-drr': 'strict priority over DRR',
};

function flagNames(v: number): string {
  const names = [
    [INFO_ENABLED, 'ENABLED'],
    [INFO_LINK_UP, 'LINK_UP'],
    [INFO_DEVICE_REMOVED, 'DEVICE_REMOVED'],
  ] as const;
  return (
    names
      .filter(([bit]) => v & bit)
      .map(([, n]) => n)
      .join(' | ') || 'none'
  );
}

export function RegistersTab() {
  const session = useSession();
  const { info, boot } = useSnapshot();
  const policy = usePoll(() => session.nl!.txPolicy(), 2000, [boot]);
  const before = useRef<{ at: number; s: StatsSnapshot } | null>(null);
  const rates = useRef(new Map<string, number>());
  const stats = usePoll(
    async () => {
      const s = await session.nl!.stats();
      const now = performance.now();
      const b = before.current;
      if (b && now > b.at)
        for (const k of Object.keys(s) as (keyof StatsSnapshot)[])
          if (typeof s[k] === 'number')
            rates.current.set(k, (((s[k] as number) - (b.s[k] as number)) * 1000) / (now - b.at));
      before.current = { at: now, s };
      return s;
    },
    1000,
    [boot],
  );
  const perSecond = (k: string) => {
    const r = rates.current.get(k);
    return r ? `${count(r)}/s` : '';
  };
  return (
    <div className="registers">
      <div className="registers-col">
        <StructTable
          caption="GetInfo"
          layout={DRIVER_INFO}
          value={info}
          decode={{
            mac: (v: Uint8Array) => mac(v),
            linkBps: (v: number) => rate(v),
            flags: (v: number) => flagNames(v),
            pciVendorId: (v: number) => `vendor ${v.toString(16)}`,
            pciDeviceId: (v: number) => `device ${v.toString(16)}`,
            mtu: (v: number) => `${v} bytes`,
          }}
        />
        <StructTable
          caption="GetTxPolicy"
          layout={TX_POLICY}
          value={policy.data}
          decode={{
            mode: (v: number) => MODE_NAMES[TX_MODES[v]] ?? '?',
            maxBps: (v: number[]) => v.map((x) => (x ? rate(x) : '∞')).join(' · '),
            floors: (v: number[]) => v.map((x) => `${Math.round(x * 100)} %`).join(' · '),
          }}
        />
      </div>
      <div className="registers-col">
        <StructTable
          caption="GetStats"
          layout={STATS_SNAPSHOT}
          value={stats.data}
          decode={Object.fromEntries(
            STATS_SNAPSHOT.fields
              .filter((f) => !('count' in f && f.count))
              .map((f) => [f.name, () => <span className="muted">{perSecond(f.name)}</span>]),
          )}
        />
      </div>
    </div>
  );
}
