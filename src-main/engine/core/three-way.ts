/**
 * The three-way reconcile of a two-way or receive pair: ancestor (the last state both sides agreed on), local and
 * remote trees in, every action in both directions and every conflict out. Pure: no I/O, no clock (the caller
 * passes `now`). Mirror pairs are planned by planMirror (core/plan.ts); `reconcile` dispatches on the mode so the
 * safety halt of every mode is decided here, in one place.
 *
 * Rules (docs/sync-semantics.md names a test after each):
 * - a side changed a path when it differs from the ancestor; only one side changed → that side's state travels;
 * - both changed to the same content → nothing travels, the ancestor adopts it;
 * - both changed to different content → the remote version stays at the path, the local one is set aside as a
 *   conflict copy (which then travels as a new file): nothing is lost;
 * - an edit against a delete keeps the edit; a folder deleted on one side keeps what the other side added inside;
 * - a file against a folder: the folder keeps the path, the file becomes the conflict copy;
 * - names that differ only in case or Unicode normalisation are reported (when the folder cannot hold both);
 * - a local root that vanished or was emptied, or a share that was emptied, halts instead of deleting everything.
 */
import type { SyncMode } from '../../../src-shared/model/index';
import { FerryError } from '../errors';
import { conflictCopyName } from './conflict-name';
import type { SyncOp } from './operations';
import { planMirror } from './plan';
import { checkSafety } from './safety';
import { ancestorsOf, comparePaths, type Tree, type TreeEntry } from './tree';

/** A remote entry may say which device wrote it (the change feed's `device`). */
export interface RemoteEntry extends TreeEntry {
  device?: string;
}

/** One step of a reconcile's outcome. */
export type Action =
  | { kind: 'push'; op: SyncOp }
  | { kind: 'pullFile'; path: string; entry: RemoteEntry; expect: TreeEntry | undefined }
  | { kind: 'pullDir'; path: string; entry: RemoteEntry }
  | { kind: 'pullLink'; path: string; entry: RemoteEntry; expect: TreeEntry | undefined }
  | { kind: 'pullMeta'; path: string; entry: RemoteEntry }
  | { kind: 'pullRemove'; path: string; expect: TreeEntry }
  | { kind: 'pullMove'; from: string; to: string; entry: RemoteEntry; expect: TreeEntry }
  | { kind: 'setAside'; path: string; copy: string; expect: TreeEntry }
  | { kind: 'adopt'; path: string; entry: RemoteEntry | null };

/** A conflict found by the reconcile: both sides changed `path`; the local version went to `copy`. */
export interface ConflictNote {
  path: string;
  copy: string;
  local: TreeEntry | null;
  remote: RemoteEntry | null;
  why: 'both-changed' | 'file-vs-folder';
}

/** What the reconcile decided. */
export interface ReconcileResult {
  actions: Action[];
  conflicts: ConflictNote[];
  /** receive mode: local changes that are not sent (shown as such). */
  localOnly: string[];
  /** Paths whose names clash on this device (case or normalisation): reported, not synced. */
  clashes: string[];
  halt: FerryError | null;
}

/** Inputs besides the three trees. */
export interface ReconcileOptions {
  mode: SyncMode;
  /** This device's name, for conflict copies. */
  device: string;
  now: number;
  rootExists: boolean;
  allowEmptyRoot?: boolean;
  isIgnored?: (path: string, isDir: boolean) => boolean;
  /** The local file system folds case (macOS, Windows defaults): names equal but for case clash. */
  caseInsensitive?: boolean;
  /**
   * The trees are one region of the pair (a live round): the caller has checked the safety halts on the whole
   * trees (twoWaySafety), and `taken` says which names exist outside the region (for conflict copy names).
   */
  region?: { taken: (path: string) => boolean };
}

type Change = 'none' | 'meta' | 'content' | 'gone';

/** Reconcile the three trees for `opts.mode`. */
export function reconcile(ancestor: Tree, local: Tree, remote: Tree, opts: ReconcileOptions): ReconcileResult {
  const empty: ReconcileResult = { actions: [], conflicts: [], localOnly: [], clashes: [], halt: null };
  if (opts.mode === 'mirror') {
    const halt = checkSafety(local, remote, { allowEmptyRoot: opts.allowEmptyRoot ?? false, rootExists: opts.rootExists });
    if (halt) return { ...empty, halt };
    const ops = planMirror(local, remote, opts.isIgnored ? { isIgnored: opts.isIgnored } : {});
    return { ...empty, actions: ops.map((op) => ({ kind: 'push', op })) };
  }
  const halt = opts.region ? null : twoWaySafety(ancestor, local, remote, opts);
  if (halt) return { ...empty, halt };
  return new ThreeWay(ancestor, local, remote, opts).run();
}

/** A vanished or emptied local root, or a share emptied by someone else, is far likelier a mistake than an intent. */
export function twoWaySafety(ancestor: Tree, local: Tree, remote: Tree, opts: Pick<ReconcileOptions, 'rootExists' | 'allowEmptyRoot'>): FerryError | null {
  if (!opts.rootExists) {
    return new FerryError('SAFETY_HALT', 'The local folder is missing (deleted or on an unmounted drive); nothing was changed.');
  }
  if (opts.allowEmptyRoot) return null;
  const synced = countFiles(ancestor);
  if (synced === 0) return null;
  if (countFiles(local) === 0 && countFiles(remote) > 0) {
    return new FerryError('SAFETY_HALT', `The local folder is empty but held ${synced} synced file(s); Ferry stopped instead of deleting them everywhere. Allow empty folder sync to proceed.`);
  }
  if (countFiles(remote) === 0 && countFiles(local) > 0) {
    return new FerryError('SAFETY_HALT', `The share on the server was emptied (it held ${synced} synced file(s)); Ferry stopped instead of deleting them here. Allow empty folder sync to proceed.`);
  }
  return null;
}

function countFiles(t: Tree): number {
  let n = 0;
  for (const e of t.values()) if (e.kind !== 'dir') n++;
  return n;
}

/** How `now` differs from `before` (the ancestor): the core comparison on both sides. */
export function changeOf(before: TreeEntry | undefined, now: TreeEntry | undefined, side: 'local' | 'remote'): Change {
  if (now === undefined) return before === undefined ? 'none' : 'gone';
  if (before === undefined || before.kind !== now.kind) return 'content';
  switch (now.kind) {
    case 'file': {
      // The remote side carries a content identity; the local side is judged by its stat, as a scan sees it.
      const sameContent =
        side === 'remote' && now.hash !== undefined && before.hash !== undefined
          ? now.hash === before.hash && now.size === before.size
          : now.size === before.size && Math.floor(now.mtimeMs) === Math.floor(before.mtimeMs);
      if (!sameContent) return 'content';
      return (now.mode & 0o777) === (before.mode & 0o777) ? 'none' : 'meta';
    }
    case 'dir':
      return (now.mode & 0o777) === (before.mode & 0o777) ? 'none' : 'meta';
    case 'symlink':
      return now.target === before.target ? 'none' : 'content';
  }
}

/** Do the local and remote entries hold the same content (so a change on both sides is no conflict)? */
export function sameContent(l: TreeEntry, r: TreeEntry): boolean {
  if (l.kind !== r.kind) return false;
  switch (l.kind) {
    case 'dir':
      return true;
    case 'symlink':
      return l.target === r.target;
    case 'file':
      if (l.size !== r.size) return false;
      if (l.hash !== undefined && r.hash !== undefined) return l.hash === r.hash;
      return false; // without the local content identity, different files until proven equal
  }
}

class ThreeWay {
  private readonly out: ReconcileResult = { actions: [], conflicts: [], localOnly: [], clashes: [], halt: null };
  private readonly paths: string[];
  /** Paths that will exist locally / remotely after the actions (for the folder rules). */
  private readonly keptLocal = new Set<string>();
  private readonly keptRemote = new Set<string>();
  private readonly usedNames = new Set<string>();
  private readonly pulledMoveSources = new Set<string>();
  private readonly pushedMoveTargets = new Set<string>();
  private readonly pushedMoveSources = new Set<string>();
  private readonly twoWay: boolean;
  /** Folders with something changed beneath them, per side (a folder replaced by a file must not lose those). */
  private readonly localChangedBelow = new Set<string>();

  constructor(
    private readonly anc: Tree,
    private readonly local: Tree,
    private readonly remote: Tree,
    private readonly opts: ReconcileOptions,
  ) {
    this.twoWay = opts.mode === 'two-way';
    const all = new Set<string>([...anc.keys(), ...local.keys(), ...remote.keys()]);
    const ignored = opts.isIgnored;
    this.paths = [...all].filter((p) => !ignored || !ignored(p, (local.get(p) ?? remote.get(p) ?? anc.get(p))?.kind === 'dir')).sort(comparePaths);
    for (const p of all) this.usedNames.add(p);
    for (const [p, l] of local) if (changeOf(anc.get(p), l, 'local') !== 'none') for (const d of ancestorsOf(p)) this.localChangedBelow.add(d);
  }

  run(): ReconcileResult {
    this.findClashes();
    if (this.twoWay) this.findLocalMoves();
    this.findRemoteMoves();
    const removals: Action[] = [];
    const creations: Action[] = [];
    for (const p of this.paths) {
      if (this.out.clashes.includes(p) || this.pulledMoveSources.has(p) || this.pushedMoveSources.has(p) || this.pushedMoveTargets.has(p)) continue;
      this.decide(p, removals, creations);
    }
    this.keepFoldersWithSurvivors(removals, creations);
    // Parents first; one path's steps keep their order (a stable sort): set aside, then fetch; move away, then make.
    const at = (x: Action) => (x.kind === 'push' && x.op.kind === 'move' ? x.op.from : pathOf(x));
    creations.sort((a, b) => comparePaths(at(a), at(b)));
    // Removals children first, then everything else parents first (the order a file system needs).
    removals.sort((a, b) => comparePaths(pathOf(b), pathOf(a)));
    this.out.actions.push(...removals, ...creations);
    return this.out;
  }

  private decide(p: string, removals: Action[], creations: Action[]): void {
    const a = this.anc.get(p);
    const l = this.local.get(p);
    const r = this.remote.get(p) as RemoteEntry | undefined;
    const lc = changeOf(a, l, 'local');
    const rc = changeOf(a, r, 'remote');
    if (l) this.keptLocal.add(p);
    if (r) this.keptRemote.add(p);
    if (lc === 'none' && rc === 'none') return;
    if (rc === 'none') return this.localOnlyChange(p, l, r, lc, removals, creations);
    if (lc === 'none') return this.remoteOnlyChange(p, l, r, removals, creations);
    // Both sides changed.
    if (l === undefined && r === undefined) return void creations.push({ kind: 'adopt', path: p, entry: null });
    if (l === undefined) return this.pull(p, l, r as RemoteEntry, creations); // deleted here, edited there: the edit wins
    if (r === undefined) return this.localOnlyChange(p, l, r, lc, removals, creations); // edited here, deleted there
    if (sameContent(l, r)) {
      creations.push({ kind: 'adopt', path: p, entry: { ...r, ...(l.ino === undefined ? {} : { ino: l.ino }) } });
      if ((l.mode & 0o777) !== (r.mode & 0o777) && l.kind !== 'symlink') creations.push({ kind: 'pullMeta', path: p, entry: r });
      return;
    }
    if (l.kind === 'dir' && r.kind === 'dir') return void creations.push({ kind: 'pullMeta', path: p, entry: r });
    if (l.kind === 'dir' && this.twoWay) {
      // The folder keeps the path: the remote file moves aside on the server, then arrives here as a new file.
      const copy = this.copyName(p, r.device ?? 'server');
      this.out.conflicts.push({ path: p, copy, local: l, remote: r, why: 'file-vs-folder' });
      this.keptRemote.delete(p);
      return void creations.push({ kind: 'push', op: { kind: 'move', from: p, to: copy } });
    }
    // Remote version keeps the path; the local one is set aside (then sent, in two-way, as a new file).
    const copy = this.copyName(p, this.opts.device);
    this.out.conflicts.push({ path: p, copy, local: l, remote: r, why: l.kind !== r.kind ? 'file-vs-folder' : 'both-changed' });
    creations.push({ kind: 'setAside', path: p, copy, expect: l });
    this.pull(p, undefined, r, creations);
  }

  /** Only this side changed `p`: send it (two-way), or note it (receive). */
  private localOnlyChange(p: string, l: TreeEntry | undefined, r: RemoteEntry | undefined, lc: Change, removals: Action[], creations: Action[]): void {
    if (!this.twoWay) {
      this.out.localOnly.push(p);
      return;
    }
    if (l === undefined) {
      if (r !== undefined) {
        this.keptRemote.delete(p);
        removals.push({ kind: 'push', op: { kind: 'remove', path: p } });
      }
      return;
    }
    this.keptRemote.add(p);
    if (lc === 'meta' && r !== undefined && r.kind === l.kind) {
      return void creations.push({ kind: 'push', op: { kind: 'setMeta', path: p, mode: l.mode & 0o777, mtimeMs: Math.floor(l.mtimeMs) } });
    }
    creations.push({ kind: 'push', op: createOp(l) });
  }

  /** Only the server changed `p`: bring it here. */
  private remoteOnlyChange(p: string, l: TreeEntry | undefined, r: RemoteEntry | undefined, removals: Action[], creations: Action[]): void {
    if (r === undefined) {
      if (l !== undefined) {
        this.keptLocal.delete(p);
        removals.push({ kind: 'pullRemove', path: p, expect: l });
      }
      return;
    }
    const a = this.anc.get(p);
    if (l !== undefined && a !== undefined && changeOf(a, r, 'remote') === 'meta' && l.kind === r.kind) {
      return void creations.push({ kind: 'pullMeta', path: p, entry: r });
    }
    if (l?.kind === 'dir' && this.localChangedBelow.has(p)) {
      // The server made a file of a folder this side added to: the folder keeps the path, the file moves aside.
      const copy = this.copyName(p, r.device ?? 'server');
      this.out.conflicts.push({ path: p, copy, local: l, remote: r, why: 'file-vs-folder' });
      if (!this.twoWay) return void creations.push({ kind: 'setAside', path: p, copy: this.copyName(p, this.opts.device), expect: l }, { kind: 'pullFile', path: p, entry: r, expect: undefined });
      this.keptRemote.add(p);
      return void creations.push({ kind: 'push', op: { kind: 'move', from: p, to: copy } }, { kind: 'push', op: createOp(l) });
    }
    if (l !== undefined && l.kind !== r.kind) {
      // This side still holds the old kind unchanged: it goes (the server kept it in versions when replaced).
      removals.push({ kind: 'pullRemove', path: p, expect: l });
      return this.pull(p, undefined, r, creations);
    }
    this.pull(p, l, r, creations);
  }

  private pull(p: string, l: TreeEntry | undefined, r: RemoteEntry, creations: Action[]): void {
    this.keptLocal.add(p);
    switch (r.kind) {
      case 'dir':
        return void creations.push({ kind: 'pullDir', path: p, entry: r });
      case 'file':
        return void creations.push({ kind: 'pullFile', path: p, entry: r, expect: l });
      case 'symlink':
        return void creations.push({ kind: 'pullLink', path: p, entry: r, expect: l });
    }
  }

  /**
   * A folder removed on one side while the other side added or changed something inside keeps those: the
   * removal is dropped and the folder is made again where it went.
   */
  private keepFoldersWithSurvivors(removals: Action[], creations: Action[]): void {
    for (let i = removals.length - 1; i >= 0; i--) {
      const x = removals[i] as Action;
      const p = pathOf(x);
      if (x.kind === 'pullRemove' && x.expect.kind === 'dir' && hasBelow(this.keptLocal, p)) {
        removals.splice(i, 1);
        this.keptLocal.add(p);
        if (this.twoWay) creations.push({ kind: 'push', op: createOp(x.expect) });
      } else if (x.kind === 'push' && x.op.kind === 'remove' && this.remote.get(p)?.kind === 'dir' && hasBelow(this.keptRemote, p)) {
        removals.splice(i, 1);
        this.keptRemote.add(p);
        creations.push({ kind: 'pullDir', path: p, entry: this.remote.get(p) as RemoteEntry });
      }
    }
    // A kept path needs its folders on both sides.
    for (const x of creations) {
      if (x.kind !== 'push' || x.op.kind === 'remove') continue;
      for (const anc of ancestorsOf(pathOf(x))) {
        const idx = removals.findIndex((y) => y.kind === 'push' && y.op.kind === 'remove' && pathOf(y) === anc);
        if (idx >= 0) removals.splice(idx, 1);
      }
    }
  }

  /** Local renames by inode (file stat kept, remote unchanged at the source): one server `move`, no data. */
  private findLocalMoves(): void {
    const goneByIno = new Map<number, string>();
    for (const [p, a] of this.anc) {
      if (a.ino === undefined || a.ino === 0 || this.local.has(p)) continue;
      if (changeOf(a, this.remote.get(p), 'remote') !== 'none') continue;
      if (a.kind !== 'file') continue; // folders: their children travel as moves one by one
      goneByIno.set(a.ino, p);
    }
    if (goneByIno.size === 0) return;
    for (const [p, l] of this.local) {
      if (l.kind !== 'file' || l.ino === undefined || this.anc.has(p) || this.remote.has(p)) continue;
      const from = goneByIno.get(l.ino);
      if (from === undefined) continue;
      const a = this.anc.get(from) as TreeEntry;
      if (a.size !== l.size || Math.floor(a.mtimeMs) !== Math.floor(l.mtimeMs)) continue;
      goneByIno.delete(l.ino);
      this.pushedMoveSources.add(from);
      this.pushedMoveTargets.add(p);
      this.keptRemote.add(p);
      this.keptLocal.add(p);
      this.out.actions.push({ kind: 'push', op: { kind: 'move', from, to: p } });
    }
  }

  /** Server-side renames by content identity (source unchanged here, target new here): a local rename, no data. */
  private findRemoteMoves(): void {
    const goneByHash = new Map<string, string[]>();
    for (const [p, a] of this.anc) {
      if (a.kind !== 'file' || a.hash === undefined || this.remote.has(p) || this.pushedMoveSources.has(p)) continue;
      const l = this.local.get(p);
      if (l === undefined || changeOf(a, l, 'local') !== 'none') continue;
      const list = goneByHash.get(a.hash) ?? [];
      list.push(p);
      goneByHash.set(a.hash, list);
    }
    if (goneByHash.size === 0) return;
    for (const [p, r] of this.remote) {
      if (r.kind !== 'file' || r.hash === undefined || this.anc.has(p) || this.local.has(p)) continue;
      const from = goneByHash.get(r.hash)?.pop();
      if (from === undefined) continue;
      this.pulledMoveSources.add(from);
      this.keptLocal.add(p);
      this.out.actions.push({ kind: 'pullMove', from, to: p, entry: r as RemoteEntry, expect: this.local.get(from) as TreeEntry });
      // Mark the target decided: it was taken care of by the move.
      this.pushedMoveTargets.add(p);
    }
  }

  /** Paths equal but for case or normalisation, on a side that cannot hold both: reported, never merged. */
  private findClashes(): void {
    const fold = (p: string) => (this.opts.caseInsensitive ? p.normalize('NFC').toLowerCase() : p.normalize('NFC'));
    const seen = new Map<string, string>();
    for (const p of this.paths) {
      const k = fold(p);
      const other = seen.get(k);
      if (other === undefined) seen.set(k, p);
      else if (other !== p) this.out.clashes.push(p);
    }
  }

  private copyName(p: string, device: string): string {
    const name = conflictCopyName(p, device, this.opts.now, (c) => this.usedNames.has(c) || (this.opts.region?.taken(c) ?? false));
    this.usedNames.add(name);
    return name;
  }
}

function hasBelow(set: ReadonlySet<string>, dir: string): boolean {
  const prefix = `${dir}/`;
  for (const p of set) if (p.startsWith(prefix)) return true;
  return false;
}

/** The operation that creates `l` on the server. */
function createOp(l: TreeEntry): SyncOp {
  switch (l.kind) {
    case 'dir':
      return { kind: 'mkdir', path: l.path, mode: l.mode & 0o777, mtimeMs: Math.floor(l.mtimeMs) };
    case 'symlink':
      return { kind: 'symlink', path: l.path, target: l.target ?? '', mtimeMs: Math.floor(l.mtimeMs) };
    case 'file': {
      const op: SyncOp = { kind: 'upload', path: l.path, size: l.size, mtimeMs: Math.floor(l.mtimeMs), mode: l.mode & 0o777 };
      if (l.diskPath !== undefined) op.diskPath = l.diskPath;
      if (l.ino !== undefined) op.ino = l.ino;
      return op;
    }
  }
}

/** The path an action concerns; a move's target, or with `side: 'from'` its source. */
export function pathOf(x: Action, side: 'to' | 'from' = 'to'): string {
  switch (x.kind) {
    case 'push':
      return x.op.kind === 'move' ? x.op[side] : x.op.path;
    case 'pullMove':
      return x[side];
    default:
      return x.path;
  }
}
