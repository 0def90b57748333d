// Writes one JSON Schema per protocol message type to docs/schemas/ (from the TypeBox definitions).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const tmp = 'dist/tmp-schemas.mjs';
await build({ entryPoints: ['src-shared/protocol/index.ts'], bundle: true, format: 'esm', platform: 'node', outfile: tmp, logLevel: 'warning' });
const mod = await import(pathToFileURL(tmp).href);
mkdirSync('docs/schemas', { recursive: true });
const check = process.argv.includes('--check');
let stale = 0;
for (const [type, schema] of Object.entries(mod.MESSAGE_SCHEMAS)) {
  const text = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema, $id: `ferry:${type}` }, null, 2) + '\n';
  const file = `docs/schemas/${type}.schema.json`;
  if (check) {
    const { readFileSync, existsSync } = await import('node:fs');
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) { console.error(`stale: ${file}`); stale++; }
  } else writeFileSync(file, text);
}
rmSync(tmp, { force: true });
if (stale) { console.error('docs/schemas is out of date: run npm run schemas'); process.exit(1); }
