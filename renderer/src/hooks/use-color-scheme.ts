/** The theme in force (the OS's, or Settings' <html data-theme>), for canvases that need colours. */
import { useEffect, useState } from 'react';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

function current(): 'light' | 'dark' {
  const forced = document.documentElement.dataset.theme;
  if (forced === 'light' || forced === 'dark') return forced;
  return query().matches ? 'dark' : 'light';
}

export function useColorScheme(): 'light' | 'dark' {
  const [scheme, setScheme] = useState(current);
  useEffect(() => {
    const q = query();
    const update = () => setScheme(current());
    q.addEventListener('change', update);
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      q.removeEventListener('change', update);
      observer.disconnect();
    };
  }, []);
  return scheme;
}

/** A CSS variable's value now (e.g. "--lane-high"). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
