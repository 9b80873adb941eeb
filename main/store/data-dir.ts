/**
 * Where the database lives: the OS's per-user app data folder, the one Electron's
 * `app.getPath('userData')` names (macOS ~/Library/Application Support/NetLanes, Windows
 * %APPDATA%\NetLanes, Linux $XDG_CONFIG_HOME/NetLanes or ~/.config/NetLanes), so Electron and
 * web mode share one database. NETLANES_DATA_DIR moves it (tests); NETLANES_DB names the file.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const APP_FOLDER_NAME = 'NetLanes';
export const DATABASE_FILE = 'netlanes.db';

/** The per-user app data folder of this OS (Electron's `appData`), without our folder. */
export function osAppDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support');
  if (platform === 'win32') return env.APPDATA ?? path.join(homedir(), 'AppData', 'Roaming');
  return env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config');
}

/** Our folder: NETLANES_DATA_DIR, else what Electron gave (`userData`), else the OS's own. */
export function dataDir(userData?: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.NETLANES_DATA_DIR ?? userData ?? path.join(osAppDataDir(env), APP_FOLDER_NAME);
}

export function databasePath(userData?: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.NETLANES_DB ?? path.join(dataDir(userData, env), DATABASE_FILE);
}
