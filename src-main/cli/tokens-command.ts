/** `ferry tokens add|list|revoke`: manage a server's access tokens, also while `ferry serve` runs on the same state folder. */
import type { Command } from 'commander';
import { toFerryError } from '../engine/errors';
import { createOutput, type Output } from './output';

/** Flags shared by the `tokens` subcommands. */
export interface TokensFlags {
  state?: string;
  json?: boolean;
}

/** Flags of `ferry tokens add`. */
export interface TokensAddFlags extends TokensFlags {
  label: string;
  share?: string;
  host?: string;
  port?: string;
  qr?: boolean;
}

function run(flags: TokensFlags, fn: (out: Output) => Promise<void>): Promise<void> {
  const out = createOutput(Boolean(flags.json));
  return fn(out).catch((err: unknown) => {
    out.error(toFerryError(err).toInfo());
    process.exitCode = 1;
  });
}

/** Register `ferry tokens` on the program. */
export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description("manage a server's access tokens and make invites");
  const state = ['--state <DIR>', 'server state folder (as given to ferry serve)'] as const;
  tokens
    .command('add')
    .description('create a token and print it with an invite (text and QR code)')
    .requiredOption('--label <NAME>', 'a name to tell the token apart, e.g. the device it is for')
    .option(...state)
    .option('--share <NAME>', 'share the invite is for (default: "default", or the only share)')
    .option('--host <ADDR>', 'address clients use (default: each reachable address of the server)')
    .option('--port <N>', 'port clients use (default: the running server\'s, else 7443)')
    .option('--no-qr', 'leave out the QR code')
    .option('--json', 'one JSON object on stdout')
    .action((flags: TokensAddFlags) => run(flags, async (out) => (await import('./tokens-run')).addToken(flags, out)));
  tokens
    .command('list')
    .description('list tokens: id, label, created, last used')
    .option(...state)
    .option('--json', 'one JSON object on stdout')
    .action((flags: TokensFlags) => run(flags, async (out) => (await import('./tokens-run')).listTokens(flags, out)));
  tokens
    .command('revoke')
    .description('revoke a token by id or label; a running server refuses it at once and ends its sessions')
    .argument('<ID|LABEL>', 'token id (from `ferry tokens list`) or its unique label')
    .option(...state)
    .option('--json', 'one JSON object on stdout')
    .action((which: string, flags: TokensFlags) => run(flags, async (out) => (await import('./tokens-run')).revokeToken(which, flags, out)));
}
