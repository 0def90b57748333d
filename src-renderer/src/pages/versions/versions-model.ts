/** What the Versions view shows, pure: filtering, grouping by day, and the words for each kept version. */
import type { KeptVersionEntry } from '../../../../src-shared/protocol/messages';

/** Which versions the view lists. */
export type VersionsFilter = 'all' | 'deleted' | 'replaced';

/** Rows rendered at most; the filter box narrows the rest. */
export const MAX_SHOWN = 400;

/** Versions matching the text (any part of the path, or the device) and the kind filter, newest first as given. */
export function filterVersions(versions: readonly KeptVersionEntry[], text: string, which: VersionsFilter): KeptVersionEntry[] {
  const needle = text.trim().toLowerCase();
  return versions.filter((v) => {
    if (which === 'deleted' && !v.deleted) return false;
    if (which === 'replaced' && v.deleted) return false;
    if (needle === '') return true;
    return v.original.toLowerCase().includes(needle) || (v.deviceName ?? v.device ?? '').toLowerCase().includes(needle);
  });
}

/** A day heading and its versions. */
export interface DayGroup {
  key: string;
  label: string;
  versions: KeptVersionEntry[];
}

/** "Today", "Yesterday", or a local date like "Tue 1 Dec 2026"; versions keep their order. */
export function groupByDay(versions: readonly KeptVersionEntry[], now: number): DayGroup[] {
  const groups: DayGroup[] = [];
  const dayKey = (t: number): string => {
    const d = new Date(t);
    return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  };
  const today = dayKey(now);
  const yesterday = dayKey(new Date(now).setDate(new Date(now).getDate() - 1));
  for (const v of versions) {
    const key = dayKey(v.keptAt);
    let g = groups[groups.length - 1];
    if (!g || g.key !== key) {
      const label = key === today ? 'Today' : key === yesterday ? 'Yesterday'
        : new Date(v.keptAt).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
      g = { key, label, versions: [] };
      groups.push(g);
    }
    g.versions.push(v);
  }
  return groups;
}

/** Who made the server keep it: "This device", the device's name, or "Unknown device". */
export function deviceLabel(v: KeptVersionEntry, thisDevice: string): string {
  if (v.device === undefined) return 'Unknown device';
  if (v.device === thisDevice) return 'This device';
  return v.deviceName?.trim() || v.device;
}

/** "Deleted", "Replaced" (a newer version is at its path), with folder wording. */
export function changeLabel(v: KeptVersionEntry): string {
  if (v.deleted) return v.kind === 'dir' ? 'Folder deleted' : 'Deleted';
  return v.kind === 'dir' ? 'Folder replaced' : 'Replaced';
}

/** Folder part and name of a share path: ["docs/2026/", "report.txt"]. */
export function splitPath(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  return i < 0 ? ['', p] : [p.slice(0, i + 1), p.slice(i + 1)];
}

/** "14:05" local time of a keep. */
export function timeOfDay(t: number): string {
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "Kept for 30 days" / "Kept forever". */
export function retentionText(days: number): string {
  if (days <= 0) return 'Kept until you delete them';
  return `Kept for ${days} ${days === 1 ? 'day' : 'days'}`;
}
