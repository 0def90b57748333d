/**
 * A small file system of its own for disk-full tests: tmpfs of a set size (needs root), else a loop-mounted ext4
 * image. Both are real file systems that answer ENOSPC when full.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';

/** A mounted small file system; `unmount` is safe to call twice. */
export interface SmallMount {
  dir: string;
  kind: 'tmpfs' | 'ext4-loop';
  unmount(): Promise<void>;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'pipe' });
}

/** Mount `mib` MiB at `dir` (an existing empty folder), or why neither kind can be mounted here. */
export async function mountSmall(dir: string, mib: number): Promise<SmallMount | { error: string }> {
  let gone = false;
  const unmountWith = (extra: () => Promise<void>) => async (): Promise<void> => {
    if (gone) return;
    gone = true;
    try {
      run('umount', ['-l', dir]);
    } catch {
      // already gone
    }
    await extra();
  };
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir]);
    return { dir, kind: 'tmpfs', unmount: unmountWith(async () => undefined) };
  } catch (tmpfsErr) {
    const img = `${dir}.img`;
    try {
      run('truncate', ['-s', `${mib}M`, img]);
      run('mkfs.ext4', ['-q', '-F', img]);
      run('mount', ['-o', 'loop', img, dir]);
      return { dir, kind: 'ext4-loop', unmount: unmountWith(() => rm(img, { force: true })) };
    } catch (loopErr) {
      await rm(img, { force: true });
      return { error: `tmpfs: ${String(tmpfsErr).split('\n')[0]}; loop ext4: ${String(loopErr).split('\n')[0]}` };
    }
  }
}
