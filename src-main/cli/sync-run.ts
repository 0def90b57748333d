/** What `ferry sync` does once its flags are parsed; loaded on demand by sync-command. */
import { hostname } from 'node:os';
import { resolve, join } from 'node:path';
import { createPairSession, type PairSession, type PairSessionOptions } from '../engine/client/pair-session';
import { parseBandwidth } from '../engine/client/rate-limiter';
import { FerryError } from '../engine/errors';
import { createLoggers, type LogLevel } from '../engine/log';
import { loadConfigFile, SyncConfig } from './config-file';
import { need, resolveConnectionTarget } from './connection-target';
import type { SyncMode } from '../../src-shared/model';
import { formatBytes, type Output } from './output';
import { ProgressView } from './progress-view';
import type { SyncFlags } from './sync-command';
import { defaultStateDir, loadOrCreateClientId } from '../engine/controller/paths';

/** Sync once (exit code 0, or 2 with errors) or live until SIGINT/SIGTERM (0). */
export async function runSync(flags: SyncFlags, out: Output): Promise<number> {
  const file = flags.config ? loadConfigFile(flags.config, SyncConfig) : {};
  const dir = resolve(need(flags.dir ?? file.dir, '--dir'));
  const target = await resolveConnectionTarget(flags, file);
  const { host, port } = target;
  const rescan = flags.rescan !== undefined ? Number(flags.rescan) : file.rescanSeconds ?? 300;
  if (!Number.isInteger(rescan) || rescan < 0) throw new FerryError('CONFIG_INVALID', `--rescan must be a whole number of seconds, not "${flags.rescan}"`);
  const bwlimit = flags.bwlimit ?? file.bwlimit;
  const bandwidthLimit = bwlimit === undefined ? undefined : parseBandwidth(bwlimit);
  const mode = (flags.mode ?? file.mode ?? 'two-way') as SyncMode;
  const allowForeignChanges = Boolean(flags.allowForeignChanges ?? file.allowForeignChanges);
  if (allowForeignChanges && mode !== 'mirror') {
    throw new FerryError('CONFIG_INVALID', `--allow-foreign-changes applies to --mode mirror only (this run is ${mode})`);
  }
  const stateDir = resolve(flags.state ?? file.state ?? join(defaultStateDir(), 'client'));
  const loggers = createLoggers(join(stateDir, 'logs'), (flags.logLevel ?? file.logLevel ?? 'info') as LogLevel);
  const sessionOptions: PairSessionOptions = {
    mode,
    allowForeignChanges,
    pairId: 'cli',
    localPath: dir,
    target,
    ignore: [...(file.ignore ?? []), ...(flags.ignore ?? [])],
    rescanIntervalSec: rescan,
    allowEmptyRoot: Boolean(flags.allowEmpty ?? file.allowEmpty),
    clientId: loadOrCreateClientId(stateDir),
    clientName: flags.deviceName ?? file.deviceName ?? `${hostname()} (ferry sync)`,
    stateDir,
    log: loggers.debug,
    transferLog: loggers.transfer,
    ...(bandwidthLimit === undefined ? {} : { bandwidthLimit }),
  };
  let session: PairSession;
  try {
    session = createPairSession(sessionOptions);
  } catch (err) {
    await loggers.close();
    throw err;
  }
  const progress = new ProgressView(!out.json && !flags.quiet && Boolean(process.stdout.isTTY));
  session.on('stateChanged', (s) => {
    progress.onState(s);
    if (s.status === 'halted' || s.status === 'error') {
      // With --once the final error is printed once, on exit; live runs report each state change.
      const human = flags.once ? undefined : `ferry: ${s.status}: ${s.lastError?.code}: ${s.lastError?.message}`;
      out.event('status', { status: s.status, error: s.lastError }, human);
    } else out.event('status', { status: s.status, filesPending: s.filesPending, bytesPending: s.bytesPending });
  });
  session.on('transferUpdated', (t) => {
    progress.onTransfer(t);
    if (t.status !== 'failed' && (t.status !== 'completed' || flags.quiet)) return;
    // With a progress bar on screen, per-file lines would scroll it away; the log file has them.
    out.event('transfer', { ...t }, out.json || process.stdout.isTTY ? undefined : humanTransfer(t));
  });
  session.on('conflictDetected', (c) => out.event('conflict', { ...c }, `conflict: ${c.path} changed on the server too; its version is kept as ${c.server.keptAs}`));

  try {
    if (flags.once) {
      const summary = await session.runOnce();
      progress.stop();
      out.event('summary', { ...summary, ok: summary.errors.length === 0 },
        `In sync: ${summary.filesUploaded} ${summary.filesUploaded === 1 ? 'file' : 'files'} uploaded, ${summary.filesDeleted} deleted, ${summary.moves} moved; ` +
          `${formatBytes(summary.bytesSent)} sent, ${formatBytes(summary.bytesReceived)} received on the wire` +
          (summary.errors.length ? `; ${summary.errors.length} errors` : ''));
      for (const e of summary.errors) out.error(e);
      return summary.errors.length === 0 ? 0 : 2;
    }
    await session.start();
    out.event('watching', { dir }, `Watching ${dir} → ${host}:${port}. Press Ctrl+C to stop.`);
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await session.stop();
    progress.stop();
    return 0;
  } finally {
    await loggers.close();
  }
}

function humanTransfer(t: { kind: string; path: string; toPath?: string; status: string; size: number; bytesSent: number; error: { code: string; message: string } | null }): string {
  if (t.status === 'failed') return `✗ ${t.kind} ${t.path}: ${t.error?.code ?? ''} ${t.error?.message ?? ''}`;
  const where = t.toPath ? `${t.path} → ${t.toPath}` : t.path;
  const size = t.kind === 'upload' ? ` (${formatBytes(t.size)}, ${formatBytes(t.bytesSent)} sent)` : '';
  return `✓ ${t.kind} ${where}${size}`;
}
