/** The server's tree, read with one paged `list` request. */
import type { Connection } from '../net/connection';
import type { Tree } from '../core/tree';

/** List the whole share (pages arrive under the request's id until `done`). */
export async function listRemote(conn: Connection): Promise<Tree> {
  const tree: Tree = new Map();
  await conn.request({ type: 'list' }, undefined, (f) => {
    if (f.header.type !== 'listPage') return false;
    for (const e of f.header.entries) tree.set(e.path, e);
    return !f.header.done;
  });
  return tree;
}
