/**
 * Issue 9's headline test, with real processes: one `ferry serve` and three live `ferry sync --mode two-way`
 * (own folder, own --state, own --device-name each) under bounded random churn planned from a printed seed:
 * creates, rewrites, saves over (temp + rename), appends, deletes, renames, new folders, folder moves and deletes,
 * large files (300 KiB–2 MiB, edited by inserting bytes: chunked transfers and delta downloads), the same file
 * edited on two or three devices in a row without waiting (conflicts), an edit against a delete, and SIGKILL of a
 * client or of the server at random steps, each restarted at once (same state, same port).
 *
 * Then, with no more faults, it waits until the three folders and the share are identical trees (paths, kinds,
 * contents by SHA-256; `.ferry` ignored; mtimes not compared) and every client says it is watching, and checks:
 * - nothing lost: every content any device wrote is found by hash at some path of the final tree (conflict copies
 *   included) or in the server's `.ferry/versions/`. Fairness rule (test/integration/churn-run.ts): before a step
 *   overwrites or deletes a content on a device, it waits until that content is on the server (share or versions):
 *   a user who destroys their own work before it left their machine lost it themselves, not the sync;
 * - conflict copies are named after the device that made them (--device-name) or `server`.
 * Also compared, but reported as deviations rather than failed (unless FERRY_CHURN_STRICT=1): every path the plan
 * left in a known state holds it (last content written, or one of a conflict's contents), folders made exist,
 * files deleted on purpose did not come back. They are seen only in runs with client kills: a client killed within
 * its ancestor's write delay restarts with an ancestor that lacks its last actions (two-way-crash-window.test.ts).
 * A device is never left without any file (that halts its pair by design, SAFETY_HALT). docs/reliability.md,
 * "Two-way churn", says what "nothing lost" can fairly promise.
 *
 * Never races the clock: steps wait for conditions on the folders (bounded; a timeout names what never happened).
 * The seed and the replay command are printed; on failure the step list too, and the temp folder (with each
 * client's logs in its state folder) is kept. Env: SEED (or FERRY_CHURN_SEED) replays a seed; FERRY_CHURN_STEPS
 * (default 40); FERRY_CHURN_RUNS (default 1: seeds SEED, SEED+1, …); FERRY_CHURN_WAIT_MS (default 60000);
 * FERRY_CHURN_STRICT=1 fails on deviations too; FERRY_CHURN_NO_KILLS=1 plans no SIGKILLs (to tell what kills cause).
 * `npm run soak:two-way` runs more steps and seeds (docs/reliability.md, "Two-way churn").
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isConflictCopy } from '../../src-main/engine/core/conflict-name';
import { killAllFerry } from '../helpers/ferry-procs';
import { freshSeed } from '../helpers/seeded-random';
import { cleanupTempDirs } from '../helpers/trees';
import { planChurn } from './churn-plan';
import { ChurnRun } from './churn-run';
import { ChurnWorld, short, until, type Node } from './churn-world';

const envSeed = process.env.SEED ?? process.env.FERRY_CHURN_SEED;
const FIRST_SEED = envSeed !== undefined ? Number(envSeed) >>> 0 : freshSeed();
const STEPS = Number(process.env.FERRY_CHURN_STEPS ?? 40);
const RUNS = Number(process.env.FERRY_CHURN_RUNS ?? 1);
const WAIT_MS = Number(process.env.FERRY_CHURN_WAIT_MS ?? 60_000);
const STRICT = process.env.FERRY_CHURN_STRICT === '1';
const NO_KILLS = process.env.FERRY_CHURN_NO_KILLS === '1';
const NAMES = ['ann', 'ben', 'cay'];

let failed = false;
afterAll(async () => {
  await killAllFerry();
  if (!failed) await cleanupTempDirs();
});

/** Lines naming where `tree` differs from `ref` (paths, kinds, contents). */
function treeDiff(label: string, ref: Map<string, Node>, tree: Map<string, Node>): string[] {
  const out: string[] = [];
  for (const p of new Set([...ref.keys(), ...tree.keys()])) {
    const a = ref.get(p);
    const b = tree.get(p);
    if (!a) out.push(`${label}: only here: ${p}`);
    else if (!b) out.push(`${label}: missing: ${p}`);
    else if (a.kind !== b.kind || a.hash !== b.hash) out.push(`${label}: ${p} is ${b.kind} ${short(b.hash)}, server ${a.kind} ${short(a.hash)}`);
  }
  return out;
}

/** Where the final tree disagrees with what the plan left in a known state. */
function modelProblems(run: ChurnRun, final: Map<string, Node>): string[] {
  const out: string[] = [];
  for (const [p, e] of run.expect) {
    const got = final.get(p)?.hash;
    if ('hash' in e && got !== e.hash) out.push(`${p}: expected ${short(e.hash)}, found ${short(got)}`);
    if ('burst' in e && (got === undefined || !e.burst.includes(got))) out.push(`${p}: expected one of ${e.burst.map(short).join(', ')} (a conflict), found ${short(got)}`);
  }
  for (const d of run.model.dirs) if (final.get(d)?.kind !== 'dir') out.push(`folder ${d} missing`);
  for (const p of run.model.deleted) if (final.has(p)) out.push(`${p} was deleted but came back`);
  return out;
}

/** Conflict copies named after no device: each carries the name of the device that made it (--device-name) or `server`. */
function strangeCopies(final: Map<string, Node>): string[] {
  return [...final.keys()].filter((p) => {
    const tag = /\.conflict-([A-Za-z0-9_-]+)-\d{8}-\d{6}/.exec(p)?.[1];
    return isConflictCopy(p) && tag !== undefined && ![...NAMES, 'server'].includes(tag);
  });
}

describe('two-way sync under churn: three real ferry sync processes, one real ferry serve', () => {
  for (let r = 0; r < RUNS; r++) {
    const seed = (FIRST_SEED + r) >>> 0;
    it(`seed ${seed}, ${STEPS} steps: converges, nothing lost`, async () => {
      const replay = `SEED=${seed} FERRY_CHURN_STEPS=${STEPS}${NO_KILLS ? ' FERRY_CHURN_NO_KILLS=1' : ''} npx vitest run test/integration/two-way-churn.test.ts`;
      console.log(`[two-way churn] seed ${seed}, ${STEPS} steps (replay: ${replay})`);
      const started = Date.now();
      const ops = planChurn(seed, { steps: STEPS, devices: NAMES.length, noKills: NO_KILLS });
      const world = await ChurnWorld.start(NAMES);
      const run = new ChurnRun(world, WAIT_MS);
      try {
        await run.run(ops);
        const roots = [world.share, ...world.devices.map((d) => d.dir)];
        let diff: string[] = [];
        await until(async () => {
          const [ref, ...trees] = await Promise.all(roots.map((x) => world.hashes.scan(x)));
          diff = trees.flatMap((t, i) => treeDiff(NAMES[i] as string, ref as Map<string, Node>, t));
          return diff.length === 0 && world.lastStatuses().every((s) => s === 'watching');
        }, 'the three folders and the share to be identical trees, every client watching', Math.max(WAIT_MS, 90_000),
        async () => `${diff.slice(0, 40).join('\n')}\nclient statuses: ${world.lastStatuses().join(', ')}`);

        const final = await world.hashes.scan(world.share);
        const versions = await world.versions();
        const present = new Set([...final.values(), ...versions.values()].map((n) => n.hash));
        const lost = run.written.filter((w) => !present.has(w.hash)).map((w) => `step ${w.step}: ${w.device} wrote ${w.path} = ${short(w.hash)}`);
        expect(lost.join('\n'), 'contents written by a device and found nowhere (final trees, server versions)').toBe('');
        expect(strangeCopies(final).join('\n'), 'conflict copies named after an unknown device').toBe('');
        const deviations = [...run.deviations, ...modelProblems(run, final)];
        if (deviations.length > 0) console.log(`[two-way churn] seed ${seed}: ${deviations.length} deviation(s), nothing lost:\n  ${deviations.join('\n  ')}`);
        if (run.notes.length > 0) console.log(`[two-way churn] seed ${seed}: notes:\n  ${run.notes.join('\n  ')}`);
        if (STRICT) expect(deviations.join('\n'), 'deviations (FERRY_CHURN_STRICT=1)').toBe('');

        const conflictLines = world.clientLines().filter((l) => l.event === 'conflict');
        const copies = [...final.keys()].filter((p) => isConflictCopy(p)).length;
        const files = [...final.values()].filter((n) => n.kind === 'file').length;
        console.log(`[two-way churn] seed ${seed}: ${STEPS} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          `kills: ${world.kills.clients} client, ${world.kills.server} server; conflict bursts ${run.bursts}, conflicts reported ${conflictLines.length} (${new Set(conflictLines.map((l) => String(l.id))).size} distinct), ` +
          `conflict copies ${copies}; versions kept ${versions.size}; ${run.written.length} contents written, all found; deviations ${deviations.length}; final tree ${files} files, ${final.size - files} folders`);
        await world.stop();
      } catch (err) {
        failed = true;
        const report = [`[two-way churn] FAILED seed ${seed} (replay: ${replay})`, `temp folder kept: ${world.base}`, 'steps:', ...run.log, 'deviations so far:', ...run.deviations, 'notes:', ...run.notes, 'processes:', world.tails()].join('\n');
        await writeFile(join(world.base, 'churn-report.txt'), `${report}\n${String(err)}\n`).catch(() => undefined);
        await world.dumpOutputs().catch(() => undefined);
        console.log(report);
        throw err;
      }
    }, 180_000 + STEPS * 6_000);
  }
});
