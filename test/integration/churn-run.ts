/**
 * Runs a churn plan against a ChurnWorld. Between steps it never sleeps for a fixed time: a step that acts on a
 * path first waits (by polling the folders) until its device holds that path as the steps before it left it, so
 * the plan's order is the order the devices saw; and before a step destroys a content on a device (rewrite,
 * append, save over, delete, folder delete) it waits until that content is on the server, in the share or in its
 * versions. A user who destroys their own work before it left their machine lost it themselves: that is not a
 * sync loss, and this wait is what makes "nothing lost" a fair promise.
 */
import { lstat, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { seededRandom } from '../helpers/seeded-random';
import { ChurnModel, describeOp, type ChurnOp, type Dev, type EditHow } from './churn-plan';
import { anyFileOutside, sha256, short, until, type ChurnWorld } from './churn-world';

/**
 * Append `tail` to the file at `abs` through one open file, so the content written is known exactly even when the
 * engine acts on the file meanwhile; a missing file is made with just `tail`. Returns the file's content after the
 * append, or null when the file was unlinked during it.
 */
async function appendExact(abs: string, tail: Buffer): Promise<Buffer | null> {
  const fh = await open(abs, 'r+').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (fh === null) {
    await writeFile(abs, tail, { flag: 'wx' });
    return tail;
  }
  try {
    const before = await fh.readFile();
    await fh.write(tail, 0, tail.length, before.length);
    return (await fh.stat()).nlink === 0 ? null : Buffer.concat([before, tail]);
  } finally {
    await fh.close();
  }
}

/** What the test expects at a model path: one content, or one of a conflict burst's contents (not yet settled). */
type Expect = { hash: string } | { burst: string[] };

/** One content a device wrote. */
export interface Written {
  hash: string;
  step: number;
  device: string;
  path: string;
}

/** Executes steps and keeps what the final checks need. */
export class ChurnRun {
  readonly model = new ChurnModel();
  readonly expect = new Map<string, Expect>();
  readonly written: Written[] = [];
  readonly log: string[] = [];
  /**
   * Where the sync did something other than what the steps did, without losing a content: the last write to a
   * path ended as a conflict copy although it was made on the newest version, or the like (see the test header).
   */
  readonly deviations: string[] = [];
  /** Races the test noticed in its own steps (not counted either way). */
  readonly notes: string[] = [];
  bursts = 0;

  constructor(private readonly world: ChurnWorld, private readonly waitMs: number) {}

  private get names(): string[] {
    return this.world.devices.map((d) => d.name);
  }

  private abs(dev: Dev, p: string): string {
    return join(this.world.devices[dev]?.dir as string, p);
  }

  /** Run every op in order. */
  async run(ops: ChurnOp[]): Promise<void> {
    for (const [i, op] of ops.entries()) {
      this.log.push(`${String(i).padStart(3)} ${describeOp(op, this.names)}`);
      await this.step(op, i);
      this.model.apply(op);
    }
  }

  private async step(op: ChurnOp, i: number): Promise<void> {
    switch (op.kind) {
      case 'create':
        if (op.path.includes('/')) await this.waitDir(op.dev, dirname(op.path));
        await this.write(op.dev, op.path, i, this.content(op.seed, op.size, i, op.dev, op.large ? 'large' : 'create'));
        return;
      case 'edit':
        await this.waitCurrent(op.dev, op.path);
        await this.edit(op.dev, op.path, op.how, op.size, op.seed, i);
        return;
      case 'delete':
        await this.waitCurrent(op.dev, op.path);
        await this.waitOtherFile(op.dev, op.path);
        await this.waitSafe(op.dev, op.path);
        await rm(this.abs(op.dev, op.path));
        this.expect.delete(op.path);
        return;
      case 'rename': {
        await this.waitCurrent(op.dev, op.from);
        if (op.to.includes('/')) await this.waitDir(op.dev, dirname(op.to));
        await rename(this.abs(op.dev, op.from), this.abs(op.dev, op.to));
        this.expect.set(op.to, this.expect.get(op.from) as Expect);
        this.expect.delete(op.from);
        return;
      }
      case 'mkdir':
        if (op.path.includes('/')) await this.waitDir(op.dev, dirname(op.path));
        await mkdir(this.abs(op.dev, op.path));
        return;
      case 'moveFolder': {
        await this.waitTree(op.dev, op.from);
        if (op.to.includes('/')) await this.waitDir(op.dev, dirname(op.to));
        await rename(this.abs(op.dev, op.from), this.abs(op.dev, op.to));
        for (const [p, e] of [...this.expect]) {
          if (!p.startsWith(`${op.from}/`)) continue;
          this.expect.delete(p);
          this.expect.set(op.to + p.slice(op.from.length), e);
        }
        return;
      }
      case 'deleteFolder':
        await this.waitTree(op.dev, op.path);
        await this.waitOtherFile(op.dev, op.path);
        for (let attempt = 1; ; attempt++) {
          await this.waitFolderSafe(op.dev, op.path);
          // The engine may put a file in the folder while it is being removed (ENOTEMPTY): check that one too.
          const err = await rm(this.abs(op.dev, op.path), { recursive: true, force: true }).then(() => null, (e: NodeJS.ErrnoException) => e);
          if (err === null) break;
          if (err.code !== 'ENOTEMPTY' || attempt >= 20) throw err;
        }
        for (const p of [...this.expect.keys()]) if (p.startsWith(`${op.path}/`)) this.expect.delete(p);
        return;
      case 'conflict': {
        // Every writer starts from the same version; then they write one right after the other.
        for (const w of op.writes) await this.waitCurrent(w.dev, op.path);
        const burst: string[] = [];
        for (const w of op.writes) burst.push(await this.edit(w.dev, op.path, w.how, w.size, w.seed, i));
        this.expect.set(op.path, { burst });
        this.bursts++;
        return;
      }
      case 'editVsDelete': {
        await this.waitCurrent(op.editor, op.path);
        await this.waitCurrent(op.deleter, op.path);
        await this.waitOtherFile(op.deleter, op.path);
        const del = async () => {
          await this.waitSafe(op.deleter, op.path);
          await rm(this.abs(op.deleter, op.path), { force: true });
        };
        if (!op.editFirst) await del();
        await this.edit(op.editor, op.path, op.how, op.size, op.seed, i);
        if (op.editFirst) await del();
        this.expect.delete(op.path); // where it ends depends on timing: the final checks only look for the content
        return;
      }
      case 'killClient':
        await this.world.killClient(op.dev);
        return;
      case 'killServer':
        await this.world.killServer();
        return;
    }
  }

  /** Bytes of a new content: a header unique to this write, then seeded bytes. */
  private content(seed: number, size: number, step: number, dev: Dev, what: string): Buffer {
    return Buffer.concat([Buffer.from(`ferry churn step ${step} ${this.names[dev]} ${what} ${seed}\n`), seededRandom(seed).bytes(size)]);
  }

  private async write(dev: Dev, path: string, step: number, data: Buffer): Promise<string> {
    await writeFile(this.abs(dev, path), data);
    const hash = sha256(data);
    this.written.push({ hash, step, device: this.names[dev] as string, path });
    this.expect.set(path, { hash });
    return hash;
  }

  /** Replace the content at `path` on `dev` (after its current content is safe on the server); returns the new hash. */
  private async edit(dev: Dev, path: string, how: EditHow, size: number, seed: number, step: number): Promise<string> {
    await this.waitSafe(dev, path);
    const abs = this.abs(dev, path);
    // In a burst the engine may have moved the file aside or replaced it meanwhile: then this write makes it anew.
    const old = (await readFile(abs).catch(() => null)) ?? Buffer.alloc(0);
    const rng = seededRandom(seed);
    const mark = Buffer.from(`\n[ferry churn step ${step} ${this.names[dev]} ${how} ${seed}]\n`);
    switch (how) {
      case 'rewrite':
        return this.write(dev, path, step, this.content(seed, size, step, dev, 'rewrite'));
      case 'replace': {
        // An editor's save: a temp file renamed over the original (a new inode at the path).
        const data = this.content(seed, size, step, dev, 'replace');
        const tmp = join(this.world.tmp, `save-${step}-${dev}`);
        await writeFile(tmp, data);
        await rename(tmp, abs);
        const hash = sha256(data);
        this.written.push({ hash, step, device: this.names[dev] as string, path });
        this.expect.set(path, { hash });
        return hash;
      }
      case 'splice': {
        // Bytes inserted inside a large file: most chunks stay, so only a delta travels.
        const at = Math.floor(rng.next() * old.length);
        return this.write(dev, path, step, Buffer.concat([old.subarray(0, at), mark, rng.bytes(rng.int(1, 200)), old.subarray(at)]));
      }
      case 'append': {
        const data = await appendExact(abs, Buffer.concat([mark, rng.bytes(rng.int(1, 300))]));
        if (data === null) {
          // The engine removed the file while the bytes were appended: they went into a file no longer there.
          this.notes.push(`step ${step}: ${this.names[dev]}'s append to ${path} raced with its removal (not counted)`);
          return sha256(old);
        }
        const hash = sha256(data);
        this.written.push({ hash, step, device: this.names[dev] as string, path });
        this.expect.set(path, { hash });
        return hash;
      }
    }
  }

  /** Wait until `dev` holds `path` as the steps before left it (a burst first settles on every device). */
  private async waitCurrent(dev: Dev, path: string): Promise<void> {
    let e = this.expect.get(path);
    if (e === undefined) throw new Error(`test bug: no expectation for ${path}`);
    if ('burst' in e) {
      await this.settle(path, e.burst);
      e = this.expect.get(path) as Expect;
    }
    const want = (e as { hash: string }).hash;
    const abs = this.abs(dev, path);
    let other: string | null = null;
    await until(async () => {
      if ((await this.world.hashes.hashOf(abs)) === want) return true;
      other = await this.deviated(path, want);
      return other !== null;
    }, `${this.names[dev]} to hold ${path} with content ${short(want)}`, this.waitMs,
    async () => `${this.names[dev]} has ${short(await this.world.hashes.hashOf(abs))}; server has ${short(await this.world.hashes.hashOf(join(this.world.share, path)))}`);
    if (other !== null) {
      this.deviations.push(`${path}: the last content written there (${short(want)}) is kept elsewhere (a conflict copy or the versions), and every device and the server hold ${short(other)} at the path (seen before step ${this.log.length - 1})`);
      this.expect.set(path, { hash: other });
    }
  }

  /**
   * The sync settled `path` on another content than `want` (the server and every device agree on it) while `want`
   * is safe on the server: a deviation, not a loss. Returns that content, or null.
   */
  private async deviated(path: string, want: string): Promise<string | null> {
    const roots = [this.world.share, ...this.world.devices.map((d) => d.dir)];
    const at = await Promise.all(roots.map((r) => this.world.hashes.hashOf(join(r, path))));
    const first = at[0] ?? null;
    if (first === null || first === want || !at.every((h) => h === first)) return null;
    return (await this.world.serverHashes()).has(want) ? first : null;
  }

  /** After a conflict burst: wait until the server and every device agree on `path`, then expect that content. */
  private async settle(path: string, burst: string[]): Promise<void> {
    const states = async () => Promise.all([this.world.share, ...this.world.devices.map((d) => d.dir)].map((r) => this.world.hashes.hashOf(join(r, path))));
    await until(async () => {
      const s = await states();
      return s[0] !== null && s.every((h) => h === s[0]);
    }, `every device and the server to agree on ${path} after a conflict (contents written: ${burst.map(short).join(', ')})`, this.waitMs,
    async () => `server, ${this.names.join(', ')}: ${(await states()).map(short).join(', ')}`);
    this.expect.set(path, { hash: (await states())[0] as string });
  }

  /** Wait until `dev` holds folder `dir`. */
  private async waitDir(dev: Dev, dir: string): Promise<void> {
    await until(async () => (await lstat(this.abs(dev, dir)).catch(() => null))?.isDirectory() === true, `${this.names[dev]} to hold folder ${dir}`, this.waitMs);
  }

  /** Wait until `dev` holds folder `dir` with every model file and folder below it as expected. */
  private async waitTree(dev: Dev, dir: string): Promise<void> {
    await this.waitDir(dev, dir);
    const { files, dirs } = this.model.under(dir);
    for (const d of dirs) await this.waitDir(dev, d);
    for (const f of files) await this.waitCurrent(dev, f);
  }

  /**
   * Wait until `dev` holds some file outside `path` (a file or a folder about to be deleted). A folder left without
   * any file while it held synced files halts its pair by design (SAFETY_HALT, docs/sync-semantics.md rule 12): a
   * user emptying their folder is asked first, so the churn never does it.
   */
  private async waitOtherFile(dev: Dev, path: string): Promise<void> {
    const root = this.world.devices[dev]?.dir as string;
    await until(() => anyFileOutside(root, path), `${this.names[dev]} to hold some file besides ${path}`, this.waitMs);
  }

  /** Wait until the content at `path` on `dev` (if any) is on the server: in the share or in its versions. */
  private async waitSafe(dev: Dev, path: string): Promise<void> {
    const abs = this.abs(dev, path);
    let h: string | null = null;
    await until(async () => {
      h = await this.world.hashes.hashOf(abs);
      return h === null || (await this.world.serverHashes()).has(h);
    }, `${this.names[dev]}'s content of ${path} to reach the server before it is overwritten or deleted`, this.waitMs, async () => `content ${short(h)}`);
  }

  /** Wait until every file below `dir` on `dev` (conflict copies included) is on the server. */
  private async waitFolderSafe(dev: Dev, dir: string): Promise<void> {
    let missing: string[] = [];
    await until(async () => {
      const here = await this.world.hashes.scan(this.abs(dev, dir));
      const server = await this.world.serverHashes();
      missing = [...here].filter(([, n]) => n.hash !== undefined && !server.has(n.hash)).map(([p]) => p);
      return missing.length === 0;
    }, `every file in ${this.names[dev]}'s ${dir} to reach the server before the folder is deleted`, this.waitMs, async () => `not there yet: ${missing.join(', ')}`);
  }
}
