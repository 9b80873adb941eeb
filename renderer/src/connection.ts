/**
 * The page's way to NetLanes, the same API in Electron and in a browser: in Electron, the
 * preload's bridge (requests up through IPC, everything else down a MessagePort handed over
 * by window message); in web mode, the WebSocket beside the page, with the per-launch token
 * from the address's fragment.
 */
import { ByteCarrier, type ByteChannel } from '../../ipc/byte-carrier.ts';
import { LoggedIOKitClient, type CallLog } from './session/call-log.ts';
import { PORT_WINDOW_MESSAGE, type NetLanesBridge } from '../../ipc/electron-bridge-api.ts';

declare global {
  interface Window {
    netlanes?: NetLanesBridge;
  }
}

const TOKEN_KEY = 'netlanes.token';

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function electronChannel(bridge: NetLanesBridge): Promise<ByteChannel> {
  const asked = nonce();
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; nonce?: unknown } | null;
      if (event.source !== window || data?.type !== PORT_WINDOW_MESSAGE || data.nonce !== asked) return;
      const port = event.ports[0];
      if (port === undefined) return;
      window.removeEventListener('message', onMessage);
      port.start();
      resolve({
        send: (frame) => bridge.send(frame),
        onFrame: (listener) => port.addEventListener('message', (e) => listener(e.data)),
        onEnd: (listener) => port.addEventListener('close', () => listener()),
        close: () => port.close(),
      });
    };
    window.addEventListener('message', onMessage);
    bridge.connect(asked);
  });
}

/** The token from `#token=…` (kept for reloads, then taken out of the address bar). */
function pageToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) return kept;
  throw new Error('no token: open the address npm run start:web printed (it ends in #token=…)');
}

function socketChannel(): Promise<ByteChannel> {
  const ws = new WebSocket(`ws://${location.host}/netlanes?token=${encodeURIComponent(pageToken())}`);
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    ws.addEventListener('error', () => reject(new Error('cannot reach NetLanes (is it still running?)')), {
      once: true,
    });
    ws.addEventListener(
      'open',
      () =>
        resolve({
          send: (frame) => ws.send(frame),
          onFrame: (listener) => ws.addEventListener('message', (e) => listener(e.data)),
          onEnd: (listener) => ws.addEventListener('close', () => listener()),
          close: (malformed) => ws.close(malformed ? 1003 : 1000),
        }),
      { once: true },
    );
  });
}

/** Connects (Electron bridge or WebSocket); `onEnd` hears when the connection is lost. */
export async function connect(onEnd: () => void, log: CallLog): Promise<LoggedIOKitClient> {
  const channel = window.netlanes ? await electronChannel(window.netlanes) : await socketChannel();
  channel.onEnd(onEnd);
  const client = new LoggedIOKitClient(new ByteCarrier(channel), log);
  await client.hello(window.netlanes ? 'window' : 'browser');
  return client;
}
