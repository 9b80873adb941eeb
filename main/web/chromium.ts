/**
 * Debian's Chromium, the browser the page is driven in headless here (Playwright cannot
 * download its own): its path and the flags that keep it quiet and offline.
 */
export const CHROMIUM_PATH = process.env.NETLANES_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
