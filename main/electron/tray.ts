/** The tray (menu-bar) item: built from the app's state every few seconds. */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { AppCore } from '../app-core.ts';
import { laneIconBitmap } from '../desktop/lane-icon.ts';
import { trayTemplate, trayTooltip, type TrayActions, type TrayState } from '../desktop/tray-menu.ts';

const ICON_SIZE = 32;
const REFRESH_MS = 3000;

function trayState(core: AppCore): TrayState {
  const store = core.store;
  return {
    profiles: store ? store.rules.profiles().map((p) => ({ name: p.name, active: p.active })) : [],
    paused: store ? store.settings.get('paused') : false,
    topApps: (core.recorder?.latest ?? []).map((a) => ({
      name: a.name,
      bitsPerSecond: a.bytes * 8,
      queue: a.queue,
    })),
    storeAvailable: store !== null,
  };
}

export function startTray(core: AppCore, actions: TrayActions): () => void {
  const icon = nativeImage.createFromBitmap(laneIconBitmap(ICON_SIZE), {
    width: ICON_SIZE,
    height: ICON_SIZE,
  });
  const tray = new Tray(icon.resize({ width: 16, height: 16 }));
  const refresh = () => {
    const state = trayState(core);
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(Menu.buildFromTemplate(trayTemplate(state, actions) as MenuItemConstructorOptions[]));
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    clearInterval(timer);
    tray.destroy();
  };
}
