/** The web GUI's login API (same origin, cookie-based): the page never sees the session id. */
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { FerryCallError } from '../lib/errors';

/** What the host says about this browser. */
export interface SessionInfo {
  authenticated: boolean;
  passwordSet: boolean;
}

/** Login verbs of the web shell; absent in the desktop app. */
export interface WebAuth {
  /** The session state, or null when the host cannot be reached (stopped or restarting). */
  session(): Promise<SessionInfo | null>;
  /** Rejects with FerryCallError (AUTH_FAILED, NOT_AUTHENTICATED …) when refused. */
  login(password: string): Promise<void>;
  logout(): Promise<void>;
  /** Set or change the password; `currentPassword` is needed once one is set. */
  setPassword(password: string, currentPassword?: string): Promise<void>;
}

/** The WebAuth of the host this page was served by. */
export function createWebAuth(fetchFn: typeof fetch = (...a) => fetch(...a)): WebAuth {
  const post = async (path: string, body: unknown): Promise<void> => {
    let res: Response;
    try {
      res = await fetchFn(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
    } catch {
      throw new FerryCallError({ code: 'CONNECTION_LOST', message: 'Cannot reach Ferry right now. Is it running?' });
    }
    if (res.ok) return;
    throw new FerryCallError(await errorOf(res));
  };
  return {
    async session() {
      try {
        const res = await fetchFn('/api/session', { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) return null;
        const body = (await res.json()) as Partial<SessionInfo>;
        return { authenticated: body.authenticated === true, passwordSet: body.passwordSet === true };
      } catch {
        return null;
      }
    },
    login: (password) => post('/api/login', { password }),
    logout: () => post('/api/logout', {}),
    setPassword: (password, currentPassword) => post('/api/password', currentPassword === undefined ? { password } : { password, currentPassword }),
  };
}

async function errorOf(res: Response): Promise<FerryErrorInfo> {
  try {
    const body = (await res.json()) as { error?: FerryErrorInfo };
    if (body.error && typeof body.error.message === 'string') return body.error;
  } catch {
    // not JSON: fall through to the status line
  }
  return { code: res.status === 401 ? 'AUTH_FAILED' : 'INTERNAL', message: `Ferry answered ${res.status} ${res.statusText}` };
}
