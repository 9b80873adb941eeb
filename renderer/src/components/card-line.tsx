/** The card in one line: model · MAC · link speed and duplex · MTU · driver state with a dot. */
import { INFO_DEVICE_REMOVED, INFO_ENABLED, INFO_LINK_UP } from '../../../driver-runtime/abi/netlanes-abi.ts';
import { mac } from '../format.ts';
import { useSnapshot } from '../hooks/use-session.ts';
import type { Snapshot } from '../session/session.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'busy';

export function driverState(s: Snapshot): { text: string; tone: Tone } {
  switch (s.phase) {
    case 'connecting':
      return { text: 'Connecting…', tone: 'busy' };
    case 'restarting':
      return { text: 'Driver restarting', tone: 'warn' };
    case 'lost':
      return { text: 'Disconnected', tone: 'bad' };
    case 'failed':
      return { text: 'Not connected', tone: 'bad' };
  }
  const flags = s.info?.flags ?? 0;
  if (flags & INFO_DEVICE_REMOVED) return { text: 'Device removed', tone: 'bad' };
  if (!(flags & INFO_ENABLED)) return { text: 'Interface disabled', tone: 'warn' };
  if (!(flags & INFO_LINK_UP)) return { text: 'No link', tone: 'warn' };
  return { text: 'Driver running', tone: 'ok' };
}

/** 1 Gb/s, 2.5 Gb/s, 10 Gb/s, 100 Mb/s. */
export function linkSpeed(bps: number): string {
  return bps >= 1e9 ? `${+(bps / 1e9).toFixed(1)} Gb/s` : `${+(bps / 1e6).toFixed(0)} Mb/s`;
}

export function CardLine() {
  const s = useSnapshot();
  const info = s.info;
  const state = driverState(s);
  const linkUp = info !== undefined && (info.flags & INFO_LINK_UP) !== 0;
  return (
    <header className="card-line" aria-label="Network card">
      <span className={`dot dot-${state.tone}`} aria-hidden="true" />
      {info ? (
        <span className="card-facts">
          <strong>{info.model}</strong>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span className="mono">{mac(info.mac)}</span>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span>{linkUp ? `${linkSpeed(info.linkBps)} full duplex` : 'no link'}</span>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span>MTU {info.mtu}</span>
          <span className="sep" aria-hidden="true">
            ·
          </span>
          <span className={`state state-${state.tone}`}>{state.text}</span>
        </span>
      ) : (
        <span className="card-facts">
          {s.phase === 'failed' ? <span>Cannot reach NetLanes</span> : <span>Connecting to the driver…</span>}
        </span>
      )}
      {info && (
        <span className="card-aside muted">
          driver {info.driverVersion} · PCI {info.pciVendorId.toString(16)}:{info.pciDeviceId.toString(16)}
        </span>
      )}
    </header>
  );
}
