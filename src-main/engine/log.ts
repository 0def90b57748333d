/**
 * Structured logging: a debug log and a separate transfer/protocol log, each to its own rotating file.
 * Engine modules take a `Logger` and default to a silent one, so tests stay quiet.
 */
import pino from 'pino';
import type { Writable } from 'node:stream';
import { createStream } from 'rotating-file-stream';

export type Logger = pino.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * A logger that discards everything. Its destination is a no-op rather than pino's default (stdout): that one
 * costs a SonicBoom and an exit hook that flushes and fsyncs stdout in every process, for lines never written.
 */
export const silentLogger: Logger = pino({ level: 'silent' }, { write: () => {} });

/** The two logs of one Ferry process. */
export interface Loggers {
  debug: Logger;
  transfer: Logger;
  close(): Promise<void>;
}

/**
 * Open `ferry.log` (debug/diagnostics) and `transfers.log` (one line per transfer and protocol event)
 * in `dir`, rotated daily or at 10 MiB, 7 files kept. With `dir` null, logs are discarded.
 */
export function createLoggers(dir: string | null, level: LogLevel = 'info'): Loggers {
  if (dir === null) return { debug: silentLogger, transfer: silentLogger, close: async () => {} };
  const open = (name: string) => batchWrites(createStream(name, { path: dir, size: '10M', interval: '1d', maxFiles: 7 }));
  const debugStream = open('ferry.log');
  const transferStream = open('transfers.log');
  const debug = pino({ level, base: { log: 'debug' } }, debugStream);
  const transfer = pino({ level: 'info', base: { log: 'transfer' } }, transferStream);
  return {
    debug,
    transfer,
    close: () =>
      Promise.all([debugStream, transferStream].map((s) => new Promise<void>((r) => s.end(() => r())))).then(() => undefined),
  };
}

/**
 * Gather the lines written in one turn of the event loop into one chunk: a sync of 20,000 files logs 20,000 lines,
 * and the rotating file stream writes every chunk it is given with a write call of its own (cork/uncork does not
 * help: its writev loops over the chunks). Per turn, not per tick: a batch answer completes 64 files across many
 * microtask rounds. `end()` writes what is pending first, so nothing is lost.
 */
function batchWrites(stream: Writable): Writable {
  const write = stream.write.bind(stream) as (chunk: unknown) => boolean;
  const end = stream.end.bind(stream) as (...args: unknown[]) => Writable;
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  stream.write = ((chunk: unknown) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(typeof chunk === 'string' ? chunk : String(chunk));
    return true;
  }) as Writable['write'];
  stream.end = ((...args: unknown[]) => {
    flush();
    return end(...args);
  }) as Writable['end'];
  return stream;
}
