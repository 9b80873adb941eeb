/**
 * The I/O Registry as IORegistryExplorer shows it: a tree (WAI-ARIA tree view: ↑↓ move,
 * → opens or goes to the first child, ← closes or goes to the parent, Home/End).
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import { flatten, type RegNode } from '../session/registry.ts';
import { ChevronIcon } from './icons.tsx';

interface Props {
  roots: RegNode[];
  selected: number | null;
  onSelect: (id: number) => void;
}

const STATE_TONE: Record<string, string> = {
  registered: 'ok',
  started: 'ok',
  inactive: 'muted',
  terminated: 'bad',
};

export function RegistryTree({ roots, selected, onSelect }: Props) {
  const [closed, setClosed] = useState<ReadonlySet<number>>(new Set());
  const refs = useRef(new Map<number, HTMLLIElement>());
  const all = flatten(roots, null);
  const open = new Set(all.map((f) => f.node.id).filter((id) => !closed.has(id)));
  const visible = flatten(roots, open);
  const current = visible.findIndex((v) => v.node.id === selected);
  const focusAt = (i: number) => {
    const v = visible[Math.max(0, Math.min(visible.length - 1, i))];
    if (!v) return;
    onSelect(v.node.id);
    refs.current.get(v.node.id)?.focus();
  };
  const setOpen = (id: number, on: boolean) =>
    setClosed((c) => {
      const next = new Set(c);
      if (on) next.delete(id);
      else next.add(id);
      return next;
    });
  const onKeyDown = (e: KeyboardEvent) => {
    const i = Math.max(0, current);
    const v = visible[i];
    if (!v) return;
    const hasKids = v.node.children.length > 0;
    const move: Record<string, number | undefined> = {
      ArrowDown: i + 1,
      ArrowUp: i - 1,
      Home: 0,
      End: visible.length - 1,
    };
    if (move[e.key] !== undefined) focusAt(move[e.key]!);
    else if (e.key === 'ArrowRight' && hasKids) {
      if (open.has(v.node.id)) focusAt(i + 1);
      else setOpen(v.node.id, true);
    } else if (e.key === 'ArrowLeft') {
      if (hasKids && open.has(v.node.id)) setOpen(v.node.id, false);
      else if (v.parent !== null) focusAt(visible.findIndex((x) => x.node.id === v.parent));
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const render = (nodes: RegNode[], depth: number) =>
    nodes.map((n) => {
      const kids = n.children.length > 0;
      const isOpen = open.has(n.id);
      return (
        <li
          key={n.id}
          ref={(el) => {
            if (el) refs.current.set(n.id, el);
          }}
          role="treeitem"
          aria-level={depth}
          aria-expanded={kids ? isOpen : undefined}
          aria-selected={n.id === selected}
          tabIndex={n.id === selected || (selected === null && depth === 1 && n === roots[0]) ? 0 : -1}
          onClick={(e) => {
            e.stopPropagation();
            onSelect(n.id);
          }}
          className="tree-item"
        >
          <span className="tree-row" style={{ paddingLeft: 6 + (depth - 1) * 16 }}>
            {kids ? (
              <span
                className="tree-toggle"
                aria-hidden="true"
                onClick={(e) => {
                  e.stopPropagation();
                  setOpen(n.id, !isOpen);
                }}
              >
                <ChevronIcon open={isOpen} />
              </span>
            ) : (
              <span className="tree-toggle" aria-hidden="true" />
            )}
            <span className="tree-name">{n.name}</span>
            <span className={`tree-state ${STATE_TONE[n.state] ?? ''}`} title={`state: ${n.state}`}>
              {n.state}
            </span>
          </span>
          {kids && isOpen && <ul role="group">{render(n.children, depth + 1)}</ul>}
        </li>
      );
    });
  return (
    <ul className="tree" role="tree" aria-label="I/O Registry" onKeyDown={onKeyDown}>
      {render(roots, 1)}
    </ul>
  );
}
