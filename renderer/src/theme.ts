/** The theme choice (Settings): follow the OS, or force light or dark; kept in this browser. */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'netlanes.theme';

export function savedTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  localStorage.setItem(KEY, choice);
}
