/**
 * Who may talk to the broker over Electron IPC: the app's own page in its top frame, nothing
 * else — not an iframe, not a page navigated elsewhere. Every frame can send IPC, so every
 * message is checked (Electron's security checklist, item 17), with a real URL parser.
 */

/** The parts of Electron's WebFrameMain the check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** The origin the app's page is served from in a built app (protocol.handle). */
export const APP_ORIGIN = 'app://netlanes';

export function isTrustedSender(
  frame: FrameLike | null | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // app:// is a standard scheme here, so its origin is "app://netlanes" like http's.
  const origin = url.protocol === 'app:' ? `app://${url.host}` : url.origin;
  return allowedOrigins.includes(origin);
}
