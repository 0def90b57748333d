/**
 * Argument schemas of every command in the IPC contract, compiled once. Both transports (Electron IPC and
 * the web GUI's WebSocket) pass untrusted `unknown[]` through `checkCommandArgs` before anything runs.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { COMMAND_NAMES, type CommandArgs, type CommandName } from '../../../src-shared/ipc';
import { FerryError } from '../errors';

// `errorMessage` is our own keyword: the formatter prefers it over TypeBox's generic wording.
const AbsolutePath = Type.String({
  minLength: 1,
  maxLength: 4096,
  pattern: '^(/|[A-Za-z]:[\\\\/]|\\\\\\\\)[^\\u0000]*$',
  errorMessage: 'must be an absolute path',
});
const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/]+$', errorMessage: 'must be a host name or IP address' });
const Port = Type.Integer({ minimum: 1, maximum: 65535, errorMessage: 'must be a port number from 1 to 65535' });
const Share = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', errorMessage: 'must be a share name (letters, digits, . _ -)' });
const Fingerprint = Type.String({
  pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$',
  errorMessage: 'must be a SHA-256 certificate fingerprint (64 hex digits, colons optional)',
});
const Token = Type.String({ minLength: 1, maxLength: 1024, errorMessage: 'must be a non-empty access token' });
const Id = Type.String({ minLength: 1, maxLength: 200, errorMessage: 'must be a non-empty id' });
// Checked again (relPathProblem) by the server; this only bounds what reaches it.
const RelPathArg = Type.String({ minLength: 1, maxLength: 4096, errorMessage: 'must be a share-relative path' });

/** Where a pair connects to. */
export const ConnectionTargetSchema = Type.Object(
  { host: Host, port: Port, share: Share, fingerprint: Fingerprint, token: Token },
  { additionalProperties: false },
);

/** Everything the UI may set on a folder pair. */
export const FolderPairInputSchema = Type.Object(
  {
    host: Host,
    port: Port,
    share: Share,
    fingerprint: Fingerprint,
    token: Token,
    localPath: AbsolutePath,
    paused: Type.Boolean(),
    ignore: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 1000 }),
    rescanIntervalSec: Type.Integer({ minimum: 0, maximum: 7 * 86400, errorMessage: 'must be 0 (off) to 604800 seconds' }),
    allowEmptyRoot: Type.Boolean(),
    mode: Type.Union([Type.Literal('two-way'), Type.Literal('mirror'), Type.Literal('receive')], { errorMessage: 'must be two-way, mirror or receive' }),
    allowForeignChanges: Type.Boolean(),
  },
  { additionalProperties: false },
);

const ServerConfigSchema = Type.Object(
  {
    root: AbsolutePath, host: Host, port: Port,
    versionRetentionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36_500, errorMessage: 'must be 0 (keep forever) to 36500 days' })),
  },
  { additionalProperties: false },
);

const LogLevel = Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug')]);
const UiPatchSchema = Type.Object(
  { startAtLogin: Type.Optional(Type.Boolean()), notifications: Type.Optional(Type.Boolean()), logLevel: Type.Optional(LogLevel) },
  { additionalProperties: false },
);

const none = Type.Tuple([]);

/** One tuple schema per command; `satisfies` makes a missing command a compile error. */
const ARG_SCHEMAS = {
  'state:get': none,
  'transfers:recent': Type.Tuple([Type.Integer({ minimum: 1, maximum: 100_000, errorMessage: 'must be a count from 1 to 100000' })]),
  'pair:add': Type.Tuple([FolderPairInputSchema]),
  'pair:update': Type.Tuple([Id, FolderPairInputSchema]),
  'pair:remove': Type.Tuple([Id]),
  'pair:pause': Type.Tuple([Id]),
  'pair:resume': Type.Tuple([Id]),
  'pair:test': Type.Tuple([ConnectionTargetSchema]),
  'pair:openFolder': Type.Tuple([Id]),
  'sync:pauseAll': none,
  'sync:resumeAll': none,
  'conflict:resolve': Type.Tuple([Id, Type.Union([Type.Literal('keepLocal'), Type.Literal('keepServer'), Type.Literal('keepBoth')], { errorMessage: 'must be keepLocal, keepServer or keepBoth' })]),
  'conflict:open': Type.Tuple([Id, Type.Union([Type.Literal('local'), Type.Literal('server')], { errorMessage: 'must be "local" or "server"' })]),
  'versions:list': Type.Tuple([Id, Type.Union([RelPathArg, Type.Null()], { errorMessage: 'must be a share-relative path or null' })]),
  'versions:restore': Type.Tuple([Id, Type.String({ minLength: 1, maxLength: 4200, errorMessage: 'must be a version id' }), Type.Union([Type.Literal('place'), Type.Literal('beside')], { errorMessage: 'must be "place" or "beside"' })]),
  'server:setEnabled': Type.Tuple([Type.Boolean()]),
  'server:configure': Type.Tuple([ServerConfigSchema]),
  'server:addToken': Type.Tuple([Type.String({ minLength: 1, maxLength: 100, errorMessage: 'must be a label of 1 to 100 characters' })]),
  'server:takeInitialInvite': none,
  'server:revokeToken': Type.Tuple([Id]),
  'settings:update': Type.Tuple([UiPatchSchema]),
  'dialog:pickFolder': Type.Tuple([Type.Union([AbsolutePath, Type.Null()], { errorMessage: 'must be an absolute path or null' })]),
  'fs:listDirs': Type.Tuple([Type.Union([AbsolutePath, Type.Null()], { errorMessage: 'must be an absolute path or null' })]),
  'logs:openFolder': none,
} satisfies Record<CommandName, TSchema>;

// Compile-time check that each schema describes exactly the contract's parameter tuple.
type SchemaMatchesContract = {
  [C in CommandName]: Static<(typeof ARG_SCHEMAS)[C]> extends CommandArgs<C> ? true : C;
}[CommandName];
const _contractCheck: SchemaMatchesContract = true;
void _contractCheck;

const compiled = new Map<string, TypeCheck<TSchema>>(
  Object.entries(ARG_SCHEMAS).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]),
);

/** True when `name` is a command of the contract. */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

/**
 * Validate a command name and its arguments. Throws FerryError BAD_FRAME for an unknown command or a wrong
 * number of arguments, CONFIG_INVALID (naming the argument and field) for a value outside its bounds.
 */
export function checkCommandArgs<C extends CommandName>(command: C | string, args: unknown): CommandArgs<C> {
  if (!isCommandName(command)) throw new FerryError('BAD_FRAME', `Unknown command ${JSON.stringify(String(command)).slice(0, 80)}`);
  if (!Array.isArray(args)) throw new FerryError('BAD_FRAME', `${command}: arguments must be an array`);
  const schema = ARG_SCHEMAS[command];
  const expected = schema.maxItems ?? 0;
  if (args.length !== expected) {
    throw new FerryError('BAD_FRAME', `${command}: expected ${expected} argument${expected === 1 ? '' : 's'}, got ${args.length}`);
  }
  const check = compiled.get(command)!;
  if (!check.Check(args)) {
    const problems = describeErrors(check, args);
    throw new FerryError('CONFIG_INVALID', `${command}: ${problems.join('; ')}`);
  }
  return args as CommandArgs<C>;
}

/** Readable lines like "argument 1: port must be a port number from 1 to 65535", most specific first, deduplicated. */
function describeErrors(check: TypeCheck<TSchema>, value: unknown): string[] {
  const out = new Set<string>();
  for (const e of check.Errors(value)) {
    const [index, ...field] = e.path.split('/').slice(1);
    const where = `argument ${Number(index ?? 0) + 1}${field.length ? ` field ${field.join('.')}` : ''}`;
    const custom = (e.schema as { errorMessage?: unknown }).errorMessage;
    out.add(`${where} ${typeof custom === 'string' ? custom : e.message.replace(/^Expected/, 'expected')}`);
    if (out.size >= 5) break;
  }
  return out.size ? [...out] : ['invalid arguments'];
}
