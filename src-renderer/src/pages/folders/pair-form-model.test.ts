import { describe, expect, it } from 'vitest';
import { fieldOfSaveError, formFieldProblem, formProblem, initialValues, targetProblem, toInput } from './pair-form-model';

const FP = 'ab'.repeat(32);

describe('pair form model', () => {
  it('starts from defaults that need a folder, host, fingerprint and token', () => {
    const v = initialValues();
    expect(v.share).toBe('default');
    expect(v.port).toBe('7443');
    expect(formProblem(v)).toMatch(/local folder/);
    expect(targetProblem(v)).toMatch(/host/);
    expect(v.mode).toBe('two-way');
    expect(v.allowForeignChanges).toBe(false);
  });

  it('accepts fingerprints with or without colons, rejects short ones and bad ports', () => {
    const ok = { ...initialValues(), localPath: '/x', host: 'h', fingerprint: FP.match(/../g)!.join(':'), token: 't' };
    expect(formProblem(ok)).toBeNull();
    expect(targetProblem({ ...ok, fingerprint: 'abcd' })).toMatch(/64 hex/);
    expect(targetProblem({ ...ok, port: '70000' })).toMatch(/port/);
    expect(targetProblem({ ...ok, token: ' ' })).toMatch(/token/);
    expect(formProblem({ ...ok, rescanMinutes: '' })).toMatch(/rescan/);
  });

  it('names the field each problem belongs to, in form order', () => {
    const ok = { ...initialValues(), localPath: '/x', host: 'h', fingerprint: FP, token: 't' };
    expect(formFieldProblem(initialValues())?.field).toBe('localPath');
    expect(formFieldProblem({ ...ok, host: '' })?.field).toBe('host');
    expect(formFieldProblem({ ...ok, port: '0' })?.field).toBe('port');
    expect(formFieldProblem({ ...ok, fingerprint: 'ab' })?.field).toBe('fingerprint');
    expect(formFieldProblem({ ...ok, token: '' })?.field).toBe('token');
    expect(formFieldProblem({ ...ok, rescanMinutes: '-1' })?.field).toBe('rescanMinutes');
    expect(formFieldProblem(ok)).toBeNull();
  });

  it('puts a save error under the field it is about', () => {
    const v = { ...initialValues(), localPath: '/home/a/Docs/' };
    expect(fieldOfSaveError({ code: 'CONFIG_INVALID', message: '/home/a/Docs is already synced by another folder pair', path: '/home/a/Docs' }, v)).toBe('localPath');
    expect(fieldOfSaveError({ code: 'CONFIG_INVALID', message: 'pair:add: argument 1 field port must be a port number from 1 to 65535' }, v)).toBe('port');
    expect(fieldOfSaveError({ code: 'CONFIG_INVALID', message: 'pair:update: argument 2 field rescanIntervalSec must be 0 (off) to 604800 seconds' }, v)).toBe('rescanMinutes');
    expect(fieldOfSaveError({ code: 'CONFIG_INVALID', message: 'pair:add: argument 1 field evil must not be there' }, v)).toBeNull();
    expect(fieldOfSaveError({ code: 'TIMEOUT', message: 'the daemon did not answer' }, v)).toBeNull();
  });

  it('converts to the contract input', () => {
    const v = { ...initialValues(), localPath: ' /home/a ', host: ' nas ', port: '9000', fingerprint: FP, token: ' tok ', ignore: '*.tmp\n\n node_modules/ ', rescanMinutes: '5', allowEmptyRoot: true };
    expect(toInput(v, true)).toEqual({
      host: 'nas', port: 9000, share: 'default', fingerprint: FP, token: 'tok', localPath: '/home/a', paused: true,
      ignore: ['*.tmp', 'node_modules/'], rescanIntervalSec: 300, allowEmptyRoot: true, mode: 'two-way', allowForeignChanges: false,
    });
  });

  it('sends allowForeignChanges only with the mirror mode', () => {
    const v = { ...initialValues(), localPath: '/a', host: 'h', fingerprint: FP, token: 't', allowForeignChanges: true };
    expect(toInput({ ...v, mode: 'mirror' }, false)).toMatchObject({ mode: 'mirror', allowForeignChanges: true });
    expect(toInput({ ...v, mode: 'two-way' }, false)).toMatchObject({ mode: 'two-way', allowForeignChanges: false });
    expect(toInput({ ...v, mode: 'receive' }, false)).toMatchObject({ mode: 'receive', allowForeignChanges: false });
  });

  it('round-trips an existing pair', () => {
    const pair = { id: 'p', localPath: '/a', host: 'h', port: 1, share: 's', fingerprint: FP, token: 't', paused: false, ignore: ['x'], rescanIntervalSec: 120, allowEmptyRoot: false, mode: 'mirror' as const, allowForeignChanges: true };
    const { id: _id, ...input } = pair;
    expect(toInput(initialValues(pair), false)).toEqual(input);
  });
});
