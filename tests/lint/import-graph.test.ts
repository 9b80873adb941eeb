/**
 * The import graph of the shipped code has no loop, file by file (the floors rule keeps
 * folders acyclic; this also catches loops inside one folder).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['driver-runtime', 'main', 'preload', 'renderer', 'bench'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'node_modules' && name !== 'out' && name !== 'dist') out = out.concat(sourceFiles(full));
    } else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** One cycle as a list of repository-relative files, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 1) return stack.slice(stack.indexOf(next)).concat(next);
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found.map((f) => path.relative(ROOT, f));
  }
  return null;
}

describe('import graph', () => {
  it('has no loop among the shipped source files', () => {
    const graph = new Map<string, string[]>();
    for (const root of SOURCE_ROOTS) {
      for (const file of sourceFiles(path.join(ROOT, root))) {
        const text = readFileSync(file, 'utf8');
        const targets: string[] = [];
        for (const m of text.matchAll(IMPORT)) targets.push(path.resolve(path.dirname(file), m[1]));
        graph.set(file, targets);
      }
    }
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycle(graph)).toBeNull();
  });

  it('the cycle finder finds a planted loop', () => {
    const g = new Map([
      ['/a', ['/b']],
      ['/b', ['/c']],
      ['/c', ['/a']],
    ]);
    expect(findCycle(g)).toEqual(['/a', '/b', '/c', '/a'].map((f) => path.relative(ROOT, f)));
  });
});
