// Deterministic bench data, generated once into BENCH_TMP/data/<name> and reused by every run.
// Tree shape and sizes come from a seeded sfc32 PRNG; file bytes from an AES-128-CTR keystream keyed by
// sha256(seed:name), so they are incompressible and identical on every machine for the same seed.
// A dataset is complete when its `<dir>.done.json` marker exists and names the same spec.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/** Fixed mtime for every generated file and folder (regenerated trees are identical, metadata included). */
export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');
const KiB = 1024;
const MiB = 1024 * KiB;

/** The datasets of a full run and of `--quick`. */
export function datasetSpecs(quick) {
  return quick
    ? {
        small: { kind: 'tree', files: 500, branching: [2, 2, 3], minSize: 1 * KiB, maxSize: 16 * KiB },
        large: { kind: 'big', files: [['big0.bin', 16 * MiB], ['big1.bin', 16 * MiB], ['big2.bin', 16 * MiB], ['big3.bin', 16 * MiB]] },
        delta: { kind: 'big', files: [['base.bin', 16 * MiB]] },
        move: { kind: 'big', files: [['big1g.bin', 16 * MiB], ['c256.bin', 16 * MiB]] },
        many: { kind: 'tree', files: 5000, branching: [5, 10], minSize: 1, maxSize: 64 },
      }
    : {
        small: { kind: 'tree', files: 20000, branching: [2, 2, 2, 4, 5], minSize: 1 * KiB, maxSize: 16 * KiB },
        large: { kind: 'big', files: [['big0.bin', 256 * MiB], ['big1.bin', 256 * MiB], ['big2.bin', 256 * MiB], ['big3.bin', 256 * MiB]] },
        delta: { kind: 'big', files: [['base.bin', 64 * MiB]] },
        move: { kind: 'big', files: [['big1g.bin', 1024 * MiB], ['c256.bin', 256 * MiB]] },
        many: { kind: 'tree', files: 100000, branching: [10, 100], minSize: 1, maxSize: 64 },
      };
}

function sfc32(a, b, c, d) {
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A seeded PRNG returning floats in [0, 1). */
export function makeRng(seed, name) {
  const h = crypto.createHash('sha256').update(`${seed}:${name}:rng`).digest();
  const r = sfc32(h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12));
  for (let i = 0; i < 20; i++) r();
  return r;
}

/** A seeded stream of incompressible bytes: `next(n)` returns the next n bytes. */
export function makeByteStream(seed, name) {
  const key = crypto.createHash('sha256').update(`${seed}:${name}:data`).digest().subarray(0, 16);
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

function genTree(dir, spec, seed, name) {
  const rng = makeRng(seed, name);
  const bytes = makeByteStream(seed, name);
  const dirs = [dir];
  let level = [dir];
  spec.branching.forEach((n, depth) => {
    const next = [];
    for (const parent of level) for (let i = 0; i < n; i++) next.push(path.join(parent, `d${depth + 1}_${i}`));
    dirs.push(...next);
    level = next;
  });
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const exts = ['.ts', '.js', '.json', '.md', '.txt', '.bin', '.css', '.html'];
  let total = 0;
  const width = String(spec.files - 1).length;
  for (let i = 0; i < spec.files; i++) {
    const d = dirs[Math.floor(rng() * dirs.length)];
    const size = spec.minSize + Math.floor(rng() * (spec.maxSize - spec.minSize + 1));
    const p = path.join(d, `f${String(i).padStart(width, '0')}${exts[Math.floor(rng() * exts.length)]}`);
    fs.writeFileSync(p, bytes(size));
    fs.utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    total += size;
  }
  for (const d of dirs.slice().reverse()) fs.utimesSync(d, FIXED_MTIME, FIXED_MTIME);
  return { files: spec.files, dirs: dirs.length - 1, bytes: total };
}

function genBig(dir, spec, seed, name) {
  fs.mkdirSync(dir, { recursive: true });
  let total = 0;
  for (const [file, size] of spec.files) {
    const bytes = makeByteStream(seed, `${name}/${file}`);
    const p = path.join(dir, file);
    const fd = fs.openSync(p, 'w');
    for (let off = 0; off < size; off += 4 * MiB) fs.writeSync(fd, bytes(Math.min(4 * MiB, size - off)));
    fs.closeSync(fd);
    fs.utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    total += size;
  }
  fs.utimesSync(dir, FIXED_MTIME, FIXED_MTIME);
  return { files: spec.files.length, dirs: 0, bytes: total };
}

/**
 * Make sure dataset `name` exists under `dataRoot` (generate it once) and return
 * `{ dir, files, dirs, bytes, generatedNow, genSeconds }`.
 */
export function ensureDataset(dataRoot, name, spec, seed, log = () => {}) {
  const tag = spec.kind === 'tree' ? `${spec.files}` : spec.files.map(([, s]) => s / MiB).join('-');
  const dir = path.join(dataRoot, `${name}-${tag}`);
  const marker = `${dir}.done.json`;
  const want = JSON.stringify({ spec, seed });
  if (fs.existsSync(marker)) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (m.key === want) return { dir, ...m.info, generatedNow: false, genSeconds: 0 };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  log(`generating dataset ${name} (${spec.kind === 'tree' ? `${spec.files} files` : `${spec.files.length} files of ${tag} MiB`}) into ${dir} …`);
  const t0 = performance.now();
  const info = spec.kind === 'tree' ? genTree(dir, spec, seed, name) : genBig(dir, spec, seed, name);
  const genSeconds = (performance.now() - t0) / 1000;
  fs.writeFileSync(marker, JSON.stringify({ key: want, info }));
  return { dir, ...info, generatedNow: true, genSeconds };
}

/** Copy one file and give the copy the source's mtime (fs.copyFile does not keep it). */
export function copyWithMtime(from, to) {
  fs.copyFileSync(from, to);
  const st = fs.statSync(from);
  fs.utimesSync(to, st.atime, st.mtime);
}

/** Apply one of the delta mutations to `file` in place (the mtime becomes "now"). */
export function mutate(file, kind, seed) {
  const bytes = makeByteStream(seed, `mutation/${kind}`);
  const size = fs.statSync(file).size;
  if (kind === 'insert100') {
    const old = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.concat([bytes(100), old]));
  } else if (kind === 'append1m') {
    fs.appendFileSync(file, bytes(MiB));
  } else if (kind === 'overwrite4k') {
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, bytes(4 * KiB), 0, 4 * KiB, Math.floor(size / 2));
    fs.closeSync(fd);
  } else throw new Error(`unknown mutation ${kind}`);
}
