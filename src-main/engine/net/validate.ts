/**
 * Header validation: one compiled TypeBox check per message type, picked by `type`. Looking up the
 * schema first is faster than checking the union and lets the error name the type and the field.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { ClientMessage, ServerMessage } from '../../../src-shared/protocol/messages';
import {
  Hello, List, Mkdir, Remove, Move, Symlink, SetMeta, Put, PutBatch, Begin, Chunk, Commit, Abort, Ping, Get, Subscribe, GetRecipe,
  ListVersions, RestoreVersion, HelloOk, ListPage, Need, Ok, BatchOk, ErrorMsg, Pong, Data, Changes, Recipe, VersionsPage,
} from '../../../src-shared/protocol/messages';
import { FerryError } from '../errors';
import { clip } from './frame-codec';

/** Compiled checks by message type, each compiled on first use (a server never needs the server-message ones). */
class Checks {
  private readonly compiled = new Map<string, TypeCheck<TSchema>>();
  constructor(private readonly schemas: Record<string, TSchema>) {}
  get(type: string): TypeCheck<TSchema> | undefined {
    let c = this.compiled.get(type);
    if (c === undefined && Object.hasOwn(this.schemas, type)) {
      c = TypeCompiler.Compile(this.schemas[type]!);
      this.compiled.set(type, c);
    }
    return c;
  }
}

function compile(schemas: Record<string, TSchema>): Checks {
  return new Checks(schemas);
}

const clientChecks = compile({
  hello: Hello, list: List, mkdir: Mkdir, remove: Remove, move: Move, symlink: Symlink, setMeta: SetMeta,
  put: Put, putBatch: PutBatch, begin: Begin, chunk: Chunk, commit: Commit, abort: Abort, ping: Ping, get: Get,
  subscribe: Subscribe, getRecipe: GetRecipe, listVersions: ListVersions, restoreVersion: RestoreVersion,
});
const serverChecks = compile({
  helloOk: HelloOk, listPage: ListPage, need: Need, ok: Ok, batchOk: BatchOk, error: ErrorMsg, pong: Pong, data: Data, changes: Changes, recipe: Recipe, versionsPage: VersionsPage,
});

function check(checks: Checks, h: unknown, direction: string): unknown {
  if (typeof h !== 'object' || h === null) throw new FerryError('BAD_FRAME', 'Frame header is not an object');
  const type = (h as { type?: unknown }).type;
  if (typeof type !== 'string') throw new FerryError('BAD_FRAME', 'Frame header has no "type" string');
  const c = checks.get(type);
  if (c === undefined) throw new FerryError('BAD_FRAME', `"${clip(type)}" is not a ${direction} message type`);
  if (c.Check(h)) return h;
  const first = c.Errors(h).First();
  const field = first?.path ? first.path.slice(1).replace(/\//g, '.') : '';
  const where = field === '' ? '' : ` field "${clip(field, 200)}":`;
  throw new FerryError('BAD_FRAME', `Invalid "${type}" message:${where} ${first?.message ?? 'does not match its schema'}`);
}

/** Check a header received by the server against the schema of its `type`; throws FerryError BAD_FRAME naming the field. */
export function validateClientMessage(h: unknown): ClientMessage {
  return check(clientChecks, h, 'client') as ClientMessage;
}

/** Check a header received by the client against the schema of its `type`; throws FerryError BAD_FRAME naming the field. */
export function validateServerMessage(h: unknown): ServerMessage {
  return check(serverChecks, h, 'server') as ServerMessage;
}
