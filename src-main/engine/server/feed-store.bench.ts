/**
 * Persistence cost of a change feed of N paths (not a test; prints figures): time to record N changes, to save the
 * snapshot (encode, write, flush, rename; median of 5), its size, the longest event-loop stall while saving, and the
 * time to load it. A plain Map of N entries is timed first as a yardstick for how busy the machine is.
 * Run: npx tsx src-main/engine/server/feed-store.bench.ts [N=100000]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FeedStore } from './feed-store';

async function main() {
  const n = Number(process.argv[2] ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'feedbench-'));
  const store = await FeedStore.open(dir, { fsync: true });
  const tb = performance.now();
  const base = new Map<string, object>();
  for (let i = 0; i < n; i++) base.set(`folder-${Math.floor(i / 100)}/sub/file-${i}.txt`, { i });
  const baselineMapSetMs = Math.round(performance.now() - tb);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const hash = createHash('sha256').update(String(i)).digest('hex');
    store.feed.set({ path: `folder-${Math.floor(i / 100)}/sub/file-${i}.txt`, kind: 'file', size: 1000 + i, mtimeMs: 1_700_000_000_000 + i, mode: 0o644, ino: 100000 + i, hash, device: `client-${i % 3}` });
  }
  const tSet = performance.now() - t0;
  const times: number[] = [];
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  for (let r = 0; r < 5; r++) {
    await store.save();
    times.push(store.lastWriteMs);
  }
  h.disable();
  const maxBlockMs = Math.round(h.max / 1e6);
  const size = (await stat(join(dir, 'feed', 'feed.json'))).size;
  await store.close();
  const t1 = performance.now();
  const again = await FeedStore.open(dir, { fsync: true });
  const tLoad = performance.now() - t1;
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ baselineMapSetMs, entries: n, setMs: Math.round(tSet), saveMsMedian: Math.round(times[2]!), saveMsMin: Math.round(times[0]!), saveMsMax: Math.round(times[4]!), fileMB: +(size / 1e6).toFixed(1), loadMs: Math.round(tLoad), maxEventLoopBlockMs: maxBlockMs, loaded: again.feed.size }));
  await again.close();
  await rm(dir, { recursive: true, force: true });
}
void main();
