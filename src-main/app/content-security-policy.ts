/** The desktop window's Content-Security-Policy, sent as a response header on top of the page's own meta tag. */

/**
 * Only our own bundled scripts and styles; no network at all (the desktop UI talks over IPC, never
 * HTTP or WebSocket); no plugins, frames, forms or base rewriting.
 */
export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Response headers with our CSP replacing any the response carried (header names are case-insensitive). */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [DESKTOP_CSP];
  return out;
}
