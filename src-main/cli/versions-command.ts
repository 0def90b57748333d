/** `ferry versions list|restore`: see and restore what the server kept when sync overwrote or deleted it. */
import type { Command } from 'commander';
import { toFerryError } from '../engine/errors';
import type { ConnectionFlags } from './connection-target';
import { createOutput, type Output } from './output';

/** Flags shared by the `versions` subcommands. */
export interface VersionsFlags extends ConnectionFlags {
  config?: string;
  state?: string;
  deviceName?: string;
  json?: boolean;
}

/** Flags of `ferry versions list`. */
export interface VersionsListFlags extends VersionsFlags {
  path?: string;
}

/** Flags of `ferry versions restore`. */
export interface VersionsRestoreFlags extends VersionsFlags {
  to?: string;
  beside?: boolean;
}

function run(flags: VersionsFlags, fn: (out: Output) => Promise<void>): Promise<void> {
  const out = createOutput(Boolean(flags.json));
  return fn(out).catch((err: unknown) => {
    out.error(toFerryError(err).toInfo());
    process.exitCode = 1;
  });
}

/** The connection options of `ferry sync`, on a subcommand. */
function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <HOST:PORT>', 'server address')
    .option('--share <NAME>', 'share on the server (default: "default")')
    .option('--fingerprint <FP>', "server certificate SHA-256 fingerprint (printed by 'ferry serve')")
    .option('--token <TOKEN>', 'access token; better: set FERRY_TOKEN, which ps and the shell history do not show')
    .option('--invite <INVITE>', 'invite (ferry1:…): fills in server, share, fingerprint and token; or set FERRY_INVITE')
    .option('--config <FILE>', "a 'ferry sync' JSON config file: its server, share, fingerprint and token")
    .option('--state <DIR>', 'client state folder (as for ferry sync: the device id lives there)')
    .option('--device-name <NAME>', 'the name the server notes as the device that restored')
    .option('--json', 'one JSON object on stdout');
}

/** Register `ferry versions` on the program. */
export function registerVersionsCommand(program: Command): void {
  const versions = program
    .command('versions')
    .description('list and restore the versions a server kept of files sync overwrote or deleted');
  connectionOptions(versions.command('list'))
    .description('list kept versions and deleted files, newest first')
    .option('--path <PATH>', 'only this file or folder (share-relative, e.g. docs/report.txt)')
    .action((flags: VersionsListFlags) => run(flags, async (out) => (await import('./versions-run')).listVersionsCommand(flags, out)));
  connectionOptions(versions.command('restore'))
    .description('copy a kept version back (what is there now is kept as a version first); it then syncs like any change')
    .argument('<ID>', "version id, as 'ferry versions list' shows it (e.g. 'docs/report.txt~20261204T155800Z')")
    .option('--to <PATH>', 'restore to this share path instead of the original one')
    .option('--beside', "restore next to the original, as 'name (restored yyyy-mm-dd hh.mm).ext'")
    .action((id: string, flags: VersionsRestoreFlags) => run(flags, async (out) => (await import('./versions-run')).restoreVersionCommand(id, flags, out)));
}
