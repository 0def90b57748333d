/**
 * `ferry gui-password`: set the web GUI password of a daemon's state folder, read from the terminal (typed
 * twice, not echoed) or from the first line of stdin. A running daemon uses it at the next login; every
 * browser logged in with the old one is logged out.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultStateDir } from '../engine/controller/paths';
import { FerryError, toFerryError } from '../engine/errors';
import { createOutput } from './output';
import { assertPasswordAcceptable, hashPassword, writePassword } from './web-gui/gui-password';

/** Register `ferry gui-password` on the program. */
export function registerGuiPasswordCommand(program: Command): void {
  program
    .command('gui-password')
    .description('set the password of the web GUI of `ferry daemon --gui` (typed twice, or the first line of stdin)')
    .option('--state <DIR>', 'the daemon\'s state folder (default $XDG_STATE_HOME/ferry or ~/.local/state/ferry)')
    .option('--json', 'one JSON object per line on stdout')
    .action(async (flags: { state?: string; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const stateDir = resolve(flags.state ?? defaultStateDir());
      try {
        const password = await readNewPassword();
        assertPasswordAcceptable(password);
        await writePassword(stateDir, await hashPassword(password));
        out.event('passwordSet', { stateDir }, `Web GUI password set (${stateDir}). Browsers logged in before must log in again.`);
      } catch (err) {
        out.error(toFerryError(err).toInfo());
        process.exitCode = 1;
      }
    });
}

async function readNewPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return firstLine(stdin);
  const first = await readHidden('New web GUI password: ');
  assertPasswordAcceptable(first);
  const again = await readHidden('Again: ');
  if (again !== first) throw new FerryError('CONFIG_INVALID', 'The two passwords differ; nothing was changed');
  return first;
}

/** The first line of a piped stdin (at most 4 KiB read: a password, not a file). */
async function firstLine(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.includes('\n') || text.length > 4096) break;
  }
  stream.destroy();
  return (text.split(/\r?\n/, 1)[0] ?? '').slice(0, 4096);
}

/** One line from the terminal in raw mode, echoing nothing; Ctrl-C aborts. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let text = '';
  return new Promise<string>((resolveLine, reject) => {
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolveLine(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new FerryError('CONFIG_INVALID', 'Cancelled; nothing was changed'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ' && text.length < 4096) text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
