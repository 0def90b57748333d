import { describe, expect, it } from 'vitest';
import { MESSAGE_SCHEMAS } from '../../../src-shared/protocol/messages';
import { FerryError } from '../errors';
import { validateClientMessage, validateServerMessage } from './validate';

const HASH = 'a'.repeat(64);

/** One valid header per message type, and ways to break each. */
const client: Record<string, { ok: object; bad: [string, object][] }> = {
  hello: {
    ok: { type: 'hello', id: 1, protocolVersion: 1, clientId: 'c1', clientName: 'laptop', share: 'docs', token: 't' },
    bad: [['token', { type: 'hello', id: 1, protocolVersion: 1, clientId: 'c1', share: 'docs' }], ['protocolVersion', { type: 'hello', id: 1, protocolVersion: 0, clientId: 'c1', share: 'docs', token: 't' }]],
  },
  list: { ok: { type: 'list', id: 2 }, bad: [['id', { type: 'list' }], ['extra', { type: 'list', id: 2, extra: true }]] },
  mkdir: { ok: { type: 'mkdir', id: 3, path: 'a/b', mode: 0o755, mtimeMs: 1 }, bad: [['mode', { type: 'mkdir', id: 3, path: 'a', mode: 0o17777, mtimeMs: 1 }]] },
  remove: {
    ok: { type: 'remove', id: 4, path: 'a', base: { size: 1, mtimeMs: 2 } },
    bad: [['base', { type: 'remove', id: 4, path: 'a', base: { size: 1 } }], ['path', { type: 'remove', id: 4, path: '' }]],
  },
  move: { ok: { type: 'move', id: 5, from: 'a', to: 'b' }, bad: [['to', { type: 'move', id: 5, from: 'a' }]] },
  symlink: { ok: { type: 'symlink', id: 6, path: 'l', target: '../x', mtimeMs: 0 }, bad: [['target', { type: 'symlink', id: 6, path: 'l', target: '', mtimeMs: 0 }]] },
  setMeta: { ok: { type: 'setMeta', id: 7, path: 'a', mode: 0o644, mtimeMs: 5 }, bad: [['mtimeMs', { type: 'setMeta', id: 7, path: 'a', mode: 0o644, mtimeMs: 1.5 }]] },
  put: {
    ok: { type: 'put', id: 8, path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null, payloadLength: 3 },
    bad: [
      ['hash', { type: 'put', id: 8, path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: 'A'.repeat(64), base: null, payloadLength: 3 }],
      ['payloadLength', { type: 'put', id: 8, path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null }],
    ],
  },
  putBatch: {
    ok: { type: 'putBatch', id: 15, files: [{ path: 'a/f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null }], payloadLength: 3 },
    bad: [
      ['files', { type: 'putBatch', id: 15, files: [], payloadLength: 0 }],
      ['files.0.hash', { type: 'putBatch', id: 15, files: [{ path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: 'x', base: null }], payloadLength: 3 }],
      ['files.0.id', { type: 'putBatch', id: 15, files: [{ path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null, id: 1 }], payloadLength: 3 }],
    ],
  },
  begin: {
    ok: { type: 'begin', id: 9, path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null, chunkCount: 1, payloadLength: 36 },
    bad: [['chunkCount', { type: 'begin', id: 9, path: 'f', size: 3, mtimeMs: 1, mode: 0o644, hash: HASH, base: null, chunkCount: -1, payloadLength: 36 }]],
  },
  chunk: { ok: { type: 'chunk', id: 10, transfer: 9, index: 0, payloadLength: 5 }, bad: [['transfer', { type: 'chunk', id: 10, index: 0, payloadLength: 5 }]] },
  commit: { ok: { type: 'commit', id: 11, transfer: 9 }, bad: [['transfer', { type: 'commit', id: 11, transfer: 2 ** 32 }]] },
  abort: { ok: { type: 'abort', id: 12, transfer: 9 }, bad: [['transfer', { type: 'abort', id: 12, transfer: '9' }]] },
  ping: { ok: { type: 'ping', id: 13 }, bad: [['id', { type: 'ping', id: -1 }]] },
  get: {
    ok: { type: 'get', id: 14, path: 'f', area: 'versions', offset: 0, length: 10 },
    bad: [['area', { type: 'get', id: 14, path: 'f', area: 'elsewhere', offset: 0, length: 10 }]],
  },
  subscribe: { ok: { type: 'subscribe', id: 15, epoch: 'e1', since: 3 }, bad: [['since', { type: 'subscribe', id: 15, since: -1 }]] },
  getRecipe: { ok: { type: 'getRecipe', id: 16, path: 'f' }, bad: [['path', { type: 'getRecipe', id: 16, path: '' }]] },
  listVersions: { ok: { type: 'listVersions', id: 17, path: 'docs' }, bad: [['path', { type: 'listVersions', id: 17, path: '' }]] },
  restoreVersion: {
    ok: { type: 'restoreVersion', id: 18, version: 'a.txt~20261204T155800Z', to: 'b.txt' },
    bad: [['version', { type: 'restoreVersion', id: 18 }]],
  },
};

const server: Record<string, { ok: object; bad: [string, object][] }> = {
  helloOk: { ok: { type: 'helloOk', id: 1, protocolVersion: 1, serverName: 'nas', share: 'docs', sessionId: 's' }, bad: [['sessionId', { type: 'helloOk', id: 1, protocolVersion: 1, serverName: 'nas', share: 'docs' }]] },
  listPage: {
    ok: { type: 'listPage', id: 2, entries: [{ path: 'a', kind: 'file', size: 1, mtimeMs: 1, mode: 0o644 }, { path: 'l', kind: 'symlink', size: 0, mtimeMs: 1, mode: 0o777, target: 'a' }], done: false },
    bad: [['entries.0.kind', { type: 'listPage', id: 2, entries: [{ path: 'a', kind: 'fifo', size: 1, mtimeMs: 1, mode: 0 }], done: true }], ['done', { type: 'listPage', id: 2, entries: [] }]],
  },
  need: { ok: { type: 'need', id: 3, missing: [[0, 4], [6, 7]] }, bad: [['missing.0', { type: 'need', id: 3, missing: [[0]] }]] },
  ok: {
    ok: { type: 'ok', id: 4, conflict: { path: 'a', keptAs: '.ferry/versions/a~x', serverSize: 1, serverMtimeMs: 2 }, bytesReused: 10 },
    bad: [['conflict.keptAs', { type: 'ok', id: 4, conflict: { path: 'a', serverSize: 1, serverMtimeMs: 2 } }]],
  },
  batchOk: {
    ok: { type: 'batchOk', id: 8, results: [{ ok: true }, { ok: true, conflict: { path: 'a', keptAs: '.ferry/versions/a~x', serverSize: 1, serverMtimeMs: 2 } }, { ok: false, code: 'HASH_MISMATCH', message: 'changed' }] },
    bad: [['results.0', { type: 'batchOk', id: 8, results: [{ ok: false, code: 'HASH_MISMATCH' }] }]],
  },
  error: { ok: { type: 'error', id: 5, code: 'NOT_FOUND', message: 'gone', path: 'a' }, bad: [['message', { type: 'error', id: 5, code: 'NOT_FOUND' }]] },
  pong: { ok: { type: 'pong', id: 6 }, bad: [['id', { type: 'pong', id: 1.5 }]] },
  data: { ok: { type: 'data', id: 7, size: 10, mtimeMs: 1, mode: 0o644, payloadLength: 10 }, bad: [['mode', { type: 'data', id: 7, size: 10, mtimeMs: 1, payloadLength: 10 }]] },
  changes: {
    ok: { type: 'changes', id: 8, epoch: 'e1', seq: 4, reset: false, caughtUp: true, entries: [{ seq: 4, path: 'a', kind: 'gone', size: 0, mtimeMs: 0, mode: 0, device: 'server' }] },
    bad: [['entries.0.device', { type: 'changes', id: 8, epoch: 'e1', seq: 4, reset: false, caughtUp: true, entries: [{ seq: 4, path: 'a', kind: 'gone', size: 0, mtimeMs: 0, mode: 0 }] }]],
  },
  versionsPage: {
    ok: { type: 'versionsPage', id: 10, versions: [{ id: 'a.txt~20261204T155800Z', original: 'a.txt', keptAt: 1, kind: 'file', size: 3, mtimeMs: 1, device: 'c1', deviceName: 'laptop', deleted: true }], retentionDays: 30, done: true },
    bad: [['versions.0.original', { type: 'versionsPage', id: 10, versions: [{ id: 'x', keptAt: 1, kind: 'file', size: 3, mtimeMs: 1, deleted: false }], done: true }]],
  },
  recipe: {
    ok: { type: 'recipe', id: 9, size: 10, mtimeMs: 1, mode: 0o644, hash: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', chunkCount: 1, payloadLength: 36 },
    bad: [['hash', { type: 'recipe', id: 9, size: 10, mtimeMs: 1, mode: 0o644, hash: 'xyz', chunkCount: 1, payloadLength: 36 }]],
  },
};

function badFrame(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('BAD_FRAME');
    return err as FerryError;
  }
  throw new Error('expected BAD_FRAME');
}

describe('validators', () => {
  it('have a sample for every message type of the protocol', () => {
    expect(new Set([...Object.keys(client), ...Object.keys(server)])).toEqual(new Set(Object.keys(MESSAGE_SCHEMAS)));
  });

  for (const [type, { ok, bad }] of Object.entries(client)) {
    it(`server side accepts a valid "${type}" and names the failing field of invalid ones`, () => {
      expect(validateClientMessage(structuredClone(ok))).toEqual(ok);
      for (const [field, h] of bad) {
        const err = badFrame(() => validateClientMessage(h));
        expect(err.message).toContain(`"${type}"`);
        expect(err.message).toContain(`"${field}"`);
      }
      // A client message is not a server message.
      expect(badFrame(() => validateServerMessage(ok)).message).toContain('not a server message');
    });
  }

  for (const [type, { ok, bad }] of Object.entries(server)) {
    it(`client side accepts a valid "${type}" and names the failing field of invalid ones`, () => {
      expect(validateServerMessage(structuredClone(ok))).toEqual(ok);
      for (const [field, h] of bad) {
        const err = badFrame(() => validateServerMessage(h));
        expect(err.message).toContain(`"${type}"`);
        expect(err.message).toContain(`"${field}"`);
      }
      expect(badFrame(() => validateClientMessage(ok)).message).toContain('not a client message');
    });
  }

  it('rejects headers without a usable type', () => {
    badFrame(() => validateClientMessage(null));
    badFrame(() => validateClientMessage('ping'));
    badFrame(() => validateClientMessage({ id: 1 }));
    expect(badFrame(() => validateClientMessage({ type: 'toString', id: 1 })).message).toContain('not a client message');
    expect(badFrame(() => validateClientMessage({ type: '__proto__', id: 1 })).message).toContain('not a client message');
  });
});
