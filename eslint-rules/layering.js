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
  main: {
    worlds: ['main', 'driver-runtime'],
    packages: ['zod', 'better-sqlite3', 'electron', 'ws'],
    node: true,
  },
  bench: { worlds: ['bench', 'driver-runtime'], packages: [], node: true },
  preload: { worlds: ['preload', 'driver-runtime/abi'], packages: ['electron'], node: false },
  renderer: {
    worlds: ['renderer', 'driver-runtime/abi'],
    packages: ['react', 'react-dom', 'react/jsx-runtime', 'uplot', 'zod'],
    node: false,
  },
};

const ELECTRON_ONLY_UNDER = ['main/electron', 'preload'];

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
        if (!isUnder(target, rule.worlds)) report(`only ${rule.worlds.join(', ')} are allowed`);
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
