/** Names for restoring a kept version beside the current file: `report (restored 2026-12-04 15.32).pdf`. */

/**
 * `path` with ` (restored yyyy-mm-dd hh.mm)` before its extension, in local time of `when`; `n` > 1 adds a counter
 * for when that name is taken. A dot file (`.env`) or a folder name without a dot gets the suffix at the end.
 */
export function restoredBesideName(path: string, when: Date, n = 1): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const p = (v: number) => String(v).padStart(2, '0');
  const stamp = `${when.getFullYear()}-${p(when.getMonth() + 1)}-${p(when.getDate())} ${p(when.getHours())}.${p(when.getMinutes())}`;
  return `${dir}${stem} (restored ${stamp}${n > 1 ? ` ${n}` : ''})${ext}`;
}
