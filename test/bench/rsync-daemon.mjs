// rsync side of the bench: an rsync daemon on 127.0.0.1 (generated rsyncd.conf, one module "dst"
// per target folder, plain TCP, no ssh) and the rsync client with --stats parsed.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startProc, runProc } from './procs.mjs';
import { freePort, waitPort } from './measure.mjs';

/** rsync's version line, or null when rsync is not installed. */
export function rsyncVersion() {
  const r = spawnSync('rsync', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

/** Start `rsync --daemon --no-detach` serving `modulePath` as module "dst"; returns { port, stop() }. */
export async function startRsyncd(modulePath, workDir) {
  fs.mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const conf = path.join(workDir, 'rsyncd.conf');
  const asRoot = process.getuid?.() === 0;
  fs.writeFileSync(conf, [
    `pid file = ${path.join(workDir, 'rsyncd.pid')}`,
    'use chroot = no',
    'max connections = 4',
    `log file = ${path.join(workDir, 'rsyncd.log')}`,
    '[dst]',
    `    path = ${modulePath}`,
    '    read only = no',
    // uid/gid only take effect when the daemon runs as root; keep file ownership as the caller's.
    ...(asRoot ? ['    uid = root', '    gid = root'] : []),
    '    munge symlinks = no',
    '',
  ].join('\n'));
  const h = startProc('rsync', ['--daemon', '--no-detach', `--config=${conf}`, '--address=127.0.0.1', `--port=${port}`], { label: 'rsyncd' });
  await waitPort(port, 10_000);
  return { port, pid: h.pid, stop: () => h.stop(2000) };
}

/** Parse rsync --stats output into numbers. */
export function parseRsyncStats(lines) {
  const get = (key) => {
    const l = lines.find((x) => x.startsWith(`${key}:`));
    return l ? Number(l.slice(key.length + 1).trim().split(' ')[0].replace(/,/g, '')) : null;
  };
  return {
    sent: get('Total bytes sent'),
    received: get('Total bytes received'),
    literal: get('Literal data'),
    matched: get('Matched data'),
  };
}

/** `rsync -a --stats [flags] SRC/ rsync://127.0.0.1:port/dst/`; returns { ms, code, stats }. */
export async function rsyncPush(src, port, flags, timeoutMs) {
  const args = ['-a', '--stats', ...flags, `${src.replace(/\/$/, '')}/`, `rsync://127.0.0.1:${port}/dst/`];
  const r = await runProc('rsync', args, { timeoutMs, label: `rsync ${flags.join(' ')}` });
  if (r.code !== 0) throw new Error(`rsync exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return { ms: r.ms, code: r.code, stats: parseRsyncStats(r.lines), cmd: `rsync ${args.join(' ')}` };
}

/** `rsync -a --stats [flags] rsync://127.0.0.1:port/dst/ DST/` (a download from the daemon); returns { ms, code, stats }. */
export async function rsyncPull(dst, port, flags, timeoutMs) {
  const args = ['-a', '--stats', ...flags, `rsync://127.0.0.1:${port}/dst/`, `${dst.replace(/\/$/, '')}/`];
  const r = await runProc('rsync', args, { timeoutMs, label: `rsync pull ${flags.join(' ')}` });
  if (r.code !== 0) throw new Error(`rsync exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return { ms: r.ms, code: r.code, stats: parseRsyncStats(r.lines), cmd: `rsync ${args.join(' ')}` };
}
