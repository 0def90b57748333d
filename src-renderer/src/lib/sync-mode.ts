/** How each sync mode is shown: its word, its one plain sentence and its icons; one switch keeps them complete. */
import { ArrowDownToLine, ArrowLeft, ArrowLeftRight, ArrowRight, ArrowUpFromLine, type LucideIcon } from 'lucide-react';
import type { SyncMode } from '../../../src-shared/model';

/** What the UI shows for a mode. */
export interface SyncModeView {
  label: string;
  /** One plain sentence: what the user gets. */
  sentence: string;
  icon: LucideIcon;
  /** Arrow between the local folder and the server in a pair's route (which way changes travel). */
  routeIcon: LucideIcon;
}

/** Word, sentence and icons for `mode`. */
export function syncModeView(mode: SyncMode): SyncModeView {
  switch (mode) {
    case 'two-way':
      return { label: 'Two-way', sentence: 'Changes on any device show up everywhere.', icon: ArrowLeftRight, routeIcon: ArrowLeftRight };
    case 'mirror':
      return {
        label: 'Mirror',
        sentence: 'The server becomes an exact copy of this folder; changes made elsewhere are not kept on the server.',
        icon: ArrowUpFromLine,
        routeIcon: ArrowRight,
      };
    case 'receive':
      return { label: 'Receive', sentence: 'This folder follows the server; changes made here are not sent.', icon: ArrowDownToLine, routeIcon: ArrowLeft };
    default:
      return assertNever(mode);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled sync mode ${String(x)}`);
}
