/** The sync mode of a folder pair: three radio cards, one plain sentence each; mirror adds its overwrite switch. */
import { useId, type ReactNode } from 'react';
import { TriangleAlert } from 'lucide-react';
import { SYNC_MODES, type SyncMode } from '../../../../src-shared/model';
import { syncModeView } from '../../lib/sync-mode';

interface ModeChoiceProps {
  mode: SyncMode;
  allowForeignChanges: boolean;
  onMode: (mode: SyncMode) => void;
  onAllowForeignChanges: (allow: boolean) => void;
}

/** A fieldset of radios named by the mode's word, described by its sentence. */
export function ModeChoice({ mode, allowForeignChanges, onMode, onAllowForeignChanges }: ModeChoiceProps): ReactNode {
  const name = useId();
  return (
    <fieldset className="fieldset mode-choice">
      <legend>How it syncs</legend>
      <div className="mode-options">
        {SYNC_MODES.map((m) => {
          const view = syncModeView(m);
          const Icon = view.icon;
          return (
            <label key={m} className={`mode-option${m === mode ? ' selected' : ''}`}>
              <input
                type="radio"
                name={name}
                value={m}
                checked={m === mode}
                onChange={() => onMode(m)}
                aria-labelledby={`${name}-${m}-label`}
                aria-describedby={`${name}-${m}-sentence`}
              />
              <Icon size={18} aria-hidden="true" className="mode-icon" />
              <span className="mode-text">
                <span className="mode-label" id={`${name}-${m}-label`}>{view.label}</span>
                <span className="hint" id={`${name}-${m}-sentence`}>{view.sentence}</span>
              </span>
            </label>
          );
        })}
      </div>
      {mode === 'mirror' && (
        <label className="check mode-foreign">
          <input type="checkbox" checked={allowForeignChanges} onChange={(e) => onAllowForeignChanges(e.target.checked)} />
          <span>
            Overwrite what other devices wrote to this share
            <span className="hint warn-text">
              <TriangleAlert size={13} aria-hidden="true" /> Off, Ferry stops and changes nothing when another device has written to the share. On, their
              changes on the server are replaced by this folder (older versions stay in the server’s version history).
            </span>
          </span>
        </label>
      )}
    </fieldset>
  );
}
