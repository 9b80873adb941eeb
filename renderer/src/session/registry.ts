/** The I/O Registry tree as the broker answers `registry()` (ioreg's provider → client tree). */
import { z } from 'zod';

export interface RegNode {
  id: number;
  name: string;
  className: string;
  classes: string[];
  state: string;
  properties: Record<string, string | number | boolean>;
  children: RegNode[];
}

const node: z.ZodType<RegNode> = z.lazy(() =>
  z.object({
    id: z.number(),
    name: z.string(),
    className: z.string(),
    classes: z.array(z.string()),
    state: z.string(),
    properties: z.record(z.union([z.string(), z.number(), z.boolean()])),
    children: z.array(node),
  }),
);

export const registrySchema = z.array(node);

/** Every node with its depth, parents first. */
export function flatten(
  nodes: RegNode[],
  open: ReadonlySet<number> | null,
  depth = 1,
  parent: number | null = null,
) {
  const out: { node: RegNode; depth: number; parent: number | null }[] = [];
  for (const n of nodes) {
    out.push({ node: n, depth, parent });
    if (open === null || open.has(n.id)) out.push(...flatten(n.children, open, depth + 1, n.id));
  }
  return out;
}

/** The first node whose name, class or class chain matches `object` ("NetLanesDriver", "TxRing[2]"…). */
export function findNode(nodes: RegNode[], object: string): RegNode | undefined {
  const base = object.replace(/\[.*$/, '');
  const all = flatten(nodes, null).map((f) => f.node);
  return all.find((n) => n.name === object) ?? all.find((n) => n.name === base || n.classes.includes(base));
}
