// Bundles the CLI, the Electron main and preload with esbuild, and the renderer with Vite.
// `--cli-only` builds just the CLI (used by the test setup).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const cliOnly = process.argv.includes('--cli-only');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external' };

await build({ ...common, format: 'esm', entryPoints: { ferry: 'src-main/cli/main.ts' }, outdir: 'dist/cli' });

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
