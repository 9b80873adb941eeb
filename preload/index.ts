/**
 * The preload: the page's only way to main. It exposes two functions through contextBridge —
 * ask for a connection, send a request frame — and hands the MessagePort main answers with to
 * the page by `window.postMessage`. No ipcRenderer object, event or callback crosses the bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  CONNECT_CHANNEL,
  MESSAGE_CHANNEL,
  NONCE_PATTERN,
  PORT_CHANNEL,
  PORT_WINDOW_MESSAGE,
  type NetLanesBridge,
} from '../ipc/electron-bridge-api.ts';

const bridge: NetLanesBridge = {
  connect(nonce) {
    if (typeof nonce === 'string' && NONCE_PATTERN.test(nonce)) ipcRenderer.send(CONNECT_CHANNEL, nonce);
  },
  send(frame) {
    if (frame instanceof Uint8Array) ipcRenderer.send(MESSAGE_CHANNEL, frame);
  },
};

ipcRenderer.on(PORT_CHANNEL, (event, nonce: unknown) => {
  if (typeof nonce !== 'string' || event.ports.length !== 1) return;
  window.postMessage({ type: PORT_WINDOW_MESSAGE, nonce }, '*', event.ports);
});

contextBridge.exposeInMainWorld('netlanes', bridge);
