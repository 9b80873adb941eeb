/**
 * File › Import Rules… and Export Rules…: the OS's file dialogs around the store's import and
 * export. A refused file is shown with every problem; nothing changes.
 */
import { BrowserWindow, dialog } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import type { Store } from '../store/store.ts';

const FILTERS = [{ name: 'NetLanes rules', extensions: ['json'] }];

export async function importRulesFile(store: Store | null, window: BrowserWindow | null): Promise<void> {
  if (store === null)
    return void dialog.showErrorBox('NetLanes', 'The database is not available: rules cannot be imported.');
  const options = { title: 'Import Rules', filters: FILTERS, properties: ['openFile' as const] };
  const chosen = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  const file = chosen.filePaths[0];
  if (chosen.canceled || file === undefined) return;
  try {
    const result = await store.rules.importDocument(await readFile(file, 'utf8'));
    await dialog.showMessageBox({
      type: 'info',
      message: `Imported ${result.rules} rules in ${result.profiles} profiles.`,
      detail: `Active profile: ${result.active}`,
    });
  } catch (e) {
    await dialog.showMessageBox({
      type: 'error',
      message: 'The rules file was refused; nothing changed.',
      detail: e instanceof Error ? e.message : String(e),
    });
  }
}

export async function exportRulesFile(store: Store | null, window: BrowserWindow | null): Promise<void> {
  if (store === null)
    return void dialog.showErrorBox('NetLanes', 'The database is not available: rules cannot be exported.');
  const options = { title: 'Export Rules', filters: FILTERS, defaultPath: 'netlanes-rules.json' };
  const chosen = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (chosen.canceled || chosen.filePath === undefined) return;
  try {
    await writeFile(chosen.filePath, JSON.stringify(store.rules.exportDocument(), null, 2));
  } catch (e) {
    dialog.showErrorBox(
      'NetLanes',
      `The rules could not be written: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
