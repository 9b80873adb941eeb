/**
 * The native menu, with the shortcuts people expect: the app menu on macOS, File (import and
 * export rules, close), Edit and Window roles, View with the six screens on Cmd/Ctrl+1…6. The
 * screen shortcuts are shown here but handled by the page itself (so web mode has them too):
 * `registerAccelerator: false` lets the key reach it.
 */
export interface MenuItem {
  label?: string;
  role?: string;
  type?: 'separator' | 'submenu';
  accelerator?: string;
  registerAccelerator?: boolean;
  click?: () => void;
  submenu?: MenuItem[];
}

export const SCREENS = ['Overview', 'Applications', 'History', 'Driver', 'Lab', 'Settings'] as const;

export interface MenuActions {
  importRules(): void;
  exportRules(): void;
}

export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions): MenuItem[] {
  const mac = platform === 'darwin';
  return [
    ...(mac
      ? [
          {
            label: 'NetLanes',
            submenu: [
              { role: 'about' },
              { type: 'separator' as const },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' as const },
              { role: 'quit' },
            ],
          },
        ]
      : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import Rules…', accelerator: 'CmdOrCtrl+O', click: actions.importRules },
        { label: 'Export Rules…', accelerator: 'CmdOrCtrl+S', click: actions.exportRules },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...SCREENS.map((label, i) => ({
          label,
          accelerator: `CmdOrCtrl+${i + 1}`,
          registerAccelerator: false,
        })),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
