/**
 * Debian's Chromium for Playwright (browsers cannot be downloaded here): its path when
 * installed, or the reason the browser tests skip.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.NETLANES_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const chromiumMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set NETLANES_CHROMIUM)`;
