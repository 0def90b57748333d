/** Serving the built UI from one folder: known types only, index.html for client-side routes, nothing outside. */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep, isAbsolute } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * URL path → segments, or null when the path is malformed or tries to climb: `..` (also percent-encoded),
 * encoded separators, backslashes and NUL are refused outright rather than normalised away.
 */
export function urlPathSegments(rawUrl: string): string[] | null {
  const pathPart = rawUrl.split(/[?#]/, 1)[0] ?? '';
  if (!pathPart.startsWith('/')) return null;
  const out: string[] = [];
  for (const raw of pathPart.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return null;
    if (seg === '' || seg === '.') continue;
    out.push(seg);
  }
  return out;
}

/** Serves files of `root`; unknown paths without an extension get index.html (the app routes them). */
export function createStaticHandler(root: string, headers: Record<string, string>) {
  const realRoot = realpath(root).catch(() => null);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'Method not allowed\n');
    }
    const segments = urlPathSegments(req.url ?? '/');
    if (segments === null) return send(400, 'Bad path\n');
    const base = await realRoot;
    if (base === null) return send(404, 'The web GUI is not built (dist/renderer is missing)\n');
    let file = await servable(base, segments.length ? join(base, ...segments) : join(base, 'index.html'));
    if (file === null && extname(segments.at(-1) ?? '') === '') file = await servable(base, join(base, 'index.html'));
    if (file === null) return send(404, 'Not found\n');
    const type = CONTENT_TYPES[extname(file.path).toLowerCase()];
    if (!type) return send(404, 'Not found\n');
    res.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Content-Length': String(file.size),
      // Vite names assets by content hash; the HTML that points at them must always be fresh.
      'Cache-Control': file.path.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

/** The real path of `abs` if it is a regular file that (after resolving links) stays inside `base`. */
async function servable(base: string, abs: string): Promise<{ path: string; size: number } | null> {
  try {
    const real = await realpath(abs);
    const rel = relative(base, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    const st = await stat(real);
    return st.isFile() ? { path: real, size: st.size } : null;
  } catch {
    return null;
  }
}
