/** The check after runOnce: a fresh listing and a fresh scan must plan nothing. */
import { describeOp, opPaths } from '../core/operations';
import type { IgnoreRules } from '../core/ignore-rules';
import type { Tree } from '../core/tree';
import { planMirror } from '../core/plan';
import type { Connection } from '../net/connection';
import { isWithin } from '../../../src-shared/protocol/paths';
import { scanRoots } from './local-region';
import { listRemote } from './remote-list';

/**
 * Differences left between server and folder (paths that already reported an error are not counted again).
 * `lastScan`: the folder as last scanned; unchanged entries are taken from it instead of made anew.
 */
export async function verifyInSync(conn: Connection, rootAbs: string, rules: IgnoreRules, errorPaths: ReadonlySet<string>, lastScan?: Tree): Promise<string[]> {
  // Both sides at once: the server walks its tree while this process walks the folder.
  const [remote, local] = await Promise.all([listRemote(conn), scanRoots(rootAbs, [{ path: '', disk: '' }], rules, lastScan)]);
  const known = (p: string) => [...errorPaths].some((e) => isWithin(p, e) || isWithin(e, p));
  return planMirror(local.tree, remote, { isIgnored: rules.predicate() })
    .filter((op) => !opPaths(op).every(known))
    .map(describeOp);
}
