import { describe, expect, it } from 'vitest';
import { formProblem, initialValues, targetProblem, toInput } from './pair-form-model';

const FP = 'ab'.repeat(32);

describe('pair form model', () => {
  it('starts from defaults that need a folder, host, fingerprint and token', () => {
    const v = initialValues();
    expect(v.share).toBe('default');
    expect(v.port).toBe('7443');
    expect(formProblem(v)).toMatch(/local folder/);
    expect(targetProblem(v)).toMatch(/host/);
  });

  it('accepts fingerprints with or without colons, rejects short ones and bad ports', () => {
    const ok = { ...initialValues(), localPath: '/x', host: 'h', fingerprint: FP.match(/../g)!.join(':'), token: 't' };
    expect(formProblem(ok)).toBeNull();
    expect(targetProblem({ ...ok, fingerprint: 'abcd' })).toMatch(/64 hex/);
    expect(targetProblem({ ...ok, port: '70000' })).toMatch(/port/);
    expect(targetProblem({ ...ok, token: ' ' })).toMatch(/token/);
    expect(formProblem({ ...ok, rescanMinutes: '' })).toMatch(/rescan/);
  });

  it('converts to the contract input', () => {
    const v = { ...initialValues(), localPath: ' /home/a ', host: ' nas ', port: '9000', fingerprint: FP, token: ' tok ', ignore: '*.tmp\n\n node_modules/ ', rescanMinutes: '5', allowEmptyRoot: true };
    expect(toInput(v, true)).toEqual({
      host: 'nas', port: 9000, share: 'default', fingerprint: FP, token: 'tok', localPath: '/home/a', paused: true,
      ignore: ['*.tmp', 'node_modules/'], rescanIntervalSec: 300, allowEmptyRoot: true,
    });
  });

  it('round-trips an existing pair', () => {
    const pair = { id: 'p', localPath: '/a', host: 'h', port: 1, share: 's', fingerprint: FP, token: 't', paused: false, ignore: ['x'], rescanIntervalSec: 120, allowEmptyRoot: false };
    const { id: _id, ...input } = pair;
    expect(toInput(initialValues(pair), false)).toEqual(input);
  });
});
