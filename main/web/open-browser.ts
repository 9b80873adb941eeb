/**
 * Opens a URL in the user's browser where one is registered (`open` on macOS, `start` on
 * Windows, `xdg-open` elsewhere); where none is, says nothing more than the URL already printed.
 */
import { spawn } from 'node:child_process';

export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no opener here: the printed URL is the way in
    child.unref();
  } catch {
    /* no opener */
  }
}
