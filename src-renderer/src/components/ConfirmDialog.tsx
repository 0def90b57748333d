/** A yes/no question before something destructive. */
import type { ReactNode } from 'react';
import { Dialog } from './Dialog';

interface ConfirmProps {
  title: string;
  open: boolean;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}

/** Confirmation dialog with a danger-styled confirm button. */
export function ConfirmDialog({ title, open, confirmLabel, busy, onConfirm, onCancel, children }: ConfirmProps): ReactNode {
  return (
    <Dialog
      title={title}
      open={open}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>Cancel</button>
          <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
