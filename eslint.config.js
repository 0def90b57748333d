// Lint: typescript-eslint recommended + the layer direction of DESIGN.md §2 as import rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

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
  layer(['src-shared/**/*.ts'], [
    { group: ['**/src-main/**', '**/src-renderer/**', 'node:*', 'electron', 'react'], message: 'src-shared is pure: it imports nothing from other layers, Node or Electron.' },
  ]),
  layer(['src-main/engine/**/*.ts'], [
    { group: ['electron', 'electron-store', '**/app/**', '**/cli/**', '**/preload/**', '**/src-renderer/**'], message: 'The engine never imports Electron or its shells.' },
  ]),
  layer(['src-main/engine/core/**/*.ts'], [
    { group: ['node:*', 'fs', 'net', 'tls', '**/net/**', '**/fs/**', '**/watcher/**', '**/client/**', '**/server/**', 'chokidar'], message: 'core/ holds pure decisions: no I/O.' },
  ]),
  layer(['src-main/cli/**/*.ts'], [
    { group: ['electron', 'electron-store', '**/app/**', '**/src-renderer/**'], message: 'The CLI runs under plain Node: no Electron.' },
  ]),
  layer(['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'], [
    { group: ['**/src-main/**', 'electron', 'node:*'], message: 'The renderer reaches the engine only through src-shared/ipc and the bridge.' },
  ]),
);
