import { describe, expect, it } from 'vitest';
import { isWithin } from '../../../src-shared/protocol/paths';
import { conflictCopyName, isConflictCopy } from './conflict-name';
import { pathOf, reconcile, type Action, type ReconcileOptions } from './three-way';
import { comparePaths, deleteWithin, renameWithin, type Tree, type TreeEntry } from './tree';

const NOW = Date.UTC(2026, 11, 4, 15, 30, 7);
const opts = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions => ({ mode: 'two-way', device: 'laptop', now: NOW, rootExists: true, ...extra });

let inoSeq = 100;
function file(path: string, content: string, mtimeMs = 1000, mode = 0o644): TreeEntry {
  return { path, kind: 'file', size: content.length, mtimeMs, mode, hash: hashOf(content), ino: inoSeq++ };
}
function dir(path: string, mode = 0o755): TreeEntry {
  return { path, kind: 'dir', size: 0, mtimeMs: 1, mode, ino: inoSeq++ };
}
function hashOf(content: string): string {
  // Stands for the content identity: distinct content, distinct id.
  return Buffer.from(content).toString('hex').padEnd(64, '0').slice(0, 64);
}
const tree = (...es: TreeEntry[]): Tree => new Map(es.map((e) => [e.path, e]));
const kinds = (xs: Action[]) =>
  xs.map((x) => `${x.kind}${x.kind === 'push' ? `:${x.op.kind}` : ''} ${x.kind === 'push' && x.op.kind === 'move' ? `${x.op.from}>${x.op.to}` : x.kind === 'pullMove' ? `${x.from}>${x.to}` : pathOf(x)}`);

describe('three-way reconcile: the rules of docs/sync-semantics.md', () => {
  it('only-one-side-changed: the changed side travels', () => {
    const a = tree(file('x', 'old'), file('y', 'old'));
    const l = tree(file('x', 'new-local', 2000), a.get('y') as TreeEntry);
    const r = tree(a.get('x') as TreeEntry, file('y', 'new-remote', 3000));
    expect(kinds(reconcile(a, l, r, opts()).actions)).toEqual(['push:upload x', 'pullFile y']);
  });

  it('new-device-gets-everything: an empty new folder downloads the share and deletes nothing', () => {
    const r = tree(dir('d'), file('d/a', 'A'), file('b', 'B'));
    const res = reconcile(new Map(), new Map(), r, opts());
    expect(res.halt).toBeNull();
    expect(kinds(res.actions)).toEqual(['pullFile b', 'pullDir d', 'pullFile d/a']);
  });

  it('both-changed-same-content: adopted, nothing travels', () => {
    const a = tree(file('x', 'old'));
    const both = file('x', 'same', 5000);
    const res = reconcile(a, tree(both), tree({ ...both }), opts());
    expect(kinds(res.actions)).toEqual(['adopt x']);
    expect(res.conflicts).toEqual([]);
  });

  it('both-changed-differently: the remote keeps the path, the local version becomes a conflict copy', () => {
    const a = tree(file('notes.txt', 'old'));
    const res = reconcile(a, tree(file('notes.txt', 'mine', 2000)), tree(file('notes.txt', 'theirs', 3000)), opts());
    const copy = 'notes.conflict-laptop-20261204-153007.txt';
    expect(kinds(res.actions)).toEqual([`setAside notes.txt`, 'pullFile notes.txt']);
    expect(res.actions[0]).toMatchObject({ copy });
    expect(res.conflicts).toMatchObject([{ path: 'notes.txt', copy, why: 'both-changed' }]);
  });

  it('edit-beats-delete, both ways', () => {
    const a = tree(file('x', 'old'), file('y', 'old'));
    const l = tree(file('x', 'edited', 2000)); // y deleted here
    const r = tree(file('y', 'edited', 2000)); // x deleted there
    expect(kinds(reconcile(a, l, r, opts()).actions)).toEqual(['push:upload x', 'pullFile y']);
  });

  it('folder-delete-keeps-new-files: a folder removed on the server keeps what was added here', () => {
    const keep = file('keep', 'k');
    const a = tree(keep, dir('d'), file('d/old', 'o'));
    const l = tree(keep, a.get('d') as TreeEntry, a.get('d/old') as TreeEntry, file('d/new', 'n'));
    const res = reconcile(a, l, tree(keep), opts());
    expect(kinds(res.actions)).toEqual(['pullRemove d/old', 'push:mkdir d', 'push:upload d/new']);
  });

  it('folder-delete-keeps-new-files: a folder removed here keeps what the server added', () => {
    const a = tree(dir('d'), file('d/old', 'o'));
    const r = tree(a.get('d') as TreeEntry, a.get('d/old') as TreeEntry, file('d/new', 'n'));
    const res = reconcile(a, new Map([['keep', file('keep', 'k')]]), r, opts());
    expect(kinds(res.actions)).toEqual(["push:remove d/old", "pullDir d", "pullFile d/new", "push:upload keep"]);
  });

  it('file-vs-folder: both survive, the file as a conflict copy', () => {
    const l = tree(file('p', 'a file'));
    const r = tree(dir('p'), file('p/inner', 'i'));
    const res = reconcile(new Map(), l, r, opts());
    expect(res.conflicts[0]).toMatchObject({ path: 'p', why: 'file-vs-folder' });
    expect(kinds(res.actions)).toEqual(['setAside p', 'pullDir p', 'pullFile p/inner']);
    const l2 = tree(dir('p'), file('p/inner', 'i'));
    const r2 = tree(file('p', 'a file'));
    const res2 = reconcile(new Map(), l2, r2, opts());
    expect(kinds(res2.actions)[0]).toMatch(/^push:move p>p\.conflict-/);
  });

  it('name-clash: names equal but for case are reported on a case-folding device, never merged', () => {
    const res = reconcile(new Map(), tree(file('Readme', 'a')), tree(file('README', 'b')), opts({ caseInsensitive: true }));
    expect(res.clashes).toEqual(['Readme']);
    expect(kinds(res.actions)).toEqual(['pullFile README']);
    const nfd = 'cafe\u0301';
    const res2 = reconcile(new Map(), tree(file('café', 'a')), tree(file(nfd, 'b')), opts());
    expect(res2.clashes).toHaveLength(1);
  });

  it('moves-as-moves: a local rename is one server move, a server rename one local rename', () => {
    const x = file('a.bin', 'data');
    const a = tree(x);
    const moved = { ...x, path: 'b.bin' };
    expect(kinds(reconcile(a, tree(moved), tree(x), opts()).actions)).toEqual(['push:move a.bin>b.bin']);
    expect(kinds(reconcile(a, tree(x), tree({ ...x, path: 'c.bin', ino: 0 }), opts()).actions)).toEqual(['pullMove a.bin>c.bin']);
  });

  it('safety-halt: a vanished or emptied local folder, or an emptied share, halts', () => {
    const a = tree(file('x', '1'), file('y', '2'));
    expect(reconcile(a, a, a, opts({ rootExists: false })).halt?.code).toBe('SAFETY_HALT');
    expect(reconcile(a, new Map(), a, opts()).halt?.message).toMatch(/local folder is empty/);
    expect(reconcile(a, a, new Map(), opts()).halt?.message).toMatch(/share on the server was emptied/);
    expect(reconcile(a, new Map(), a, opts({ allowEmptyRoot: true })).halt).toBeNull();
  });

  it('receive-mode: local changes are not sent but listed; server changes arrive; a clash keeps both', () => {
    const a = tree(file('x', 'old'), file('y', 'old'));
    const l = tree(file('x', 'local edit', 2000), a.get('y') as TreeEntry, file('z', 'new here'));
    const r = tree(a.get('x') as TreeEntry, file('y', 'server edit', 3000));
    const res = reconcile(a, l, r, opts({ mode: 'receive' }));
    expect(res.localOnly.sort()).toEqual(['x', 'z']);
    expect(kinds(res.actions)).toEqual(['pullFile y']);
    expect(res.actions.some((x) => x.kind === 'push')).toBe(false);
  });

  it('mirror-mode: the mirror planner, with its safety halt', () => {
    const l = tree(file('x', '1'));
    const r = tree(file('y', '2'));
    expect(kinds(reconcile(new Map(), l, r, opts({ mode: 'mirror' })).actions)).toEqual(['push:remove y', 'push:upload x']);
    expect(reconcile(new Map(), new Map(), r, opts({ mode: 'mirror' })).halt?.code).toBe('SAFETY_HALT');
  });

  it('conflict copy names keep the extension last and never reuse a name', () => {
    expect(conflictCopyName('a/b/report.final.pdf', 'Jo’s Mac', NOW)).toBe('a/b/report.final.conflict-Jo-s-Mac-20261204-153007.pdf');
    expect(conflictCopyName('.bashrc', 'pc', NOW)).toBe('.bashrc.conflict-pc-20261204-153007');
    const taken = new Set(['x.conflict-pc-20261204-153007.txt']);
    expect(conflictCopyName('x.txt', 'pc', NOW, (p) => taken.has(p))).toBe('x.conflict-pc-20261204-153007-2.txt');
    expect(isConflictCopy('x.conflict-pc-20261204-153007-2.txt')).toBe(true);
    expect(isConflictCopy('x.txt')).toBe(false);
  });
});

// ---- property tests: random histories on two devices against a model of both folders ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  anc: Tree;
  local: Tree;
  remote: Tree;
  /** Every content the server ever replaced or removed (its versions folder). */
  versions: Set<string>;
  clock: number;
}

const NAMES = ['a', 'b', 'c', 'd/a', 'd/b', 'd/e/f', 'e', 'e/x'];

function mutate(t: Tree, r: () => number, w: World, tag: string, written: Set<string>, onRemove?: (e: TreeEntry) => void): void {
  const pick = NAMES[Math.floor(r() * NAMES.length)] as string;
  const roll = r();
  const existing = t.get(pick);
  if (roll < 0.55) {
    // create or edit a file (its folders made as needed; a file in the way of a folder is left alone)
    const parts = pick.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      const e = t.get(d);
      if (e && e.kind !== 'dir') return;
      if (!e) t.set(d, dir(d));
    }
    if (existing?.kind === 'dir') return;
    if (existing && onRemove) onRemove(existing);
    const content = `${tag}-${w.clock}-${Math.floor(r() * 1e6)}`;
    written.add(hashOf(content));
    t.set(pick, file(pick, content, ++w.clock));
  } else if (roll < 0.8) {
    if (!existing) return;
    for (const [p, e] of t) if (p === pick || isWithin(p, pick)) onRemove?.(e);
    deleteWithin(t, pick);
  } else {
    // rename a file to a free name
    if (existing?.kind !== 'file') return;
    const to = `${pick.replace(/\//g, '_')}-mv${w.clock++}`;
    renameWithin(t, pick, to);
  }
}

/** Apply one action to the model, as the session would on disk and on the server. */
function applyAction(w: World, x: Action): void {
  const keepVersion = (p: string) => {
    for (const [q, e] of w.remote) if ((q === p || isWithin(q, p)) && e.hash) w.versions.add(e.hash);
  };
  switch (x.kind) {
    case 'push': {
      const op = x.op;
      if (op.kind === 'move') {
        keepVersion(op.to);
        renameWithin(w.remote, op.from, op.to);
        renameWithin(w.anc, op.from, op.to);
        return;
      }
      if (op.kind === 'remove') {
        keepVersion(op.path);
        deleteWithin(w.remote, op.path);
        deleteWithin(w.anc, op.path);
        return;
      }
      const l = w.local.get(op.path) as TreeEntry;
      if (op.kind === 'setMeta') {
        const r = w.remote.get(op.path) as TreeEntry;
        w.remote.set(op.path, { ...r, mode: op.mode });
        w.anc.set(op.path, { ...l });
        return;
      }
      const old = w.remote.get(op.path);
      if (old && (old.kind !== l.kind || old.hash !== l.hash)) keepVersion(op.path);
      if (old && old.kind !== l.kind) deleteWithin(w.remote, op.path);
      w.remote.set(op.path, { ...l, ino: 0 });
      w.anc.set(op.path, { ...l });
      return;
    }
    case 'pullFile':
    case 'pullLink':
    case 'pullDir': {
      const cur = w.local.get(x.path);
      if (x.kind === 'pullDir' && cur?.kind === 'dir') {
        w.anc.set(x.path, { ...cur });
        return;
      }
      if (cur && x.kind !== 'pullDir' && (x.expect === undefined || cur.ino !== x.expect.ino)) throw new Error(`would overwrite ${x.path}`);
      const e = { ...x.entry, ino: inoSeq++ };
      w.local.set(x.path, e);
      w.anc.set(x.path, { ...e });
      return;
    }
    case 'pullMeta': {
      const cur = w.local.get(x.path) as TreeEntry;
      const e = { ...cur, mode: x.entry.mode };
      w.local.set(x.path, e);
      w.anc.set(x.path, { ...e, hash: x.entry.hash });
      return;
    }
    case 'pullRemove': {
      const cur = w.local.get(x.path);
      if (cur === undefined) return;
      if (cur.kind === 'dir') {
        for (const p of w.local.keys()) if (p !== x.path && isWithin(p, x.path)) return; // rmdir of a non-empty folder fails: next round
      } else if (cur.ino !== x.expect.ino) return;
      w.local.delete(x.path);
      w.anc.delete(x.path);
      return;
    }
    case 'pullMove':
      renameWithin(w.local, x.from, x.to);
      w.anc.delete(x.from);
      w.anc.set(x.to, { ...(w.local.get(x.to) as TreeEntry) });
      return;
    case 'setAside':
      renameWithin(w.local, x.path, x.copy);
      deleteWithin(w.anc, x.path);
      return;
    case 'adopt':
      if (x.entry === null) w.anc.delete(x.path);
      else w.anc.set(x.path, { ...(w.local.get(x.path) as TreeEntry), hash: x.entry.hash });
      return;
  }
}

function settle(w: World, mode: 'two-way' | 'receive'): number {
  for (let round = 0; round < 12; round++) {
    // The session hashes local files that both sides changed: the model's local entries carry their hash already.
    const res = reconcile(w.anc, w.local, w.remote, opts({ mode, now: NOW + round * 1000, allowEmptyRoot: true }));
    if (res.halt) throw res.halt;
    if (res.actions.length === 0) return round;
    if (process.env.TRACE_SEED) console.log(round, kinds(res.actions), [...w.local.keys()], [...w.remote.keys()], [...w.anc.keys()]);
    for (const x of res.actions) applyAction(w, x);
  }
  throw new Error('did not settle in 12 rounds');
}

function contents(t: Tree): string[] {
  return [...t.values()].filter((e) => e.kind === 'file').map((e) => `${e.path}:${e.hash}`).sort();
}

describe('three-way reconcile: properties over random histories', () => {
  const SEEDS = Number(process.env.SEEDS ?? 2000);
  const FIRST = Number(process.env.TRACE_SEED ?? 1);
  it(`converges, loses nothing and is idempotent (${SEEDS} seeds)`, () => {
    for (let seed = FIRST; seed <= SEEDS; seed++) {
      const r = rng(seed);
      const w: World = { anc: new Map(), local: new Map(), remote: new Map(), versions: new Set(), clock: 10_000 };
      const written = new Set<string>();
      try {
        // A shared start, then offline changes on both sides, then a few live rounds.
        for (let i = 0; i < 6; i++) mutate(w.local, r, w, 'L', written);
        settle(w, 'two-way');
        for (let phase = 0; phase < 3; phase++) {
          const n = 1 + Math.floor(r() * 5);
          for (let i = 0; i < n; i++) mutate(w.local, r, w, `L${phase}`, written);
          const m = Math.floor(r() * 5);
          for (let i = 0; i < m; i++) mutate(w.remote, r, w, `R${phase}`, written, (e) => e.hash && w.versions.add(e.hash));
          const before = hashesOf(w);
          settle(w, 'two-way');
          // Nothing lost: every content on either side before the sync is on a side or in the server's versions.
          const after = hashesOf(w);
          for (const h of before) expect(after.has(h) || w.versions.has(h), `content ${h} lost`).toBe(true);
          expect(contents(w.local)).toEqual(contents(w.remote));
          expect([...w.local.keys()].sort(comparePaths)).toEqual([...w.remote.keys()].sort(comparePaths));
          // Idempotent: once settled, nothing more to do.
          expect(reconcile(w.anc, w.local, w.remote, opts({ allowEmptyRoot: true })).actions).toEqual([]);
        }
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err });
      }
    }
  });

  it(`receive mode: the folder follows the server and keeps local edits as copies (${SEEDS / 4} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS / 4; seed++) {
      const r = rng(seed * 7919);
      const w: World = { anc: new Map(), local: new Map(), remote: new Map(), versions: new Set(), clock: 10_000 };
      const written = new Set<string>();
      for (let i = 0; i < 6; i++) mutate(w.remote, r, w, 'R', written);
      settle(w, 'receive');
      expect(contents(w.local)).toEqual(contents(w.remote));
      for (let i = 0; i < 4; i++) mutate(w.remote, r, w, 'R2', written);
      settle(w, 'receive');
      const res = reconcile(w.anc, w.local, w.remote, opts({ mode: 'receive', allowEmptyRoot: true }));
      expect(res.actions.filter((x) => x.kind === 'push')).toEqual([]);
      // Every server file is here with the server's content.
      const local = new Map([...w.local.values()].map((e) => [e.path, e.hash]));
      for (const e of w.remote.values()) if (e.kind === 'file') expect(local.get(e.path)).toBe(e.hash);
    }
  });
});

function hashesOf(w: World): Set<string> {
  const out = new Set<string>();
  for (const t of [w.local, w.remote]) for (const e of t.values()) if (e.hash) out.add(e.hash);
  return out;
}
