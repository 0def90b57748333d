/** `ferry serve`: run the server headless for one or more shares. */
import type { Command } from 'commander';
import { toFerryError } from '../engine/errors';
import { createOutput } from './output';

/** Flags of `ferry serve`. */
export interface ServeFlags {
  root?: string;
  host?: string;
  port?: string;
  state?: string;
  config?: string;
  json?: boolean;
  /** false with --no-qr. */
  qr?: boolean;
  keepVersionsDays?: string;
  fsync?: boolean;
  logLevel?: string;
  helloTimeout?: string;
  maxUnauthenticated?: string;
  maxUnauthenticatedPerAddress?: string;
  maxQueuedWriteMib?: string;
}

/** Register `ferry serve` on the program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run a Ferry server (the default share is --root)')
    .option('--root <DIR>', 'folder of the default share')
    .option('--host <ADDR>', 'address to listen on (default 0.0.0.0)')
    .option('--port <N>', 'port to listen on (default 7443; 0 picks a free one)')
    .option('--state <DIR>', 'server state folder (key, certificate, tokens, logs)')
    .option('--config <FILE>', 'JSON config file (flags override it)')
    .option('--json', 'one JSON object per line on stdout')
    .option('--no-qr', "leave the invite's QR code out of the start-up lines")
    .option('--keep-versions-days <N>', 'days to keep overwritten/deleted versions (0 = forever)')
    .option('--no-fsync', 'skip per-file flushes (faster, not crash-safe)')
    .option('--log-level <LEVEL>', 'error | warn | info | debug')
    .option('--hello-timeout <SECONDS>', 'drop a connection that has not said hello within this long (default 5)')
    .option('--max-unauthenticated <N>', 'unauthenticated connections held at once; past it the oldest of the busiest address is closed (default 256)')
    .option('--max-unauthenticated-per-address <N>', 'unauthenticated connections held at once from one address (default 32)')
    .option('--max-queued-write-mib <N>', 'MiB of read answers one connection may have waiting to be sent (default 32)')
    .action(async (flags: ServeFlags) => {
      const out = createOutput(Boolean(flags.json));
      try {
        // The server engine is loaded only now: `--help`, `--version` and the other commands never pay for it.
        const { runServe } = await import('./serve-run');
        await runServe(flags, out);
      } catch (err) {
        out.error(toFerryError(err).toInfo());
        process.exitCode = 1;
      }
    });
}
