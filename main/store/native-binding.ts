/**
 * better-sqlite3 is a native addon built for one ABI. `npm install` builds it for Node (tests,
 * web mode); Electron's main process needs a build for Electron's ABI, which
 * `npm run rebuild:electron-sqlite` makes into its own folder (`native/electron-<abi>/`) so the
 * Node build in node_modules is never replaced. The database opens with the binding that matches
 * the runtime it runs in.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const NATIVE_DIR = 'native';
export const ADDON_FILE = 'better_sqlite3.node';

/** The folder of the Electron build for this ABI (`process.versions.modules`). */
export function electronBindingPath(root: string, modulesAbi: string): string {
  return path.join(root, NATIVE_DIR, `electron-${modulesAbi}`, ADDON_FILE);
}

export interface RuntimeVersions {
  electron?: string;
  modules: string;
}

/**
 * The `nativeBinding` option for better-sqlite3: undefined under Node (its own build), the
 * Electron build under Electron — or an error naming the command that makes it.
 */
export function nativeBindingFor(
  root: string,
  versions: RuntimeVersions = process.versions,
): string | undefined {
  if (versions.electron === undefined) return undefined;
  const file = electronBindingPath(root, versions.modules);
  if (!existsSync(file))
    throw new Error(
      `better-sqlite3 has no build for Electron ${versions.electron} (ABI ${versions.modules}): ` +
        `run \`npm run rebuild:electron-sqlite\` (it needs Electron's headers), expected ${file}`,
    );
  return file;
}
