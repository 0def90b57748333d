/** Conflicts reported by the pairs' sessions, and what settling one does to the local folder. */
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ConflictChoice, ConflictRecord, FolderPair } from '../../../src-shared/model';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { FerryError } from '../errors';
import { readJsonFile, writeJsonFile } from './json-file';
import { resolveInside } from './local-path';
import { pathExists } from '../fs/path-exists';
import { assertNoLinkBetween } from '../fs/safe-path';

/**
 * Fetches a file from the server a pair points to (the client's `downloadFile`). `within`: the pair's folder
 * when `localAbs` is in it; the download must then never write through a symlink below that folder.
 */
export type Downloader = (pair: FolderPair, area: 'share' | 'versions', remotePath: string, localAbs: string, within: string) => Promise<void>;

/** Settled conflicts kept for the UI's "resolved" list; open ones are never dropped. */
const MAX_RESOLVED_KEPT = 200;

/** Open and settled conflicts, newest last; saved to `file` so a restart does not hide an open conflict. */
export class ConflictBook {
  private readonly records = new Map<string, ConflictRecord>();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly download: Downloader,
    private readonly onChange: () => void,
    private readonly file: string | null = null,
    private readonly onSaveError: (err: unknown) => void = () => {},
  ) {}

  /** Load the saved conflicts of the pairs that still exist. */
  async load(pairIds: readonly string[]): Promise<void> {
    if (this.file === null) return;
    const saved = await readJsonFile(this.file);
    for (const r of Array.isArray(saved) ? saved : []) {
      if (isConflictRecord(r) && pairIds.includes(r.pairId)) this.records.set(r.id, r);
    }
    this.onChange();
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.saving;
  }

  /** Remember a conflict a session detected (a repeated id replaces the old record). */
  add(record: ConflictRecord): void {
    this.records.delete(record.id);
    this.records.set(record.id, record);
    this.changed();
  }

  /** All conflicts, settled ones included (the UI may show them greyed out). */
  list(): ConflictRecord[] {
    return [...this.records.values()];
  }

  /** The conflict with this id; NOT_FOUND otherwise. */
  get(id: string): ConflictRecord {
    const r = this.records.get(id);
    if (!r) throw new FerryError('NOT_FOUND', `No conflict with id ${id}`);
    return r;
  }

  /** Forget the conflicts of a removed pair. */
  dropPair(pairId: string): void {
    let changed = false;
    for (const [id, r] of this.records) if (r.pairId === pairId) changed = this.records.delete(id);
    if (changed) this.changed();
  }

  /**
   * Settle a conflict. The server already holds the local version (the upload won, the server's version was
   * kept aside), so keepLocal only marks it; keepServer writes the kept version over the local file (the
   * watcher then uploads it again, cheaply: its chunks are on the server); keepBoth saves it beside the file.
   */
  async resolve(id: string, choice: ConflictChoice, pair: FolderPair): Promise<void> {
    const record = this.get(id);
    if (record.copy) return this.resolveCopy(record, record.copy, choice, pair);
    switch (choice) {
      case 'keepLocal':
        break;
      case 'keepServer': {
        // The synced folder's contents come from other devices: a folder on the way may have become a link.
        const target = resolveInside(pair.localPath, record.path);
        assertNoLinkBetween(pair.localPath, target);
        await this.download(pair, 'versions', versionsAreaPath(record.server.keptAs), target, pair.localPath);
        break;
      }
      case 'keepBoth': {
        const target = await freeSiblingName(resolveInside(pair.localPath, record.path), record.server.mtimeMs);
        assertNoLinkBetween(pair.localPath, target);
        await mkdir(dirname(target), { recursive: true });
        await this.download(pair, 'versions', versionsAreaPath(record.server.keptAs), target, pair.localPath);
        break;
      }
    }
    this.records.set(id, { ...record, resolved: true });
    this.changed();
  }

  /**
   * A two-way conflict: both versions are files in the folder (the path and its conflict copy). Keeping one moves
   * or deletes the copy here; the change then syncs like any other (the server keeps what it replaces).
   */
  private async resolveCopy(record: ConflictRecord, copy: NonNullable<ConflictRecord['copy']>, choice: ConflictChoice, pair: FolderPair): Promise<void> {
    const copyAbs = resolveInside(pair.localPath, copy.path);
    const pathAbs = resolveInside(pair.localPath, record.path);
    assertNoLinkBetween(pair.localPath, copyAbs);
    assertNoLinkBetween(pair.localPath, pathAbs);
    const keepCopy = choice === 'keepBoth' ? null : (choice === 'keepLocal') === copy.mine;
    if (keepCopy !== null && (await pathExists(copyAbs))) {
      if (keepCopy) await rename(copyAbs, pathAbs);
      else await unlink(copyAbs);
    }
    this.records.set(record.id, { ...record, resolved: true });
    this.changed();
  }

  /** A conflict copy is gone from the folder (settled here or on another device): its conflict is settled. */
  copyGone(pairId: string, copyPath: string): void {
    let changed = false;
    for (const [id, r] of this.records) {
      if (r.pairId === pairId && !r.resolved && r.copy?.path === copyPath) {
        this.records.set(id, { ...r, resolved: true });
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private changed(): void {
    const resolved = [...this.records.values()].filter((r) => r.resolved);
    for (const r of resolved.slice(0, Math.max(0, resolved.length - MAX_RESOLVED_KEPT))) this.records.delete(r.id);
    this.onChange();
    if (this.file === null) return;
    const file = this.file;
    // Saves run one after another, each writing the state at its own start: the last one wins with the latest.
    this.saving = this.saving.then(() => writeJsonFile(file, this.list()).catch(this.onSaveError));
  }
}

function isConflictRecord(v: unknown): v is ConflictRecord {
  const r = v as Partial<ConflictRecord> | null;
  return (
    typeof r === 'object' && r !== null &&
    typeof r.id === 'string' && typeof r.pairId === 'string' && typeof r.path === 'string' &&
    typeof r.detectedAt === 'number' && typeof r.resolved === 'boolean' &&
    typeof r.server === 'object' && r.server !== null && typeof r.server.keptAs === 'string' &&
    typeof r.server.size === 'number' && typeof r.server.mtimeMs === 'number'
  );
}

const VERSIONS_PREFIX = `${STATE_DIR_NAME}/versions/`;

/** `keptAs` is share-relative (`.ferry/versions/a.txt~…`); a `get` in the versions area takes the part below it. */
export function versionsAreaPath(keptAs: string): string {
  return keptAs.startsWith(VERSIONS_PREFIX) ? keptAs.slice(VERSIONS_PREFIX.length) : keptAs;
}

/** `report (server copy 2026-11-25 1405).pdf`, with a counter when that name is taken too. */
export async function freeSiblingName(abs: string, when: number): Promise<string> {
  const ext = extname(abs);
  const stem = basename(abs, ext);
  const d = new Date(when);
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}${p(d.getMinutes())}`;
  for (let i = 1; i <= 1000; i++) {
    const name = `${stem} (server copy ${stamp}${i === 1 ? '' : ` ${i}`})${ext}`;
    const candidate = join(dirname(abs), name);
    if (!(await pathExists(candidate))) return candidate;
  }
  throw new FerryError('IO_ERROR', `No free name for a server copy of ${abs}`, { path: abs });
}

