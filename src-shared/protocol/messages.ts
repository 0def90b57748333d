/**
 * Every frame header, one TypeBox schema per message type, as a union on `type`.
 * The JSON Schemas in docs/schemas are generated from these (scripts/gen-schemas.mjs).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PUT_BATCH_MAX_FILES } from './limits';

const Id = Type.Integer({ minimum: 0, maximum: 0xffffffff, description: 'request id; responses echo it' });
const RelPath = Type.String({ minLength: 1, maxLength: 4096, description: 'share-relative POSIX path, NFC' });
const Mode = Type.Integer({ minimum: 0, maximum: 0o7777 });
const MtimeMs = Type.Integer({ minimum: 0, description: 'milliseconds since epoch, integer' });
const Size = Type.Integer({ minimum: 0 });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });
const PayloadLength = Type.Integer({ minimum: 0, description: 'raw bytes following the header' });

/** What the client believes the server holds at a path (null: nothing). A mismatch is a conflict. */
export const FileBase = Type.Union([Type.Null(), Type.Object({ size: Size, mtimeMs: MtimeMs })]);
export type FileBase = Static<typeof FileBase>;

export const EntryKind = Type.Union([Type.Literal('file'), Type.Literal('dir'), Type.Literal('symlink')]);
export type EntryKind = Static<typeof EntryKind>;

/** One node of a listed tree. */
export const Entry = Type.Object(
  {
    path: RelPath,
    kind: EntryKind,
    size: Size,
    mtimeMs: MtimeMs,
    mode: Mode,
    target: Type.Optional(Type.String({ maxLength: 4096 })),
    /** Content identity of a file (see CONTENT_ID in docs/protocol.md): set by the server's listing and feed. */
    hash: Type.Optional(Hash),
  },
  { additionalProperties: false },
);
export type Entry = Static<typeof Entry>;

/**
 * One record of a share's change feed: the latest state of one path, stamped with the share's sequence number at
 * which it became so. `kind: 'gone'` is a tombstone (deleted). `device` is the clientId whose request made the
 * change, or 'server' for a change found on the server's own disk.
 */
export const FeedEntry = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    path: RelPath,
    kind: Type.Union([EntryKind, Type.Literal('gone')]),
    size: Size,
    mtimeMs: MtimeMs,
    mode: Mode,
    target: Type.Optional(Type.String({ maxLength: 4096 })),
    hash: Type.Optional(Hash),
    device: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);
export type FeedEntry = Static<typeof FeedEntry>;

function msg<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object(
    { type: Type.Literal(type), id: Id, ...props },
    { additionalProperties: false, $id: type },
  );
}

// ---- client → server ----
export const Hello = msg('hello', {
  protocolVersion: Type.Integer({ minimum: 1 }),
  clientId: Type.String({ minLength: 1, maxLength: 128 }),
  clientName: Type.Optional(Type.String({ maxLength: 256 })),
  share: Type.String({ minLength: 1, maxLength: 128 }),
  token: Type.String({ minLength: 1, maxLength: 512 }),
});
export const List = msg('list', {});
export const Mkdir = msg('mkdir', { path: RelPath, mode: Mode, mtimeMs: MtimeMs });
export const Remove = msg('remove', { path: RelPath, base: Type.Optional(FileBase) });
export const Move = msg('move', { from: RelPath, to: RelPath });
export const Symlink = msg('symlink', { path: RelPath, target: Type.String({ minLength: 1, maxLength: 4096 }), mtimeMs: MtimeMs });
export const SetMeta = msg('setMeta', { path: RelPath, mode: Mode, mtimeMs: MtimeMs });
/** Whole small file in the payload. */
export const Put = msg('put', {
  path: RelPath, size: Size, mtimeMs: MtimeMs, mode: Mode, hash: Hash, base: FileBase, payloadLength: PayloadLength,
});
/** One file of a `putBatch`: the fields of `put` without id and payloadLength. */
export const PutBatchFile = Type.Object(
  { path: RelPath, size: Size, mtimeMs: MtimeMs, mode: Mode, hash: Hash, base: FileBase },
  { additionalProperties: false },
);
export type PutBatchFile = Static<typeof PutBatchFile>;
/**
 * Many small files in one frame: the payload is their bytes back to back in `files` order. Each file succeeds
 * or fails on its own; answered by one `batchOk` with a result per file, in the same order.
 */
export const PutBatch = msg('putBatch', {
  files: Type.Array(PutBatchFile, { minItems: 1, maxItems: PUT_BATCH_MAX_FILES }), payloadLength: PayloadLength,
});
/** Large file: payload is the recipe (chunkCount × 36 bytes: sha256 + u32 BE length). Server answers `need`. */
export const Begin = msg('begin', {
  path: RelPath, size: Size, mtimeMs: MtimeMs, mode: Mode, hash: Hash, base: FileBase,
  chunkCount: Type.Integer({ minimum: 0 }), payloadLength: PayloadLength,
});
/** One chunk the server asked for; `transfer` is the id of the `begin`. No response. */
export const Chunk = msg('chunk', { transfer: Id, index: Type.Integer({ minimum: 0 }), payloadLength: PayloadLength });
/** All asked chunks sent: assemble, verify, fsync, rename. */
export const Commit = msg('commit', { transfer: Id });
export const Abort = msg('abort', { transfer: Id });
export const Ping = msg('ping', {});
/**
 * Subscribe to the share's change feed from `since` (the last seq this client applied, with the feed's `epoch`).
 * Answered by `changes` frames with this id: first the catch-up (a full snapshot with `reset: true` when `since` is
 * absent, from another epoch, or compacted away), the last of it `caughtUp: true`; then live changes, pushed as
 * they are applied, until the connection ends. One subscription per connection.
 */
export const Subscribe = msg('subscribe', {
  epoch: Type.Optional(Type.String({ maxLength: 64 })),
  since: Type.Optional(Type.Integer({ minimum: 0 })),
});
/** The chunk recipe of a share file, for delta downloads. Answered by `recipe` + the encoded recipe as payload. */
export const GetRecipe = msg('getRecipe', { path: RelPath });
/** Read part of a file (a share file, or a kept version under .ferry/versions). Answered by `data`. */
/** List the share's kept versions (all, or those of `path` and below), newest first. Answered by `versionsPage` frames. */
export const ListVersions = msg('listVersions', { path: Type.Optional(RelPath) });
/**
 * Copy a kept version (`version`: its id, the path under `.ferry/versions`) back to its original path, or to `to`. Whatever is
 * at the destination is kept as a version first; the restore is a share change like any other. Answered by `ok`.
 */
export const RestoreVersion = msg('restoreVersion', {
  version: Type.String({ minLength: 1, maxLength: 4200, description: 'path of the version under .ferry/versions' }),
  to: Type.Optional(RelPath),
});
export const Get = msg('get', {
  path: Type.String({ minLength: 1, maxLength: 4096 }),
  area: Type.Union([Type.Literal('share'), Type.Literal('versions')]),
  offset: Type.Integer({ minimum: 0 }),
  length: Type.Integer({ minimum: 0 }),
});

// ---- server → client ----
export const HelloOk = msg('helloOk', {
  protocolVersion: Type.Integer({ minimum: 1 }),
  serverName: Type.String({ maxLength: 256 }),
  share: Type.String({ maxLength: 128 }),
  sessionId: Type.String({ maxLength: 128 }),
});
export const ListPage = msg('listPage', { entries: Type.Array(Entry), done: Type.Boolean() });
export const Need = msg('need', {
  missing: Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]), {
    description: 'half-open [start, end) ranges of recipe indices the server lacks',
  }),
});
export const ConflictInfo = Type.Object(
  {
    path: RelPath,
    keptAs: Type.String({ description: 'share-relative path of the kept server version (under .ferry/versions)' }),
    serverSize: Size,
    serverMtimeMs: MtimeMs,
  },
  { additionalProperties: false },
);
export type ConflictInfo = Static<typeof ConflictInfo>;
export const Ok = msg('ok', {
  conflict: Type.Optional(ConflictInfo),
  bytesReused: Type.Optional(Size),
});
/** The outcome of one file of a `putBatch`: `ok` (maybe with a conflict) or the error it would have had alone. */
export const BatchResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), conflict: Type.Optional(ConflictInfo) }, { additionalProperties: false }),
  Type.Object(
    {
      ok: Type.Literal(false),
      code: Type.String({ maxLength: 64 }),
      message: Type.String({ maxLength: 4096 }),
    },
    { additionalProperties: false },
  ),
]);
export type BatchResult = Static<typeof BatchResult>;
export const BatchOk = msg('batchOk', { results: Type.Array(BatchResult, { maxItems: PUT_BATCH_MAX_FILES }) });
export const ErrorMsg = msg('error', {
  code: Type.String({ maxLength: 64 }),
  message: Type.String({ maxLength: 4096 }),
  path: Type.Optional(Type.String({ maxLength: 4096 })),
});
export const Pong = msg('pong', {});
/**
 * Feed records for a `subscribe` (id = the subscribe's id). `reset: true` (first frame of a catch-up only): the
 * entries are a full snapshot of the share; forget any earlier view. `seq`: the feed's sequence after these entries.
 */
export const Changes = msg('changes', {
  epoch: Type.String({ maxLength: 64 }),
  seq: Type.Integer({ minimum: 0 }),
  reset: Type.Boolean(),
  caughtUp: Type.Boolean(),
  entries: Type.Array(FeedEntry),
});
/** Answer to `getRecipe`: the file's metadata, content identity and its recipe (chunkCount × 36 bytes) as payload. */
export const Recipe = msg('recipe', {
  size: Size, mtimeMs: MtimeMs, mode: Mode, hash: Hash, chunkCount: Type.Integer({ minimum: 0 }), payloadLength: PayloadLength,
});
/** One kept version in a `versionsPage`. */
export const KeptVersionEntry = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 4200, description: 'path under .ferry/versions (what restoreVersion and get {area: versions} take)' }),
    original: RelPath,
    keptAt: MtimeMs,
    kind: EntryKind,
    size: Size,
    mtimeMs: MtimeMs,
    /** clientId of the device whose change replaced or deleted it (absent: unknown, e.g. kept by an older server). */
    device: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** That device's name as it said in hello. */
    deviceName: Type.Optional(Type.String({ maxLength: 256 })),
    /** Nothing is at `original` on the share now. */
    deleted: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type KeptVersionEntry = Static<typeof KeptVersionEntry>;
/** Answer to `listVersions`, in pages; the first carries the server's retention (days, 0: kept forever). */
export const VersionsPage = msg('versionsPage', {
  versions: Type.Array(KeptVersionEntry),
  retentionDays: Type.Optional(Type.Integer({ minimum: 0 })),
  done: Type.Boolean(),
});
/** Answer to `get`: payload holds the bytes; `size` is the whole file's size, `mtimeMs`/`mode` its metadata. */
export const Data = msg('data', { size: Size, mtimeMs: MtimeMs, mode: Mode, payloadLength: PayloadLength });

export const ClientMessage = Type.Union([Hello, List, Mkdir, Remove, Move, Symlink, SetMeta, Put, PutBatch, Begin, Chunk, Commit, Abort, Ping, Get, Subscribe, GetRecipe, ListVersions, RestoreVersion]);
export const ServerMessage = Type.Union([HelloOk, ListPage, Need, Ok, BatchOk, ErrorMsg, Pong, Data, Changes, Recipe, VersionsPage]);
export type ClientMessage = Static<typeof ClientMessage>;
export type ServerMessage = Static<typeof ServerMessage>;
export type Message = ClientMessage | ServerMessage;
/** Narrow a message union by its `type`. */
export type MessageOf<M extends { type: string }, T extends M['type']> = Extract<M, { type: T }>;

/** All message schemas by type, for validators and doc generation. */
export const MESSAGE_SCHEMAS = {
  hello: Hello, list: List, mkdir: Mkdir, remove: Remove, move: Move, symlink: Symlink, setMeta: SetMeta,
  put: Put, putBatch: PutBatch, begin: Begin, chunk: Chunk, commit: Commit, abort: Abort, ping: Ping, get: Get, subscribe: Subscribe, getRecipe: GetRecipe,
  listVersions: ListVersions, restoreVersion: RestoreVersion,
  helloOk: HelloOk, listPage: ListPage, need: Need, ok: Ok, batchOk: BatchOk, error: ErrorMsg, pong: Pong, data: Data, changes: Changes, recipe: Recipe, versionsPage: VersionsPage,
} as const;
export type MessageType = keyof typeof MESSAGE_SCHEMAS;
