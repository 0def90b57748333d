/**
 * Measurements behind DEFAULT_CHUNKING (docs/chunking.md). Run: `npx tsx src-main/engine/chunking/measure.ts [MiB]`.
 * Prints throughput of the chunker alone and of full recipes (chunker + chunk SHA-256 + whole-file SHA-256),
 * and bytes on the wire for small edits of a 64 MiB random file, for each candidate average size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSHA256, createXXHash64 } from 'hash-wasm';
import { RECIPE_ENTRY_BYTES } from '../../../src-shared/protocol/limits';
import { Chunker, DEFAULT_CHUNKING, type ChunkerOptions } from './fastcdc';
import { computeRecipe, recipeOfBuffer } from './recipe';

const MiB = 1024 * 1024;
const bigMiB = Number(process.argv[2] ?? 256);

function random(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let p = 0; p < n; p += MiB) randomBytes(Math.min(MiB, n - p)).copy(out, p);
  return out;
}

/** Best of `runs` (the machine is noisy; the best run is the least disturbed). */
async function mibPerSec(bytes: number, runs: number, fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return bytes / MiB / (best / 1000);
}

function candidates(): [string, ChunkerOptions][] {
  return [16, 32, 64].map((k) => [`${k} KiB`, { minSize: (k * 1024) / 4, avgSize: k * 1024, maxSize: k * 1024 * 4 }]);
}

/** Bytes a client sends to update `before` → `after`: chunks the server lacks + the whole new recipe. */
function wireBytes(before: Buffer, after: Buffer, opts: ChunkerOptions): { sent: number; recipe: number; changed: number; chunks: number } {
  const have = new Set(recipeOfBuffer(before, opts).chunks.map((c) => c.hash));
  const r = recipeOfBuffer(after, opts);
  const missing = r.chunks.filter((c) => !have.has(c.hash));
  const sent = missing.reduce((a, c) => a + c.length, 0);
  return { sent, recipe: r.chunks.length * RECIPE_ENTRY_BYTES, changed: missing.length, chunks: r.chunks.length };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; ${bigMiB} MiB random data; best of 3 runs\n`);
  const big = random(bigMiB * MiB);

  console.log('## Throughput (in memory)');
  console.log('| avg | chunks | mean chunk | chunker alone MiB/s | recipe (chunker + 2× sha256) MiB/s |');
  console.log('|---|---|---|---|---|');
  for (const [name, opts] of candidates()) {
    let count = 0;
    const chunkOnly = await mibPerSec(big.length, 3, () => {
      const c = new Chunker(opts);
      count = 0;
      for (let p = 0; p < big.length; p += MiB) count += c.push(big.subarray(p, p + MiB)).length;
      count += c.finish().length;
    });
    const recipe = await mibPerSec(big.length, 3, () => recipeOfBuffer(big, opts));
    console.log(`| ${name} | ${count} | ${(big.length / count / 1024).toFixed(1)} KiB | ${chunkOnly.toFixed(0)} | ${recipe.toFixed(0)} |`);
  }

  console.log('\n## Hash primitives (in memory, one call over the whole buffer)');
  const sha = await mibPerSec(big.length, 3, () => createHash('sha256').update(big).digest());
  const wasmSha = await createSHA256();
  const wasmShaSpeed = await mibPerSec(big.length, 3, () => wasmSha.init().update(big).digest());
  const wasmXx = await createXXHash64();
  const wasmXxSpeed = await mibPerSec(big.length, 3, () => wasmXx.init().update(big).digest());
  console.log(`node:crypto sha256 ${sha.toFixed(0)} MiB/s; hash-wasm sha256 ${wasmShaSpeed.toFixed(0)} MiB/s; hash-wasm xxhash64 ${wasmXxSpeed.toFixed(0)} MiB/s`);

  const dir = await mkdtemp(join(tmpdir(), 'ferry-measure-'));
  try {
    const file = join(dir, 'big.bin');
    await writeFile(file, big);
    const fromFile = await mibPerSec(big.length, 3, () => computeRecipe(file));
    console.log(`computeRecipe from a file in the page cache (default ${DEFAULT_CHUNKING.avgSize / 1024} KiB): ${fromFile.toFixed(0)} MiB/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  console.log('\n## Bytes on the wire for a 100-byte edit of a 64 MiB random file (chunk data + 36-byte recipe entries)');
  const base = big.subarray(0, 64 * MiB);
  const ins = randomBytes(100);
  const mid = 32 * MiB + 12345;
  const overwritten = Buffer.from(base);
  ins.copy(overwritten, mid);
  const cases: [string, Buffer][] = [
    ['insert at start', Buffer.concat([ins, base])],
    ['insert in middle', Buffer.concat([base.subarray(0, mid), ins, base.subarray(mid)])],
    ['append', Buffer.concat([base, ins])],
    ['overwrite in middle', overwritten],
  ];
  console.log('| avg | case | chunks | changed chunks | chunk bytes | recipe bytes | total | vs rsync ~90 KB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, opts] of candidates()) {
    for (const [what, after] of cases) {
      const w = wireBytes(base, after, opts);
      const total = w.sent + w.recipe;
      console.log(`| ${name} | ${what} | ${w.chunks} | ${w.changed} | ${w.sent} | ${w.recipe} | ${total} | ${(total / 90_000).toFixed(2)}× |`);
    }
  }
}

await main();
