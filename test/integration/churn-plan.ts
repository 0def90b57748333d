/**
 * The operations of the two-way churn test, planned up front from one seed so that a seed replays exactly the same
 * sequence: the plan depends only on the seed and on a model of the paths the test made (never on what the sync
 * did meanwhile). Names are never reused (a counter), so every path has one history.
 */
import { seededRandom } from '../helpers/seeded-random';

/** Index of a device (0, 1, 2). */
export type Dev = number;

/** How a file's content is replaced: rewritten in place, saved via a temp file renamed over it, bytes inserted. */
export type EditHow = 'rewrite' | 'replace' | 'splice' | 'append';

/** One step of the churn. Writes carry a seed for their bytes and, for new content, a size. */
export type ChurnOp =
  | { kind: 'create'; dev: Dev; path: string; size: number; seed: number; large: boolean }
  | { kind: 'edit'; dev: Dev; path: string; how: EditHow; size: number; seed: number }
  | { kind: 'delete'; dev: Dev; path: string }
  | { kind: 'rename'; dev: Dev; from: string; to: string }
  | { kind: 'mkdir'; dev: Dev; path: string }
  | { kind: 'moveFolder'; dev: Dev; from: string; to: string }
  | { kind: 'deleteFolder'; dev: Dev; path: string }
  /** The same file edited on two or three devices in a row, none waiting for the others: conflicts. */
  | { kind: 'conflict'; path: string; writes: { dev: Dev; how: EditHow; size: number; seed: number }[] }
  /** One device edits a file while another deletes it, neither waiting: the edit must survive. */
  | { kind: 'editVsDelete'; path: string; editor: Dev; deleter: Dev; editFirst: boolean; how: EditHow; size: number; seed: number }
  | { kind: 'killClient'; dev: Dev }
  | { kind: 'killServer' };

/** The paths the test made and may still act on. */
export class ChurnModel {
  /** Live files the plan may pick (large: ~300 KiB–2 MiB). */
  readonly files = new Map<string, { large: boolean }>();
  readonly dirs = new Set<string>();
  /** Files whose fate after the step depends on timing (edit against delete): never picked again. */
  readonly retired = new Set<string>();
  /** Files deleted on purpose: they must not come back. */
  readonly deleted = new Set<string>();

  /** Model files and folders at or below `dir`. */
  under(dir: string): { files: string[]; dirs: string[] } {
    const inside = (p: string) => p.startsWith(`${dir}/`);
    return { files: [...this.files.keys()].filter(inside), dirs: [...this.dirs].filter(inside) };
  }

  /** Apply one op's effect on the model. */
  apply(op: ChurnOp): void {
    switch (op.kind) {
      case 'create':
        this.files.set(op.path, { large: op.large });
        return;
      case 'delete':
        this.files.delete(op.path);
        this.deleted.add(op.path);
        return;
      case 'rename': {
        const f = this.files.get(op.from) as { large: boolean };
        this.files.delete(op.from);
        this.files.set(op.to, f);
        return;
      }
      case 'mkdir':
        this.dirs.add(op.path);
        return;
      case 'moveFolder': {
        const { files, dirs } = this.under(op.from);
        const moved = (p: string) => op.to + p.slice(op.from.length);
        for (const p of files) {
          const f = this.files.get(p) as { large: boolean };
          this.files.delete(p);
          this.files.set(moved(p), f);
        }
        for (const d of [op.from, ...dirs]) {
          this.dirs.delete(d);
          this.dirs.add(moved(d));
        }
        return;
      }
      case 'deleteFolder': {
        const { files, dirs } = this.under(op.path);
        for (const p of files) {
          this.files.delete(p);
          this.deleted.add(p);
        }
        for (const d of [op.path, ...dirs]) this.dirs.delete(d);
        return;
      }
      case 'editVsDelete':
        this.files.delete(op.path);
        this.retired.add(op.path);
        return;
      case 'edit':
      case 'conflict':
      case 'killClient':
      case 'killServer':
        return;
    }
  }
}

/** How much of each kind a run holds. */
export interface ChurnPlanOptions {
  steps: number;
  devices: number;
  /** Plan no SIGKILLs (to tell what the kills cause from what they do not). */
  noKills?: boolean;
}

type Kind = ChurnOp['kind'] | 'createLarge';

/** Weights of the kinds drawn at ordinary steps (kills and large files are placed by quota instead). */
const WEIGHTS: [Kind, number][] = [
  ['create', 22],
  ['edit', 22],
  ['delete', 8],
  ['rename', 8],
  ['mkdir', 6],
  ['moveFolder', 4],
  ['deleteFolder', 2],
  ['conflict', 6],
  ['editVsDelete', 2],
];

const KIB = 1024;

/** Kinds every run holds at least this often (scaled with the number of steps), placed at random steps. */
function quotas(steps: number): Kind[] {
  const n = (min: number, per: number) => Math.max(min, Math.round(steps / per));
  return [
    ...Array<Kind>(n(3, 14)).fill('killClient'),
    ...Array<Kind>(n(2, 25)).fill('killServer'),
    ...Array<Kind>(n(3, 12)).fill('conflict'),
    ...Array<Kind>(n(1, 30)).fill('editVsDelete'),
    ...Array<Kind>(n(2, 25)).fill('moveFolder'),
    ...Array<Kind>(n(3, 15)).fill('createLarge'),
    ...Array<Kind>(n(2, 20)).fill('edit'),
    ...Array<Kind>(n(1, 40)).fill('delete'),
  ];
}

/** Plan `opts.steps` operations from `seed`. */
export function planChurn(seed: number, opts: ChurnPlanOptions): ChurnOp[] {
  const rng = seededRandom(seed);
  const model = new ChurnModel();
  const ops: ChurnOp[] = [];
  let counter = 0;
  const fresh = () => ++counter;
  const devs = Array.from({ length: opts.devices }, (_, i) => i);
  const dev = () => rng.int(0, opts.devices - 1);
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  const drawKind = (): Kind => {
    let r = rng.next() * total;
    for (const [k, w] of WEIGHTS) if ((r -= w) < 0) return k;
    return 'create';
  };
  // A warm-up makes a few folders and files to act on; quota kinds go to random steps after it; a kind that cannot
  // run at its step (no folder yet) waits for the next one.
  const warmup = Math.min(Math.max(6, Math.round(opts.steps / 7)), opts.steps - 1);
  const warmupKinds: Kind[] = ['mkdir', 'create', 'mkdir', 'create'];
  const placed = new Map<number, Kind[]>();
  // Distinct steps while there are enough (the last steps stay free for what had to wait).
  const free = rng.shuffle(Array.from({ length: Math.max(1, opts.steps - 4 - warmup) }, (_, i) => warmup + i));
  for (const [i, k] of quotas(opts.steps).entries()) {
    if (opts.noKills === true && (k === 'killClient' || k === 'killServer')) continue;
    const at = free[i % free.length] as number;
    placed.set(at, [...(placed.get(at) ?? []), k]);
  }
  const waiting: Kind[] = [];
  const parentDir = () => (model.dirs.size > 0 && rng.chance(0.6) ? rng.pick([...model.dirs].sort()) : '');
  const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
  const smallSize = () => (rng.chance(0.3) ? rng.int(0, 64) : rng.int(65, 12 * KIB));
  const largeSize = () => rng.int(300 * KIB, 2048 * KIB);
  const anyFile = () => rng.pick([...model.files.keys()].sort());
  const editHow = (large: boolean): EditHow => (large ? rng.pick(['splice', 'splice', 'append'] as const) : rng.pick(['rewrite', 'rewrite', 'replace', 'append'] as const));

  const make = (kind: Kind): ChurnOp | null => {
    switch (kind) {
      case 'create':
        return { kind: 'create', dev: dev(), path: join(parentDir(), `f${fresh()}.txt`), size: smallSize(), seed: rng.u32(), large: false };
      case 'createLarge':
        return { kind: 'create', dev: dev(), path: join(parentDir(), `b${fresh()}.bin`), size: largeSize(), seed: rng.u32(), large: true };
      case 'edit': {
        if (model.files.size === 0) return null;
        const path = anyFile();
        return { kind: 'edit', dev: dev(), path, how: editHow(model.files.get(path)?.large === true), size: smallSize(), seed: rng.u32() };
      }
      case 'delete':
        return model.files.size < 4 ? null : { kind: 'delete', dev: dev(), path: anyFile() };
      case 'rename': {
        if (model.files.size === 0) return null;
        const from = anyFile();
        const ext = from.endsWith('.bin') ? '.bin' : '.txt';
        return { kind: 'rename', dev: dev(), from, to: join(parentDir(), `r${fresh()}${ext}`) };
      }
      case 'mkdir':
        return { kind: 'mkdir', dev: dev(), path: join(parentDir(), `d${fresh()}`) };
      case 'moveFolder': {
        if (model.dirs.size === 0) return null;
        const from = rng.pick([...model.dirs].sort());
        const targets = ['', ...[...model.dirs].filter((d) => d !== from && !d.startsWith(`${from}/`))].sort();
        return { kind: 'moveFolder', dev: dev(), from, to: join(rng.pick(targets), `d${fresh()}`) };
      }
      case 'deleteFolder': {
        // Keep a few files elsewhere: a device left without any file halts by design (SAFETY_HALT).
        const candidates = [...model.dirs].filter((d) => model.files.size - model.under(d).files.length >= 3).sort();
        return candidates.length === 0 ? null : { kind: 'deleteFolder', dev: dev(), path: rng.pick(candidates) };
      }
      case 'conflict': {
        if (model.files.size === 0) return null;
        const path = anyFile();
        const large = model.files.get(path)?.large === true;
        const who = rng.shuffle(devs).slice(0, rng.chance(0.4) ? 3 : 2);
        return { kind: 'conflict', path, writes: who.map((d) => ({ dev: d, how: editHow(large), size: smallSize(), seed: rng.u32() })) };
      }
      case 'editVsDelete': {
        if (model.files.size < 4) return null;
        const path = anyFile();
        const [editor, deleter] = rng.shuffle(devs) as [Dev, Dev];
        return { kind: 'editVsDelete', path, editor, deleter, editFirst: rng.chance(0.5), how: editHow(model.files.get(path)?.large === true), size: smallSize(), seed: rng.u32() };
      }
      case 'killClient':
        return { kind: 'killClient', dev: dev() };
      case 'killServer':
        return { kind: 'killServer' };
    }
  };

  for (let step = 0; step < opts.steps; step++) {
    const due = step < warmup ? [warmupKinds[step] ?? 'create'] : [...waiting.splice(0), ...(placed.get(step) ?? [])];
    let op: ChurnOp | null = null;
    while (due.length > 0 && op === null) {
      const k = due.shift() as Kind;
      op = make(k);
      if (op === null) {
        // Not possible yet (no folder, too few files): make what it needs now, and try again next step.
        waiting.push(k);
        op = make(k === 'moveFolder' || k === 'deleteFolder' ? 'mkdir' : 'create');
      }
    }
    waiting.push(...due); // one quota op per step; the rest come next
    if (op === null) op = make(drawKind()) ?? make('create');
    ops.push(op as ChurnOp);
    model.apply(op as ChurnOp);
  }
  return ops;
}

/** One line describing an op, with device names. */
export function describeOp(op: ChurnOp, names: readonly string[]): string {
  const n = (d: Dev) => names[d] ?? String(d);
  switch (op.kind) {
    case 'create':
      return `${n(op.dev)}: create ${op.path} (${op.size} B)`;
    case 'edit':
      return `${n(op.dev)}: edit ${op.path} (${op.how})`;
    case 'delete':
      return `${n(op.dev)}: delete ${op.path}`;
    case 'rename':
      return `${n(op.dev)}: rename ${op.from} -> ${op.to}`;
    case 'mkdir':
      return `${n(op.dev)}: mkdir ${op.path}`;
    case 'moveFolder':
      return `${n(op.dev)}: move folder ${op.from} -> ${op.to}`;
    case 'deleteFolder':
      return `${n(op.dev)}: delete folder ${op.path}`;
    case 'conflict':
      return `conflict on ${op.path}: ${op.writes.map((w) => `${n(w.dev)} ${w.how}`).join(', then ')}`;
    case 'editVsDelete':
      return `edit vs delete on ${op.path}: ${op.editFirst ? `${n(op.editor)} edits (${op.how}), then ${n(op.deleter)} deletes` : `${n(op.deleter)} deletes, then ${n(op.editor)} edits (${op.how})`}`;
    case 'killClient':
      return `SIGKILL ${n(op.dev)}'s ferry sync, restart`;
    case 'killServer':
      return 'SIGKILL ferry serve, restart on the same port';
  }
}
