/** Directory browser for the web GUI (no native dialog there), driven by `fs:listDirs`. */
import { useEffect, useState, type ReactNode } from 'react';
import { ArrowUp, Folder } from 'lucide-react';
import type { DirListing } from '../../../src-shared/ipc/contract';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { toErrorInfo } from '../lib/errors';
import { useApi } from '../state/ferry-context';
import { Dialog } from './Dialog';
import { ErrorNote } from './ErrorNote';

interface FolderBrowserProps {
  open: boolean;
  start: string | null;
  onPick: (path: string) => void;
  onClose: () => void;
}

/** Modal that walks the daemon machine's folders; "Use this folder" picks the current one. */
export function FolderBrowser({ open, start, onPick, onClose }: FolderBrowserProps): ReactNode {
  const api = useApi();
  const [listing, setListing] = useState<DirListing | null>(null);
  const [error, setError] = useState<FerryErrorInfo | null>(null);
  const [loading, setLoading] = useState(false);

  const load = (path: string | null): void => {
    setLoading(true);
    api.invoke('fs:listDirs', path)
      .then((l) => {
        setListing(l);
        setError(null);
      })
      .catch((e: unknown) => setError(toErrorInfo(e)))
      .finally(() => setLoading(false));
  };

  useEffect(() => {
    if (open) load(start || null);
    // Only when opening: browsing afterwards is driven by clicks.
  }, [open]);

  const join = (dir: string, name: string): string => (/[\\/]$/.test(dir) ? dir + name : `${dir}${dir.includes('\\') && !dir.includes('/') ? '\\' : '/'}${name}`);

  return (
    <Dialog
      title="Choose a folder"
      open={open}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="button" className="button primary" disabled={!listing} onClick={() => listing && onPick(listing.path)}>
            Use this folder
          </button>
        </>
      }
    >
      <div className="browser-path">
        <button type="button" className="button small" disabled={!listing?.parent || loading} onClick={() => listing?.parent && load(listing.parent)}>
          <ArrowUp size={14} aria-hidden="true" /> Up
        </button>
        <code className="mono" aria-label="Current folder">{listing?.path ?? '…'}</code>
      </div>
      <ErrorNote error={error} />
      <ul className="browser-list" aria-label="Subfolders" aria-busy={loading}>
        {listing?.dirs.length === 0 && <li className="muted browser-empty">No subfolders here.</li>}
        {listing?.dirs.map((d) => (
          <li key={d}>
            <button type="button" className="browser-item" onClick={() => load(join(listing.path, d))}>
              <Folder size={16} aria-hidden="true" /> {d}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
