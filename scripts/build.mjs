// Bundles the CLI, the Electron main and preload with esbuild, and the renderer with Vite.
// `--cli-only` builds just the CLI (used by the test setup).
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const cliOnly = process.argv.includes('--cli-only');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external' };

// The CLI's start-up is inside every `ferry sync --once`, so its bundle is built for loading fast:
// - dependencies are bundled too: resolving and reading ~900 files from node_modules one by one (and
//   scanning each CommonJS one for its exports) cost more than half of `ferry --version`;
// - with splitting, the code each command loads with `import()` (server, client, daemon, certificate
//   generation) goes to chunks next to ferry.js that are read and compiled only when that command runs.
// Bundled CommonJS code calls `require` for Node built-ins and for ws' optional native add-ons (left
// external: they may be missing, and ws then falls back to JavaScript); ESM has no `require`, so each
// file gets one.
const cli = await build({
  ...common,
  packages: undefined,
  external: ['bufferutil', 'utf-8-validate'],
  format: 'esm',
  splitting: true,
  chunkNames: '[name]-[hash]',
  banner: { js: "import { createRequire as __ferryCreateRequire } from 'node:module'; const require = __ferryCreateRequire(import.meta.url);" },
  entryPoints: { ferry: 'src-main/cli/main.ts' },
  outdir: 'dist/cli',
  metafile: true,
});
// Chunk names change with their content, so older builds leave theirs behind. They are dropped only after an
// hour: a `ferry` started from an older build may still import one of its chunks later (the certificate
// generator, the folder watcher), and test runs of several people rebuild the same tree.
const written = new Set(Object.keys(cli.metafile.outputs).map((file) => file.slice('dist/cli/'.length)));
for (const file of readdirSync('dist/cli')) {
  const path = `dist/cli/${file}`;
  if (!written.has(file) && Date.now() - statSync(path).mtimeMs > 3600_000) rmSync(path, { force: true });
}

if (!cliOnly) {
  if (existsSync('src-main/app/main.ts')) {
    await build({ ...common, format: 'esm', entryPoints: { main: 'src-main/app/main.ts' }, outdir: 'dist/app', external: ['electron'] });
  }
  if (existsSync('src-main/preload/preload.ts')) {
    // Sandboxed preload scripts must be CommonJS with every dependency inlined.
    await build({ ...common, packages: undefined, format: 'cjs', entryPoints: { preload: 'src-main/preload/preload.ts' }, outfile: 'dist/app/preload.cjs', external: ['electron'] });
  }
  if (existsSync('src-renderer/index.html')) {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
}
