/** The `ferry` command: headless server, sync client and web-GUI daemon over one engine. */
import { Command } from 'commander';
import { registerServeCommand } from './serve-command';
import { registerSyncCommand } from './sync-command';
import { registerDaemonCommand } from './daemon-command';
import { registerGuiPasswordCommand } from './gui-password-command';
import { registerTokensCommand } from './tokens-command';
import { registerVersionsCommand } from './versions-command';
import { registerConflictsCommand } from './conflicts-command';

const program = new Command();
program
  .name('ferry')
  .description('Self-hosted folder sync over TLS')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(`ferry: ${str}`) });
registerServeCommand(program);
registerSyncCommand(program);
registerDaemonCommand(program);
registerGuiPasswordCommand(program);
registerTokensCommand(program);
registerVersionsCommand(program);
registerConflictsCommand(program);
await program.parseAsync(process.argv);
