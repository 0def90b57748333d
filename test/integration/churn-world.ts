/**
 * The real processes of the two-way churn test — one `ferry serve` and one live `ferry sync --mode two-way` per
 * device, each with its own folder and state — plus what the test reads from their folders: content hashes
 * (cached by inode, size and times, so 2 MiB files are not hashed on every poll) and condition waits.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnFerry, startServe, syncArgs, type FerryProc, type JsonLine } from '../helpers/ferry-procs';
import { tempDir } from '../helpers/trees';

/** One device: its folder, state and the `ferry sync` processes run for it (the last one is live). */
export interface ChurnDevice {
  name: string;
  dir: string;
  state: string;
  procs: FerryProc[];
}

/** A node of a scanned tree. */
export interface Node {
  kind: 'file' | 'dir' | 'symlink';
  hash?: string;
}

/** Short form of a hash for messages. */
export const short = (h: string | null | undefined): string => (h ? h.slice(0, 10) : String(h));

/** SHA-256 (hex) of a buffer. */
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Content hashes of files, recomputed only when a file's inode, size, mtime or ctime changed. */
export class HashCache {
  private readonly known = new Map<string, { key: string; hash: string }>();

  /** The SHA-256 of the regular file at `abs`, or null when there is none (missing, a folder, unreadable). */
  async hashOf(abs: string): Promise<string | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const st = await lstat(abs, { bigint: true }).catch(() => null);
      if (st === null || !st.isFile()) return null;
      const key = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      const hit = this.known.get(abs);
      if (hit?.key === key) return hit.hash;
      const data = await readFile(abs).catch(() => null);
      if (data === null) return null;
      const after = await lstat(abs, { bigint: true }).catch(() => null);
      // Changed while read (the engine or the test is writing it): read again.
      if (after === null || `${after.ino}:${after.size}:${after.mtimeNs}:${after.ctimeNs}` !== key) continue;
      const hash = sha256(data);
      this.known.set(abs, { key, hash });
      return hash;
    }
    return null;
  }

  /** Every node below `root` (paths relative, POSIX); a top-level `.ferry` is skipped unless `withState`. */
  async scan(root: string, withState = false): Promise<Map<string, Node>> {
    const out = new Map<string, Node>();
    const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
      if (depth > 64) return;
      const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (rel === '' && e.name === '.ferry' && !withState) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        const a = join(abs, e.name);
        if (e.isDirectory()) {
          out.set(r, { kind: 'dir' });
          await walk(a, r, depth + 1);
        } else if (e.isSymbolicLink()) out.set(r, { kind: 'symlink' });
        else if (e.isFile()) {
          const hash = await this.hashOf(a);
          if (hash !== null) out.set(r, { kind: 'file', hash });
        }
      }
    };
    await walk(root, '', 0);
    return out;
  }
}

/** True when some regular file below `root` (not in its `.ferry`) is neither `except` nor inside it. */
export async function anyFileOutside(root: string, except: string): Promise<boolean> {
  const visit = async (abs: string, rel: string, depth: number): Promise<boolean> => {
    if (depth > 64) return false;
    for (const e of await readdir(abs, { withFileTypes: true }).catch(() => [])) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if ((rel === '' && e.name === '.ferry') || r === except) continue;
      if (e.isFile()) return true;
      if (e.isDirectory() && (await visit(join(abs, e.name), r, depth + 1))) return true;
    }
    return false;
  };
  return visit(root, '', 0);
}

/** Poll `check` until it holds; after `timeoutMs` fail with `what` and whatever `detail` says then. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number, detail?: () => Promise<string>): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${await detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** The server, the devices, and kill-and-restart of each. */
export class ChurnWorld {
  readonly hashes = new HashCache();
  readonly serveProcs: FerryProc[] = [];
  kills = { clients: 0, server: 0 };

  private constructor(
    readonly base: string,
    readonly share: string,
    private readonly serverState: string,
    private readonly conn: { port: number; fingerprint: string; token: string },
    readonly devices: ChurnDevice[],
  ) {}

  /** Start `ferry serve` and one live `ferry sync --mode two-way --device-name NAME` per name. */
  static async start(names: string[]): Promise<ChurnWorld> {
    const base = await tempDir('ferry-churn-');
    const share = join(base, 'share');
    const serverState = join(base, 'server-state');
    await mkdir(share);
    await mkdir(join(base, 'tmp'));
    // No per-file flushes: the test kills processes, not the machine, and the page cache outlives a process.
    const s = await startServe(share, serverState, ['--no-fsync']);
    const devices = await Promise.all(names.map(async (name) => {
      const d: ChurnDevice = { name, dir: join(base, name), state: join(base, `state-${name}`), procs: [] };
      await mkdir(d.dir);
      return d;
    }));
    const world = new ChurnWorld(base, share, serverState, { port: s.port, fingerprint: s.fingerprint, token: s.token }, devices);
    world.serveProcs.push(s.proc);
    for (const d of devices) world.spawnClient(d);
    return world;
  }

  /** Folder for test temp files outside every synced folder (same file system: renames from it are atomic). */
  get tmp(): string {
    return join(this.base, 'tmp');
  }

  /** The live `ferry sync` of a device. */
  client(d: ChurnDevice): FerryProc {
    return d.procs[d.procs.length - 1] as FerryProc;
  }

  /** SIGKILL a device's `ferry sync` and start it again at once (same folder, same state). */
  async killClient(i: number): Promise<void> {
    const d = this.devices[i] as ChurnDevice;
    await this.client(d).stop('SIGKILL');
    this.kills.clients++;
    this.spawnClient(d);
  }

  /** SIGKILL `ferry serve` and start it again at once on the same port with the same state. */
  async killServer(): Promise<void> {
    await (this.serveProcs[this.serveProcs.length - 1] as FerryProc).stop('SIGKILL');
    this.kills.server++;
    const proc = spawnFerry(['serve', '--root', this.share, '--state', this.serverState, '--host', '127.0.0.1', '--port', String(this.conn.port), '--json', '--no-fsync']);
    this.serveProcs.push(proc);
    await proc.waitForLine((l) => l.event === 'listening', 60_000);
  }

  /** Every content hash the server holds: in the share (any path) or in `.ferry/versions`. */
  async serverHashes(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const n of (await this.hashes.scan(this.share)).values()) if (n.hash) out.add(n.hash);
    for (const n of (await this.versions()).values()) if (n.hash) out.add(n.hash);
    return out;
  }

  /** The files kept in the server's versions. */
  async versions(): Promise<Map<string, Node>> {
    const all = await this.hashes.scan(join(this.share, '.ferry', 'versions'), true);
    return new Map([...all].filter(([, n]) => n.kind === 'file'));
  }

  /** JSON lines of every `ferry sync` ever run for any device. */
  clientLines(): JsonLine[] {
    return this.devices.flatMap((d) => d.procs.flatMap((p) => p.lines));
  }

  /** The last `status` of each device's live client. */
  lastStatuses(): string[] {
    return this.devices.map((d) => {
      const st = this.client(d).lines.filter((l) => l.event === 'status');
      return String(st[st.length - 1]?.status ?? 'none');
    });
  }

  /** The last lines and stderr of every live process, for a failure report. */
  tails(): string {
    const tail = (p: FerryProc) => `${p.lines.slice(-8).map((l) => JSON.stringify(l)).join('\n    ')}\n    stderr: ${p.stderr().slice(-800)}`;
    return [
      `  serve: ${tail(this.serveProcs[this.serveProcs.length - 1] as FerryProc)}`,
      ...this.devices.map((d) => `  ${d.name}: ${tail(this.client(d))}`),
    ].join('\n');
  }

  /** Stop every live process (clients first, then the server) with SIGTERM. */
  async stop(): Promise<void> {
    await Promise.all(this.devices.map((d) => this.client(d).stop()));
    await (this.serveProcs[this.serveProcs.length - 1] as FerryProc).stop();
  }

  /** Write every process's JSON lines and stderr under the base folder (for a failure report). */
  async dumpOutputs(): Promise<void> {
    const all: [string, FerryProc][] = [
      ...this.serveProcs.map((p, i): [string, FerryProc] => [`serve-${i}`, p]),
      ...this.devices.flatMap((d) => d.procs.map((p, i): [string, FerryProc] => [`${d.name}-${i}`, p])),
    ];
    for (const [name, p] of all) {
      await writeFile(join(this.base, `${name}.jsonl`), p.lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      await writeFile(join(this.base, `${name}.stderr`), p.stderr());
    }
  }

  private spawnClient(d: ChurnDevice): void {
    // Debug logs go to the state folder only (kept with the temp folder when the test fails).
    d.procs.push(spawnFerry(syncArgs(d.dir, this.conn, d.state, ['--mode', 'two-way', '--device-name', d.name, '--log-level', 'debug'])));
  }
}
