/** The desktop app's Electron-free parts: window placement, the tray and app menus, the icon. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, restoreBounds } from '../../main/desktop/window-state.ts';
import { trayTemplate, trayTooltip, type TrayItem } from '../../main/desktop/tray-menu.ts';
import { menuTemplate, SCREENS } from '../../main/desktop/app-menu.ts';
import { laneIconPng } from '../../main/launch/icon.ts';
import { LANE_RGB } from '../../main/desktop/lane-icon.ts';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1050 };

describe('window placement', () => {
  it('restores a saved place on a display, shrunk to fit it', () => {
    expect(restoreBounds({ x: 100, y: 80, width: 1400, height: 900, maximized: false }, [SCREEN])).toEqual({
      x: 100,
      y: 80,
      width: 1400,
      height: 900,
      maximized: false,
    });
    expect(
      restoreBounds({ x: 10, y: 10, width: 4000, height: 3000, maximized: true }, [SCREEN]),
    ).toMatchObject({
      width: 1920,
      height: 1050,
      maximized: true,
    });
  });

  it('a place on a display that went away opens at the default size instead', () => {
    const gone = { x: 2500, y: 100, width: 1200, height: 800, maximized: false };
    expect(restoreBounds(gone, [SCREEN])).toEqual({ ...DEFAULT_SIZE, maximized: false });
    expect(restoreBounds(gone, [SCREEN, { x: 1920, y: 0, width: 2560, height: 1400 }])).toMatchObject({
      x: 2500,
    });
    expect(restoreBounds(null, [SCREEN])).toEqual({ ...DEFAULT_SIZE, maximized: false });
    // A title bar above the display's top would be unreachable.
    expect(
      restoreBounds({ x: 100, y: -50, width: 1200, height: 800, maximized: false }, [SCREEN]).x,
    ).toBeUndefined();
    expect(
      restoreBounds({ x: 100, y: 100, width: 500, height: 400, maximized: false }, [SCREEN]),
    ).toMatchObject({
      ...MIN_SIZE,
    });
  });
});

describe('the tray menu', () => {
  const calls: string[] = [];
  const actions = {
    openWindow: () => calls.push('open'),
    switchProfile: (n: string) => calls.push(`switch ${n}`),
    setPaused: (p: boolean) => calls.push(`paused ${p}`),
    quit: () => calls.push('quit'),
  };
  const state = {
    profiles: [
      { name: 'Work', active: false },
      { name: 'Calls', active: true },
    ],
    paused: false,
    topApps: [
      { name: 'Time Machine', bitsPerSecond: 912e6, queue: 0 },
      { name: 'FaceTime', bitsPerSecond: 2.5e6, queue: 3 },
      { name: 'Safari', bitsPerSecond: 48e3, queue: 1 },
      { name: 'Slack', bitsPerSecond: 10e3, queue: 1 },
    ],
    storeAvailable: true,
  };
  const labels = (items: TrayItem[]) => items.map((i) => i.label ?? '—');

  it('shows the active profile with a switch, pause, the top three apps with their lane, open and quit', () => {
    const items = trayTemplate(state, actions);
    expect(labels(items)).toEqual([
      'Open NetLanes',
      '—',
      'Profile: Calls',
      'Pause all rules',
      '—',
      'Time Machine — 912.0 Mb/s · Low',
      'FaceTime — 2.5 Mb/s · Highest',
      'Safari — 48 kb/s · Normal',
      '—',
      'Quit NetLanes',
    ]);
    items[2].submenu?.[0].click?.();
    items[3].click?.();
    items[0].click?.();
    expect(calls).toEqual(['switch Work', 'paused true', 'open']);
    expect(trayTooltip(state)).toBe('NetLanes — Time Machine 912.0 Mb/s');
  });

  it('without a database the profile and pause items are disabled; without traffic it says so', () => {
    const items = trayTemplate({ ...state, storeAvailable: false, profiles: [], topApps: [] }, actions);
    expect(items[2].enabled).toBe(false);
    expect(items[3].enabled).toBe(false);
    expect(items[5]).toEqual({ label: 'No traffic yet', enabled: false });
  });
});

describe('the app menu', () => {
  it('has the six screens on Cmd/Ctrl+1…6, handled by the page, and the usual roles', () => {
    const mac = menuTemplate('darwin', { importRules: () => {}, exportRules: () => {} });
    expect(mac[0].label).toBe('NetLanes');
    const view = mac.find((m) => m.label === 'View');
    const screens = view?.submenu?.filter((i) => i.accelerator?.match(/^CmdOrCtrl\+\d$/)) ?? [];
    expect(screens.map((i) => [i.label, i.accelerator, i.registerAccelerator])).toEqual(
      SCREENS.map((s, i) => [s, `CmdOrCtrl+${i + 1}`, false]),
    );
    const linux = menuTemplate('linux', { importRules: () => {}, exportRules: () => {} });
    expect(linux[0].label).toBe('File');
    expect(linux.map((m) => m.role ?? m.label)).toEqual(['File', 'editMenu', 'View', 'windowMenu']);
  });
});

describe('the app icon', () => {
  it('is a valid PNG whose CRCs check and whose bars carry the lane colours, Highest first', () => {
    const png = laneIconPng(64);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    let offset = 8;
    const chunks: { type: string; data: Buffer }[] = [];
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const type = png.subarray(offset + 4, offset + 8).toString('ascii');
      const data = png.subarray(offset + 8, offset + 8 + length);
      chunks.push({ type, data });
      offset += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const raw = inflateSync(chunks[1].data);
    const pixel = (x: number, y: number) => [
      ...raw.subarray(y * (64 * 4 + 1) + 1 + x * 4, y * (64 * 4 + 1) + 1 + x * 4 + 3),
    ];
    expect(pixel(20, 10)).toEqual([...LANE_RGB[0]]);
    expect(pixel(20, 52)).toEqual([...LANE_RGB[3]]);
    expect(pixel(0, 0)).toEqual([0, 0, 0]); // transparent corner
  });
});
