/** Ferry's mark: two arrows crossing over water, drawn inline so it needs no asset request. */
import type { ReactNode } from 'react';

/** 28px app mark. */
export function Logo(): ReactNode {
  return (
    <svg className="logo" width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" className="logo-bg" />
      <path d="M9 12h12l-3-3M23 18H11l3 3" fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M7 25c2 0 2-1 4.5-1S14 25 16 25s2-1 4.5-1 2.5 1 4.5 1" fill="none" stroke="#fff" strokeOpacity=".7" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}
