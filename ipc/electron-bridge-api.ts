/**
 * What the preload puts in the page (`window.netlanes`) and the channel names it uses: the one
 * contract between preload, main and renderer in Electron. Requests go up as msgpack frames on
 * MESSAGE (main checks the sender frame of each); answers, events and mapping updates come down
 * the MessagePort main hands over on PORT, which the preload passes to the page with
 * `window.postMessage` — a context-isolated page cannot receive it any other way.
 */
export const CONNECT_CHANNEL = 'netlanes:connect';
export const MESSAGE_CHANNEL = 'netlanes:message';
export const PORT_CHANNEL = 'netlanes:port';
/** The `type` of the window message that carries the port into the page. */
export const PORT_WINDOW_MESSAGE = 'netlanes:port';
/** A nonce the page chooses, so it takes only the port it asked for. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface NetLanesBridge {
  /** Asks main for a connection; its port arrives as a window message with this nonce. */
  connect(nonce: string): void;
  /** One request frame (msgpack bytes). */
  send(frame: Uint8Array): void;
}
