// Lint: typescript-eslint recommended + the layer direction of DESIGN.md §2 as an import rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layerImportsRule } from './scripts/eslint-layer-imports.mjs';

// DESIGN.md §2. Each file belongs to the layer with the longest matching folder; every relative import is
// resolved and its target's layer checked, so a nested layer (core/ in the engine) keeps all of its parent's rules.
const electron = ['electron', 'electron-store'];
const engineParts = ['engine', 'engine-errors', 'core', 'client', 'server'];
/** Packages that do I/O or need Node: kept out of the pure layers and the renderer. */
const nodeOnly = [...electron, 'ws', 'chokidar', 'pino', 'pino-pretty', 'rotating-file-stream', 'conf', 'selfsigned', 'commander', 'cli-progress', 'hash-wasm'];
const layers = [
  { name: 'shared', dir: 'src-shared', mayImport: ['shared'], nodeBuiltins: false, forbidPackages: [...nodeOnly, 'react', 'react-dom'],
    why: 'src-shared is pure: it imports nothing from other layers, Node or Electron' },
  { name: 'engine', dir: 'src-main/engine', mayImport: [...engineParts, 'shared'], testsMayImport: ['test'], forbidPackages: electron,
    why: 'the engine never imports Electron or its shells (cli/, app/, preload/, the renderer)' },
  { name: 'engine-errors', dir: 'src-main/engine/errors', mayImport: ['shared'], nodeBuiltins: false, forbidPackages: nodeOnly,
    why: 'FerryError is pure, so that core/ may use it' },
  { name: 'core', dir: 'src-main/engine/core', mayImport: ['core', 'engine-errors', 'shared'], testsMayImport: ['test'], nodeBuiltins: false, forbidPackages: nodeOnly,
    why: 'core/ holds pure decisions: no I/O, nothing outside core/ but src-shared and FerryError' },
  // The two ends of the protocol meet only through src-shared/protocol; a client test may start a real server.
  { name: 'client', dir: 'src-main/engine/client', mayImport: ['engine', 'engine-errors', 'core', 'client', 'shared'], testsMayImport: ['server', 'test'], forbidPackages: electron,
    why: 'the client never imports the server (they share src-shared/protocol), nor Electron or the shells' },
  { name: 'server', dir: 'src-main/engine/server', mayImport: ['engine', 'engine-errors', 'core', 'server', 'shared'], testsMayImport: ['client', 'test'], forbidPackages: electron,
    why: 'the server never imports the client (they share src-shared/protocol), nor Electron or the shells' },
  { name: 'cli', dir: 'src-main/cli', mayImport: ['cli', ...engineParts, 'shared'], testsMayImport: ['test'], forbidPackages: electron,
    why: 'the CLI runs under plain Node: no Electron, no desktop shell' },
  { name: 'app', dir: 'src-main/app', mayImport: ['app', 'preload', ...engineParts, 'shared'],
    why: 'the Electron shell wraps the engine; it does not reach into the CLI or the renderer' },
  { name: 'preload', dir: 'src-main/preload', mayImport: ['preload', 'shared'], why: 'the preload exposes verbs built from src-shared/ipc only' },
  { name: 'renderer', dir: 'src-renderer', mayImport: ['renderer', 'shared'], nodeBuiltins: false, forbidPackages: nodeOnly,
    why: 'the renderer reaches the engine only through src-shared/ipc and the bridge: no Node, no ws, no Electron' },
  // Named so that layers may allow them; their own files are not checked.
  { name: 'test', dir: 'test' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'e2e-artifacts/**', 'test-results/**', 'playwright-report/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { ferry: { rules: { layers: layerImportsRule(layers) } } },
    rules: { 'ferry/layers': 'error' },
  },
);
