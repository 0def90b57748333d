/** `ferry daemon`: the whole engine headless (folder pairs, server mode) from a settings file, with an optional web GUI. */
import { Option, type Command } from 'commander';
import type { Engine } from '../engine/create-engine';
import { toFerryError } from '../engine/errors';
import { createOutput, type Output } from './output';
import type { WebGui } from './web-gui';

/** Flags of `ferry daemon`. */
export interface DaemonFlags {
  config: string;
  state?: string;
  /** `true` for a bare `--gui`: the default address. */
  gui?: string | true;
  guiAllowRemote?: boolean;
  guiDir?: string;
  json?: boolean;
}

/** Where a bare `--gui` serves the web GUI: a fixed port, so bookmarks survive restarts. */
export const DEFAULT_GUI_ADDRESS = '127.0.0.1:7480';

/** A running daemon. */
export interface Daemon {
  engine: Engine;
  gui: WebGui | null;
  stop(): Promise<void>;
}

/** Register `ferry daemon` on the program. */
export function registerDaemonCommand(program: Command): void {
  program
    .command('daemon')
    .description('run Ferry headless: the folder pairs and server mode of a settings file, managed from a browser with --gui')
    .requiredOption('--config <FILE>', 'settings file (JSON; created with defaults if missing)')
    .option('--state <DIR>', 'state folder (default $XDG_STATE_HOME/ferry or ~/.local/state/ferry)')
    .option('--gui [HOST:PORT]', `serve the web GUI (default ${DEFAULT_GUI_ADDRESS}; the address stays the same across restarts)`)
    .option('--gui-allow-remote', 'allow a --gui address other machines can reach')
    .addOption(new Option('--gui-dir <DIR>', 'folder of the built UI (default: dist/renderer)').hideHelp())
    .option('--json', 'one JSON object per line on stdout')
    .action(async (flags: DaemonFlags) => {
      const out = createOutput(Boolean(flags.json));
      let daemon: Daemon;
      try {
        daemon = await startDaemon(flags, out);
      } catch (err) {
        out.error(toFerryError(err).toInfo());
        process.exitCode = 1;
        return;
      }
      await untilSignal();
      await daemon.stop();
      out.event('stopped', {}, 'Ferry daemon stopped');
    });
}

/** Load settings, start the engine and (with --gui) the web GUI; prints `guiListening`. */
export async function startDaemon(flags: DaemonFlags, out: Output): Promise<Daemon> {
  // The engine, settings store and web GUI are loaded only now: the other commands never pay for them.
  const { startDaemon: start } = await import('./daemon-run');
  return start(flags, out);
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
