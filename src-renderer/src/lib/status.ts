/** Labels and tones for the closed status unions; exhaustive switches keep them complete. */
import type { OverallStatus, PairStatus, TransferKind, TransferStatus } from '../../../src-shared/model';

/** Visual tone of a badge; maps to CSS classes. */
export type Tone = 'ok' | 'busy' | 'muted' | 'warn' | 'bad';

/** Badge text and tone for a pair's lifecycle state. */
export function pairStatusView(status: PairStatus): { label: string; tone: Tone } {
  switch (status) {
    case 'connecting': return { label: 'Connecting', tone: 'busy' };
    case 'scanning': return { label: 'Scanning', tone: 'busy' };
    case 'syncing': return { label: 'Syncing', tone: 'busy' };
    case 'watching': return { label: 'Up to date', tone: 'ok' };
    case 'paused': return { label: 'Paused', tone: 'muted' };
    case 'error': return { label: 'Error', tone: 'bad' };
    case 'halted': return { label: 'Halted for safety', tone: 'bad' };
    default: return assertNever(status);
  }
}

/** Header summary for the overall status. */
export function overallStatusView(status: OverallStatus): { label: string; tone: Tone } {
  switch (status) {
    case 'idle': return { label: 'Up to date', tone: 'ok' };
    case 'syncing': return { label: 'Syncing', tone: 'busy' };
    case 'paused': return { label: 'Paused', tone: 'muted' };
    case 'error': return { label: 'Error', tone: 'bad' };
    case 'conflict': return { label: 'Conflicts to review', tone: 'warn' };
    default: return assertNever(status);
  }
}

/** Human verb for a transfer kind. */
export function transferKindLabel(kind: TransferKind): string {
  switch (kind) {
    case 'upload': return 'Upload';
    case 'download': return 'Download';
    case 'delete': return 'Delete';
    case 'move': return 'Move';
    case 'mkdir': return 'New folder';
    case 'symlink': return 'Symlink';
    default: return assertNever(kind);
  }
}

/** Label and tone of a transfer's lifecycle state. */
export function transferStatusView(status: TransferStatus): { label: string; tone: Tone } {
  switch (status) {
    case 'queued': return { label: 'Queued', tone: 'muted' };
    case 'active': return { label: 'In progress', tone: 'busy' };
    case 'completed': return { label: 'Completed', tone: 'ok' };
    case 'failed': return { label: 'Failed', tone: 'bad' };
    default: return assertNever(status);
  }
}

/** Every transfer kind, for filters. */
export const TRANSFER_KINDS: readonly TransferKind[] = ['upload', 'download', 'delete', 'move', 'mkdir', 'symlink'];

/** Compile-time exhaustiveness guard. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
