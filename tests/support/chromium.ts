/**
 * Debian's Chromium for Playwright (browsers cannot be downloaded here): its path when
 * installed, or the reason the browser tests skip.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../../main/web/chromium.ts';

export { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../main/web/chromium.ts';

export const chromiumMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set NETLANES_CHROMIUM)`;
