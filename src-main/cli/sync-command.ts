/** `ferry sync`: keep a local folder in sync with a share (two-way, mirror or receive), once (`--once`) or live until interrupted. */
import { Option, type Command } from 'commander';
import { SYNC_MODES } from '../../src-shared/model';
import { toFerryError } from '../engine/errors';
import { createOutput } from './output';

/** Flags of `ferry sync`. */
export interface SyncFlags {
  dir?: string;
  server?: string;
  share?: string;
  fingerprint?: string;
  token?: string;
  invite?: string;
  once?: boolean;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  ignore?: string[];
  rescan?: string;
  allowEmpty?: boolean;
  mode?: string;
  allowForeignChanges?: boolean;
  state?: string;
  logLevel?: string;
  bwlimit?: string;
  deviceName?: string;
}

const MODES_HELP = `
Modes:
  two-way  changes on any device show up everywhere; both versions are kept when two devices edit one file
  mirror   the share becomes an exact copy of this folder; changes made elsewhere are not kept on the share
  receive  this folder follows the share; changes made here are not sent

Config file keys (--config): dir, server, share, fingerprint, token, mode, ignore, rescanSeconds, allowEmpty,
  allowForeignChanges, state, logLevel, bwlimit, deviceName`;

/** Register `ferry sync` on the program. */
export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('sync a local folder with a share on a Ferry server (live, or --once)')
    .addHelpText('after', MODES_HELP)
    .option('--dir <DIR>', 'local folder to sync')
    .option('--server <HOST:PORT>', 'server address')
    .option('--share <NAME>', 'share on the server', undefined)
    .option('--fingerprint <FP>', "server certificate SHA-256 fingerprint (printed by 'ferry serve')")
    .option('--token <TOKEN>', 'access token (printed by ferry serve); better: set FERRY_TOKEN, which ps and the shell history do not show')
    .option('--invite <INVITE>', "invite from 'ferry serve' or 'ferry tokens add' (ferry1:…): fills in server, share, fingerprint and token; flags override it; or set FERRY_INVITE")
    .option('--once', 'do the initial sync, verify, and exit')
    .option('--config <FILE>', 'JSON config file (flags override it)')
    .option('--json', 'one JSON object per line on stdout')
    .option('-q, --quiet', 'no line per file sent and no progress bar (failures, conflicts and the summary still print; the log file keeps every transfer)')
    .option('--ignore <PATTERN...>', 'extra gitignore-style patterns')
    .option('--rescan <SECONDS>', 'full rescan period (0 disables)')
    .addOption(new Option('--mode <MODE>', 'how the folder syncs (default: two-way; see below)').choices(SYNC_MODES))
    .option('--allow-empty', 'allow an empty local folder to empty the share')
    .option('--allow-foreign-changes', 'mirror only: overwrite a share that other devices wrote since this folder last synced (without it: halt)')
    .option('--state <DIR>', 'client state folder (caches, logs)')
    .option('--log-level <LEVEL>', 'error | warn | info | debug')
    .option('--bwlimit <RATE>', 'upload bandwidth limit for file data, bytes per second: e.g. 500K, 10M')
    .option('--device-name <NAME>', "this device's name, shown to other devices and in the names of conflict copies made here (default: '<hostname> (ferry sync)')")
    .action(async (flags: SyncFlags) => {
      const out = createOutput(Boolean(flags.json));
      try {
        // The client engine is loaded only now: `--help`, `--version` and the other commands never pay for it.
        const { runSync } = await import('./sync-run');
        process.exitCode = await runSync(flags, out);
      } catch (err) {
        out.error(toFerryError(err).toInfo());
        process.exitCode = 1;
      }
    });
}
