/** `ferry conflicts [list] --dir DIR [--json]` and `ferry conflicts resolve COPY --keep copy|original|both`: the conflicts of a two-way folder. */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { findConflictCopies, settleConflictCopy, type FolderConflict, type FolderConflictChoice } from '../engine/controller/conflict-copies';
import { toFerryError } from '../engine/errors';
import { createOutput, formatBytes, type Output } from './output';

interface ConflictsFlags {
  dir: string;
  json?: boolean;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function describeConflict(c: FolderConflict): string {
  const orig = c.original ? `${formatBytes(c.original.size)}, modified ${when(c.original.mtimeMs)}` : 'gone';
  return `${c.path}: kept at the path (${orig}); ${c.device}'s version in ${c.copy} (${formatBytes(c.copyInfo.size)}, modified ${when(c.copyInfo.mtimeMs)})`;
}

function run(flags: ConflictsFlags, fn: (out: Output) => Promise<void>): Promise<void> {
  const out = createOutput(Boolean(flags.json));
  return fn(out).catch((err: unknown) => {
    out.error(toFerryError(err).toInfo());
    process.exitCode = 1;
  });
}

/** Register `ferry conflicts` on the program. */
export function registerConflictsCommand(program: Command): void {
  const conflicts = program
    .command('conflicts')
    .description("the conflicts of a two-way folder: both versions are kept, one at the path, the other as 'name.conflict-<device>-<time>.ext'");
  conflicts
    .command('list', { isDefault: true })
    .description('list them (the default)')
    .requiredOption('--dir <DIR>', 'the synced folder')
    .option('--json', 'one JSON object per conflict')
    .action((flags: ConflictsFlags) =>
      run(flags, async (out) => {
        const list = await findConflictCopies(resolve(flags.dir));
        for (const c of list) out.event('conflict', { ...c }, describeConflict(c));
        out.event('summary', { conflicts: list.length }, list.length === 0 ? 'No conflicts.' : `${list.length} conflict${list.length === 1 ? '' : 's'}; settle one with: ferry conflicts resolve COPY --keep copy|original|both --dir DIR`);
      }),
    );
  conflicts
    .command('resolve')
    .description('settle one conflict; the result syncs to every device like any change')
    .argument('<COPY>', 'the conflict copy, relative to the folder (as listed)')
    .requiredOption('--dir <DIR>', 'the synced folder')
    .addOption(new Option('--keep <WHICH>', "copy: the copy's version replaces the path; original: the copy is deleted; both: keep both files").choices(['copy', 'original', 'both']).makeOptionMandatory())
    .option('--json', 'one JSON object on stdout')
    .action((copy: string, flags: ConflictsFlags & { keep: FolderConflictChoice }) =>
      run(flags, async (out) => {
        const c = await settleConflictCopy(resolve(flags.dir), copy, flags.keep);
        const what = flags.keep === 'copy' ? `${c.path} now holds ${c.device}'s version` : flags.keep === 'original' ? `${c.copy} deleted; ${c.path} stays as it is` : 'both files kept';
        out.event('resolved', { ...c, keep: flags.keep }, `Resolved: ${what}.`);
      }),
    );
}
