/** Copies text to the clipboard; when the Clipboard API is unavailable it selects the text instead. */
import { useState, type ReactNode, type RefObject } from 'react';
import { Check, Copy } from 'lucide-react';

/** Button labelled "Copy …"; `selectTarget` is selected as a fallback so the user can press Ctrl+C. */
export function CopyButton({ text, label, selectTarget }: { text: string; label: string; selectTarget?: RefObject<HTMLElement | null> }): ReactNode {
  const [done, setDone] = useState<'copied' | 'selected' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      const el = selectTarget?.current;
      if (el) {
        const range = document.createRange();
        range.selectNodeContents(el);
        const sel = window.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
      }
      setDone('selected');
    }
    setTimeout(() => setDone(null), 2000);
  };
  return (
    <button type="button" className="button small" aria-label={label} onClick={() => void copy()}>
      {done === 'copied' ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
      <span aria-live="polite">{done === 'copied' ? 'Copied' : done === 'selected' ? 'Press Ctrl+C' : 'Copy'}</span>
    </button>
  );
}
