// Local ESLint rule modelled on VS Code's `code-layering`: each top-level folder is a world
// (ARCHITECTURE.md, "The worlds and what may import what") and may import only what its
// row allows. The first forbidden import is reported as "Bad layering".
import path from 'node:path';
import { builtinModules } from 'node:module';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * world -> { worlds: top-level folders it may import, packages: bare specifiers allowed,
 *            node: whether Node built-ins are allowed (true, false, or a list of sub-folders) }
 */
export const WORLDS = {
  'driver-runtime': {
    worlds: ['driver-runtime'],
    // Pure, environment-free libraries only. zod validates scenario and rule files.
    packages: ['zod'],
    node: ['driver-runtime/host'],
  },
  // One protocol, three carriers: carrier-free and platform-free, shared by main, preload and renderer.
  ipc: { worlds: ['ipc', 'driver-runtime/abi'], packages: ['@msgpack/msgpack', 'zod'], node: false },
  main: {
    // scenarios/: the workloads the app ships, embedded as JSON data.
    worlds: ['main', 'driver-runtime', 'ipc', 'scenarios'],
    packages: ['zod', 'better-sqlite3', 'electron', 'ws', '@msgpack/msgpack'],
    node: true,
  },
  // vite and Playwright: the frame-budget benchmark builds the page and drives Chromium.
  bench: {
    worlds: ['bench', 'driver-runtime', 'ipc', 'main', 'scenarios'],
    packages: ['ws', 'vite', '@playwright/test'],
    node: true,
  },
  preload: { worlds: ['preload', 'driver-runtime/abi', 'ipc'], packages: ['electron'], node: false },
  renderer: {
    worlds: ['renderer', 'driver-runtime/abi', 'ipc'],
    packages: ['react', 'react-dom', 'react/jsx-runtime', 'uplot', 'zod'],
    node: false,
  },
};

const ELECTRON_ONLY_UNDER = ['main/electron', 'preload'];

/**
 * The floors inside driver-runtime/ (ARCHITECTURE.md, bottom up: sim, net → kit → memory →
 * pci, networking → device, driver, stack, peer → host): each folder lists the folders it may
 * import besides itself. Nothing imports upward or sideways, so the graph has no loop and no
 * reach-around; the device model knows only its own bus port (`device/bus-port.ts`), and the
 * link partner beyond the wire shares frame code from net/, never the stack.
 */
export const FLOORS = {
  sim: [],
  net: ['sim'],
  abi: [],
  kit: ['sim', 'abi'],
  memory: ['sim', 'abi', 'kit'],
  pci: ['sim', 'abi', 'kit', 'memory'],
  networking: ['sim', 'abi', 'kit', 'memory'],
  device: ['sim', 'net'],
  driver: ['sim', 'net', 'abi', 'kit', 'memory', 'pci', 'networking'],
  stack: ['sim', 'net', 'abi', 'kit', 'memory', 'networking'],
  peer: ['sim', 'net'],
  rules: ['sim', 'abi', 'networking'],
  host: [
    'sim',
    'net',
    'abi',
    'kit',
    'memory',
    'pci',
    'networking',
    'device',
    'driver',
    'stack',
    'peer',
    'rules',
  ],
};

/** The driver-runtime floor of a repository-relative path, or null outside driver-runtime/. */
function floorOf(rel) {
  const parts = rel.split(/[\\/]/);
  return parts[0] === 'driver-runtime' && parts.length > 2 ? parts[1] : null;
}

function topWorld(rel) {
  const parts = rel.split(path.sep);
  return parts[0];
}

function isUnder(rel, prefixes) {
  return prefixes.some((p) => rel === p || rel.startsWith(p + path.sep) || rel.startsWith(p + '/'));
}

function packageName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the worlds table of ARCHITECTURE.md' },
    schema: [],
    messages: { bad: 'Bad layering: {{world}} may not import "{{spec}}" ({{why}}).' },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const relFile = path.relative(root, file);
    const world = topWorld(relFile);
    const rule = WORLDS[world];
    if (!rule) return {};

    function check(node, spec) {
      if (typeof spec !== 'string') return;
      const report = (why) => context.report({ node, messageId: 'bad', data: { world: relFile, spec, why } });
      if (spec.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(file), spec));
        if (!isUnder(target, rule.worlds)) {
          report(`only ${rule.worlds.join(', ')} are allowed`);
          return;
        }
        const from = floorOf(relFile);
        const to = floorOf(target);
        if (from !== null && to !== null && from !== to) {
          const allowed = FLOORS[from];
          if (allowed === undefined) report(`driver-runtime/${from} is not on the floors table`);
          else if (!allowed.includes(to))
            report(
              `driver-runtime/${from} may import only ${allowed.length ? allowed.join(', ') : 'itself'}`,
            );
        }
        return;
      }
      if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0])) {
        const ok = rule.node === true || (Array.isArray(rule.node) && isUnder(relFile, rule.node));
        if (!ok) report('Node built-ins are not available in this world');
        return;
      }
      const pkg = packageName(spec);
      if (!rule.packages.includes(pkg) && !rule.packages.includes(spec)) {
        report(`package "${pkg}" is not on this world's list`);
        return;
      }
      if (pkg === 'electron' && !isUnder(relFile, ELECTRON_ONLY_UNDER)) {
        report('only main/electron and preload touch Electron');
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
