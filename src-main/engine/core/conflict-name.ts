/** The name of a conflict copy: `name.conflict-<device>-<yyyymmdd-hhmmss>.ext`, beside the original. */

/** A device name as it may appear in a file name: letters, digits, `_` and `-` only, at most 32 characters. */
export function deviceTag(device: string): string {
  const t = device.normalize('NFC').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  return t === '' ? 'device' : t;
}

/** UTC `yyyymmdd-hhmmss` of `ms`. */
export function stampOf(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

/**
 * The conflict copy of `path` made on `device` at `ms`; `taken` says whether a name is already used (then `-2`, `-3`…
 * is added to the stamp). The extension stays last so the copy opens with the same program; a leading dot
 * (`.bashrc`) is part of the name, not an extension.
 */
export function conflictCopyName(path: string, device: string, ms: number, taken: (p: string) => boolean = () => false): string {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  const head = `${dir}${stem}.conflict-${deviceTag(device)}-${stampOf(ms)}`;
  for (let n = 1; n < 10_000; n++) {
    const candidate = `${head}${n === 1 ? '' : `-${n}`}${ext}`;
    if (!taken(candidate)) return candidate;
  }
  return `${head}-${ms}${ext}`;
}

/** True when `path` names a conflict copy (for the UI and for tests). */
export function isConflictCopy(path: string): boolean {
  return /\.conflict-[A-Za-z0-9_-]+-\d{8}-\d{6}(-\d+)?(\.[^/]*)?$/.test(path);
}

/** The original path and the device of a conflict copy's name (undefined when it is not one). */
export function parseConflictCopy(path: string): { original: string; device: string; stamp: string } | undefined {
  const m = /^(.*)\.conflict-([A-Za-z0-9_-]+?)-(\d{8}-\d{6})(?:-\d+)?(\.[^/]*)?$/.exec(path);
  if (!m) return undefined;
  return { original: `${m[1]}${m[4] ?? ''}`, device: m[2] as string, stamp: m[3] as string };
}
