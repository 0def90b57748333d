/** The churn plan (churn-plan.ts) replays exactly from its seed and holds the kinds the churn test promises. */
import { describe, expect, it } from 'vitest';
import { ChurnModel, describeOp, planChurn, type ChurnOp } from './churn-plan';

const names = ['ann', 'ben', 'cay'];
const kinds = (ops: ChurnOp[]) => new Set(ops.map((o) => o.kind));

describe('churn plan', () => {
  it('the same seed gives the same operations; another seed other ones', () => {
    const a = planChurn(42, { steps: 40, devices: 3 }).map((o) => describeOp(o, names));
    expect(planChurn(42, { steps: 40, devices: 3 }).map((o) => describeOp(o, names))).toEqual(a);
    expect(planChurn(43, { steps: 40, devices: 3 }).map((o) => describeOp(o, names))).not.toEqual(a);
  });

  it('every bounded run holds kills of clients and server, conflicts, edit against delete, folder moves and large files', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const ops = planChurn(seed, { steps: 40, devices: 3 });
      expect(ops).toHaveLength(40);
      const k = kinds(ops);
      for (const want of ['killClient', 'killServer', 'conflict', 'editVsDelete', 'moveFolder', 'create', 'edit', 'delete'] as const) expect(k.has(want), `seed ${seed}: ${want}`).toBe(true);
      expect(ops.filter((o) => o.kind === 'create' && o.large).length, `seed ${seed}: large files`).toBeGreaterThanOrEqual(2);
      expect(planChurn(seed, { steps: 40, devices: 3, noKills: true }).some((o) => o.kind === 'killClient' || o.kind === 'killServer')).toBe(false);
    }
  });

  it('acts only on paths that exist in the model, names each path once, and never empties the model of files', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const model = new ChurnModel();
      const seen = new Set<string>();
      for (const op of planChurn(seed, { steps: 120, devices: 3 })) {
        const target = 'from' in op ? op.from : 'path' in op ? op.path : null;
        if (op.kind === 'create' || op.kind === 'mkdir') {
          expect(seen.has(op.path), `seed ${seed}: ${op.path} reused`).toBe(false);
          seen.add(op.path);
        } else if (op.kind === 'moveFolder' || op.kind === 'deleteFolder') expect(model.dirs.has(target as string)).toBe(true);
        else if (target !== null) expect(model.files.has(target), `seed ${seed}: ${describeOp(op, names)}`).toBe(true);
        if (op.kind === 'rename') {
          expect(seen.has(op.to)).toBe(false);
          seen.add(op.to);
        }
        model.apply(op);
        if (seen.size > 6) expect(model.files.size, `seed ${seed}: files left`).toBeGreaterThanOrEqual(2);
      }
    }
  });
});
