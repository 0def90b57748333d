// An ESLint rule that holds the layer direction of DESIGN.md §2 in full, for every import of every file.
//
// Why not `no-restricted-imports` with one config block per layer: flat config replaces a rule's options, so the
// block for engine/core silently dropped the engine-wide ban on electron, app/ and cli/; and glob patterns on the
// import string cannot tell `../client` seen from engine/server from the same string seen from engine/client/x.
// Here every relative import is resolved to the file it names, and that file's layer is checked.
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

/**
 * @typedef {object} Layer
 * @property {string} name
 * @property {string} dir        repo-relative folder (or file, without extension) this layer owns; the longest match wins
 * @property {string[]} [mayImport]    layers its files may import; absent: the layer's own files are not checked
 * @property {string[]} [testsMayImport] further layers its test files (*.test.ts(x)) may import
 * @property {boolean} [nodeBuiltins]  false: no Node built-in module, `node:` or bare (`fs`, `fs/promises`)
 * @property {string[]} [forbidPackages] npm packages it may not import (subpaths included)
 * @property {string} [why]      the rule in words, for the message
 */

const EXTENSION = /\.(ts|tsx|js|mjs|cjs|json)$/;
const TEST_FILE = /\.test\.tsx?$/;

/** The layer owning a repo-relative path (the longest matching `dir`), or null. */
function layerOf(layers, rel) {
  const path = rel.replace(EXTENSION, '');
  let best = null;
  for (const l of layers) {
    if ((path === l.dir || path.startsWith(`${l.dir}/`)) && (best === null || l.dir.length > best.dir.length)) best = l;
  }
  return best;
}

/** The npm package a bare specifier names: `@scope/name` or `name`. */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Build the rule for a layer table (a factory: the table is code, not options to validate). */
export function layerImportsRule(layers) {
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const l of layers) {
    for (const n of [...(l.mayImport ?? []), ...(l.testsMayImport ?? [])]) if (!byName.has(n)) throw new Error(`layer ${l.name}: unknown layer ${n}`);
  }
  return {
    meta: {
      type: 'problem',
      docs: { description: 'Each layer imports only the layers and packages DESIGN.md §2 allows it' },
      schema: [],
      messages: { forbidden: '{{layer}} may not import {{what}}: {{why}}' },
    },
    create(context) {
      const cwd = context.cwd;
      const file = relative(cwd, context.filename).split('\\').join('/');
      const layer = layerOf(layers, file);
      if (layer === null || layer.mayImport === undefined) return {};
      const allowed = new Set([...layer.mayImport, ...(TEST_FILE.test(file) ? (layer.testsMayImport ?? []) : [])]);
      const report = (node, what) => context.report({ node, messageId: 'forbidden', data: { layer: `${layer.name} (${layer.dir}/)`, what, why: layer.why ?? 'see DESIGN.md §2' } });

      const check = (node, spec) => {
        if (typeof spec !== 'string') return;
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const target = relative(cwd, resolve(dirname(context.filename), spec)).split('\\').join('/');
          const to = layerOf(layers, target);
          if (to === null || !allowed.has(to.name)) report(node, `${spec} (${to === null ? 'outside every layer' : `layer ${to.name}`})`);
          return;
        }
        if (layer.nodeBuiltins === false && isBuiltin(spec)) return report(node, `${spec} (a Node built-in)`);
        if ((layer.forbidPackages ?? []).includes(packageOf(spec))) report(node, `${spec} (package)`);
      };

      return {
        ImportDeclaration: (n) => check(n.source, n.source.value),
        ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
        ExportAllDeclaration: (n) => check(n.source, n.source.value),
        ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
        TSImportEqualsDeclaration: (n) => n.moduleReference.type === 'TSExternalModuleReference' && check(n.moduleReference.expression, n.moduleReference.expression.value),
        TSImportType: (n) => {
          const lit = n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.argument;
          if (lit?.type === 'Literal') check(lit, lit.value);
        },
        CallExpression: (n) => {
          if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') check(n.arguments[0], n.arguments[0].value);
        },
      };
    },
  };
}
