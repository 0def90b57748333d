import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src-shared/ipc';
import type { FolderPairInput } from '../../../src-shared/model';
import { FerryError } from '../errors';
import { checkCommandArgs } from './command-args';

const goodPair: FolderPairInput = {
  host: 'nas.local',
  port: 7443,
  share: 'default',
  fingerprint: 'AB:'.repeat(31) + 'CD',
  token: 'secret-token',
  localPath: '/home/ann/Documents',
  paused: false,
  ignore: ['*.tmp'],
  rescanIntervalSec: 300,
  allowEmptyRoot: false,
  mode: 'two-way',
  allowForeignChanges: false,
};

function rejection(command: string, args: unknown): FerryError {
  try {
    checkCommandArgs(command, args);
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    return err as FerryError;
  }
  throw new Error(`${command} accepted ${JSON.stringify(args)}`);
}

describe('checkCommandArgs', () => {
  it('accepts well-formed arguments and returns them unchanged', () => {
    const args = [goodPair];
    expect(checkCommandArgs('pair:add', args)).toBe(args);
    expect(checkCommandArgs('pair:update', ['id-1', { ...goodPair, fingerprint: 'ab'.repeat(32) }])).toHaveLength(2);
    expect(checkCommandArgs('state:get', [])).toEqual([]);
    expect(checkCommandArgs('fs:listDirs', [null])).toEqual([null]);
    expect(checkCommandArgs('settings:update', [{ logLevel: 'debug' }])).toEqual([{ logLevel: 'debug' }]);
    expect(checkCommandArgs('conflict:resolve', ['c1', 'keepBoth'])).toEqual(['c1', 'keepBoth']);
  });

  it('rejects unknown commands and non-array arguments as BAD_FRAME', () => {
    expect(rejection('pair:explode', []).code).toBe('BAD_FRAME');
    expect(rejection('pair:explode', []).message).toMatch(/Unknown command "pair:explode"/);
    expect(rejection('__proto__', []).code).toBe('BAD_FRAME');
    expect(rejection('state:get', { 0: 1 }).code).toBe('BAD_FRAME');
  });

  it('rejects a wrong number of arguments as BAD_FRAME', () => {
    const e = rejection('pair:pause', []);
    expect(e.code).toBe('BAD_FRAME');
    expect(e.message).toBe('pair:pause: expected 1 argument, got 0');
    expect(rejection('state:get', [1]).message).toBe('state:get: expected 0 arguments, got 1');
  });

  it.each<[string, Partial<Record<keyof FolderPairInput, unknown>>, RegExp]>([
    ['port 0', { port: 0 }, /field port must be a port number from 1 to 65535/],
    ['port 65536', { port: 65536 }, /field port must be a port number from 1 to 65535/],
    ['fractional port', { port: 80.5 }, /field port must be a port number/],
    ['port as text', { port: '7443' }, /field port must be a port number/],
    ['empty host', { host: '' }, /field host must be a host name/],
    ['host with a path', { host: 'a/b' }, /field host must be a host name/],
    ['relative localPath', { localPath: 'Documents' }, /field localPath must be an absolute path/],
    ['bad fingerprint', { fingerprint: 'abc' }, /field fingerprint must be a SHA-256 certificate fingerprint/],
    ['empty token', { token: '' }, /field token must be a non-empty access token/],
    ['share with a slash', { share: 'a/b' }, /field share must be a share name/],
    ['negative rescan', { rescanIntervalSec: -1 }, /field rescanIntervalSec must be 0 \(off\)/],
    ['unknown mode', { mode: 'sideways' }, /field mode must be two-way, mirror or receive/],
    ['allowForeignChanges as text', { allowForeignChanges: 'yes' }, /field allowForeignChanges/],
  ])('rejects a pair with %s, naming the field', (_what, patch, message) => {
    const e = rejection('pair:add', [{ ...goodPair, ...patch }]);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/^pair:add: argument 1 /);
    expect(e.message).toMatch(message);
  });

  it('rejects missing and extra fields of a pair', () => {
    const { token: _t, ...noToken } = goodPair;
    expect(rejection('pair:add', [noToken]).message).toMatch(/field token/);
    expect(rejection('pair:add', [{ ...goodPair, evil: true }]).message).toMatch(/pair:add: argument 1/);
  });

  it('rejects bad values of other commands with a clear message', () => {
    expect(rejection('transfers:recent', [0]).message).toBe('transfers:recent: argument 1 must be a count from 1 to 100000');
    expect(rejection('conflict:resolve', ['c1', 'keepNeither']).message).toMatch(/argument 2 must be keepLocal, keepServer or keepBoth/);
    expect(rejection('server:setEnabled', ['yes']).code).toBe('CONFIG_INVALID');
    expect(rejection('server:configure', [{ root: 'rel', host: '0.0.0.0', port: 7443 }]).message).toMatch(/field root must be an absolute path/);
    expect(rejection('settings:update', [{ logLevel: 'verbose' }]).code).toBe('CONFIG_INVALID');
    expect(rejection('settings:update', [{ theme: 'dark' }]).code).toBe('CONFIG_INVALID');
    expect(rejection('fs:listDirs', ['../etc']).message).toMatch(/must be an absolute path or null/);
    expect(rejection('server:addToken', ['x'.repeat(101)]).message).toMatch(/label of 1 to 100 characters/);
  });

  it('has a schema for every command of the contract', () => {
    for (const name of COMMAND_NAMES) expect(() => checkCommandArgs(name, [Symbol('never valid')])).toThrow(FerryError);
  });
});
