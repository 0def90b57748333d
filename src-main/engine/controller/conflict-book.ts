/** Conflicts reported by the pairs' sessions, and what settling one does to the local folder. */
import { access, mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ConflictChoice, ConflictRecord, FolderPair } from '../../../src-shared/model';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { FerryError } from '../errors';
import { resolveInside } from './local-path';

/** Fetches a file from the server a pair points to (the client's `downloadFile`). */
export type Downloader = (pair: FolderPair, area: 'share' | 'versions', remotePath: string, localAbs: string) => Promise<void>;

/** Open and settled conflicts, newest last. */
export class ConflictBook {
  private readonly records = new Map<string, ConflictRecord>();

  constructor(
    private readonly download: Downloader,
    private readonly onChange: () => void,
  ) {}

  /** Remember a conflict a session detected (a repeated id replaces the old record). */
  add(record: ConflictRecord): void {
    this.records.set(record.id, record);
    this.onChange();
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
    if (changed) this.onChange();
  }

  /**
   * Settle a conflict. The server already holds the local version (the upload won, the server's version was
   * kept aside), so keepLocal only marks it; keepServer writes the kept version over the local file (the
   * watcher then uploads it again, cheaply: its chunks are on the server); keepBoth saves it beside the file.
   */
  async resolve(id: string, choice: ConflictChoice, pair: FolderPair): Promise<void> {
    const record = this.get(id);
    switch (choice) {
      case 'keepLocal':
        break;
      case 'keepServer':
        await this.download(pair, 'versions', versionsAreaPath(record.server.keptAs), resolveInside(pair.localPath, record.path));
        break;
      case 'keepBoth': {
        const target = await freeSiblingName(resolveInside(pair.localPath, record.path), record.server.mtimeMs);
        await mkdir(dirname(target), { recursive: true });
        await this.download(pair, 'versions', versionsAreaPath(record.server.keptAs), target);
        break;
      }
    }
    this.records.set(id, { ...record, resolved: true });
    this.onChange();
  }
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
    if (!(await exists(candidate))) return candidate;
  }
  throw new FerryError('IO_ERROR', `No free name for a server copy of ${abs}`, { path: abs });
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
